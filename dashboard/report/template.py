"""The report's page: one self-contained HTML document (Jinja2, autoescaped), styled for screen and for print.

Everything a reader's browser needs is inside: plotly.js inline, no fonts or
scripts from the network. Printed, each section opens a page, but for the short
summary and data, which the leaderboard follows on; long tables repeat their
header on every printed page and never split a row.
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="RNN Lens report">
<title>{{ title }}</title>
<style>
  :root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; }
  body { font-family: "Source Sans Pro", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
         max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; line-height: 1.45; }
  h1 { font-size: 1.9rem; margin-bottom: 0.2rem; }
  h2 { font-size: 1.35rem; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 2.2rem; }
  p.meta, .note, figcaption { color: var(--muted); font-size: 0.9rem; }
  .lead { font-size: 1.1rem; }
  .figure { margin: 10px 0 18px; break-inside: avoid; page-break-inside: avoid; }
  .figure .plotly-graph-div { width: 100% !important; }
  table { border-collapse: collapse; width: 100%; font-size: 0.8rem; margin: 8px 0 16px; }
  th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
  th { background: #f9fafb; }
  table.small { font-size: 0.7rem; }
  td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  code { font-size: 0.85em; word-break: break-all; }
  ul.sentences li { margin-bottom: 4px; }
  .verdict-real { color: #2b6cb0; font-weight: 600; }  /* dashboard/palette.py REAL: blue, not green (5.4:1) */
  .verdict-borderline { color: #b45309; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { max-width: none; padding: 0; font-size: 10.5pt; }
    h2 { break-before: page; page-break-before: always; }
    /* The summary and the data are short: they and the leaderboard flow on from the first page, which a page
       break after the summary's few lines left nearly blank; a heading never ends a page. */
    h2.first, #data h2, #leaderboard h2 { break-before: auto; page-break-before: auto; }
    h2, p.lead { break-after: avoid; page-break-after: avoid; }
    a { color: inherit; text-decoration: none; }
    figcaption .words { display: none; }  /* a chart's words are its Figure's alt text in the PDF (blocks.chart) */
  }
</style>
<script>{{ plotly_js }}</script>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">Data set <strong>{{ dataset }}</strong> · {{ run_count }} finished run{{ "s" if run_count != 1 }}
  · made {{ created }} · store <code>{{ store_root }}</code></p>
{% for section in sections %}
<section id="{{ section.anchor }}">
<h2{% if loop.first %} class="first"{% endif %}>{{ section.title }}</h2>
{% if section.intro %}<p class="lead">{{ section.intro }}</p>{% endif %}
{% for block in section.blocks %}{{ block }}
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""
