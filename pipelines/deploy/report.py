"""What `deploy` finds, as typed records: the run's `deploy.json`, and the text the command prints."""

from __future__ import annotations

from ..records import Count, Fraction, NonNegative, Record, RunRecord

DEPLOY_FILE = "deploy.json"


class DeploySettings(Record):
    limit: int | None = None  # test texts scored (a seeded sample); None: the whole test split
    latency_texts: int = 200  # single-text predictions timed, per variant
    batch_size: int = 64
    throughput_texts: int = 1024  # texts per throughput round
    rounds: int = 3  # throughput rounds per variant (the median is kept)
    seed: int = 0


class VariantReport(Record):
    name: str  # float | int8 | onnx
    title: str
    available: bool = True
    problem: str | None = None  # why it is not available (ONNX Runtime missing, a layer that does not export)
    notes: list[str] = []
    # Measured figures are range-checked where they are read: a kept report with an accuracy of 7.5 or a
    # negative latency is not printed as measured, it is measured again (`cached_report`).
    size_bytes: Count | None = None
    latency_p50_ms: NonNegative | None = None  # one text, one thread
    latency_p95_ms: NonNegative | None = None
    throughput: NonNegative | None = None  # texts per second, batches of `batch_size`, every thread
    accuracy: Fraction | None = None
    f1_macro: Fraction | None = None
    max_probability_difference: Fraction | None = None  # against the float model, over the scored texts
    agreement: Fraction | None = None  # share of texts with the float model's predicted class
    speedup: NonNegative | None = None  # the float model's p50 latency / this one's
    size_ratio: NonNegative | None = None  # the float model's size / this one's


class DeployReport(Record):
    run_id: str
    dataset: str
    label: str
    cell: str
    settings: DeploySettings
    examples: Count  # test texts scored
    variants: list[VariantReport]
    machine: dict[str, object] = {}  # processor, cores, threads, load average while measuring
    versions: dict[str, str | None] = {}
    created_at: float | None = None
    seconds: float | None = None

    def variant(self, name: str) -> VariantReport | None:
        return next((variant for variant in self.variants if variant.name == name), None)


def cached_report(store, record: RunRecord, settings: DeploySettings | None = None) -> DeployReport | None:
    """The run's kept report from `store` (a `pipelines.store.Store`), if measured with `settings` (when given); else None."""
    data = store.read_derived_json(record.dataset, record.run_id, DEPLOY_FILE)
    try:
        report = DeployReport.model_validate(data) if data is not None else None
    except ValueError:
        return None  # damaged, or from an older version: measure again
    if report is None or (settings is not None and report.settings != settings):
        return None
    return report


def megabytes(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.2f} MB"


def _number(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def format_report(report: DeployReport) -> str:
    lines = [
        f"{report.label} on {report.dataset} ({report.run_id})",
        f"{report.examples:,} test texts scored; latency: {report.settings.latency_texts} single texts, one thread; "
        f"throughput: batches of {report.settings.batch_size}, {report.machine.get('threads', '?')} threads; "
        f"load average {report.machine.get('load_average', '?')}",
        "",
        f"{'variant':<30} {'size':>10} {'p50 ms':>8} {'p95 ms':>8} {'texts/s':>9} {'accuracy':>9} {'macro F1':>9} "
        f"{'max |dp|':>9} {'speed-up':>9} {'smaller':>8}",
    ]
    for variant in report.variants:
        if not variant.available:
            lines.append(f"{variant.title:<30} not available: {variant.problem}")
            continue
        lines.append(
            f"{variant.title:<30} {megabytes(variant.size_bytes):>10} {_number(variant.latency_p50_ms, '.2f'):>8} "
            f"{_number(variant.latency_p95_ms, '.2f'):>8} {_number(variant.throughput, ',.0f'):>9} "
            f"{_number(variant.accuracy, '.4f'):>9} {_number(variant.f1_macro, '.4f'):>9} "
            f"{_number(variant.max_probability_difference, '.1e'):>9} {_number(variant.speedup, '.2f'):>8}x "
            f"{_number(variant.size_ratio, '.2f'):>7}x"
        )  # fmt: skip
        lines += [f"{'':<30} note: {note}" for note in variant.notes]
    return "\n".join(lines)
