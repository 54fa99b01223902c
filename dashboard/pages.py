"""The dashboard's pages: the one list app.py routes, the tests open and the benchmark renders.

Adding a page: write `dashboard/app_pages/<name>.py` and add one `PageEntry` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageEntry:
    file: str  # in app_pages/, e.g. "overview.py"
    title: str  # the page's h1, and its name in the navigation
    icon: str
    section: str  # navigation heading
    default: bool = False  # the page at the app's plain address

    @property
    def key(self) -> str:
        """Short name, e.g. "overview"."""
        return Path(self.file).stem

    @property
    def path(self) -> str:
        """Relative to dashboard/app.py, as st.Page and AppTest.switch_page take it."""
        return f"app_pages/{self.file}"

    @property
    def url_path(self) -> str:
        """Where a browser finds it: "" for the default page, else the key."""
        return "" if self.default else self.key


PAGES = (
    PageEntry("overview.py", "Overview", ":material/dashboard:", "Results", default=True),
    PageEntry("training.py", "Training", ":material/show_chart:", "Results"),
    PageEntry("evaluation.py", "Evaluation", ":material/fact_check:", "Results"),
    PageEntry("compare.py", "Compare & sweeps", ":material/compare_arrows:", "Results"),
    PageEntry("significance.py", "Significance", ":material/balance:", "Results"),
    PageEntry("playground.py", "Playground", ":material/edit_note:", "Models"),
    PageEntry("inside.py", "Inside the model", ":material/neurology:", "Models"),
    PageEntry("top_words.py", "Top words", ":material/format_list_numbered:", "Models"),
    PageEntry("glass_box.py", "Glass box", ":material/function:", "Models"),
    PageEntry("deploy.py", "Deploy", ":material/speed:", "Models"),
    PageEntry("memory_lab.py", "Memory lab", ":material/memory:", "Lab"),
    PageEntry("gradients.py", "Gradients through time", ":material/trending_down:", "Lab"),
    PageEntry("forecasts.py", "Forecasts", ":material/timeline:", "Forecasting"),
    PageEntry("forecaster_inside.py", "Inside the forecaster", ":material/neurology:", "Forecasting"),
    PageEntry("write.py", "Write", ":material/stylus_note:", "Generation"),
    PageEntry("train.py", "Train", ":material/model_training:", "Pipelines"),
    PageEntry("report.py", "Report", ":material/summarize:", "Pipelines"),
)
BY_KEY = {page.key: page for page in PAGES}


def page_path(key: str) -> str:
    """A page's path by key, e.g. page_path("train") == "app_pages/train.py" (for st.page_link, st.switch_page)."""
    return BY_KEY[key].path
