"""The dashboard's pages: the one list app.py routes, the tests open and the benchmark renders.

A feature is a folder: `dashboard/features/<feature>/` holds its page(s) and the
figures, tables and loaders only it uses; what several features share (router,
state, guards, model loading, figure style) stays at the top of `dashboard/`.
Adding a page: write `dashboard/features/<feature>/<name>.py` and add one `PageEntry` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class PageEntry:
    file: str  # in features/, e.g. "results/overview.py"
    title: str  # the page's h1, and its name in the navigation
    icon: str
    section: str  # navigation heading
    default: bool = False  # the page at the app's plain address

    @property
    def key(self) -> str:
        """Short name, e.g. "overview": the file's name, unique across features."""
        return PurePosixPath(self.file).stem

    @property
    def feature(self) -> str:
        """The folder under features/, e.g. "results"."""
        return PurePosixPath(self.file).parent.name

    @property
    def path(self) -> str:
        """Relative to dashboard/app.py, as st.Page and AppTest.switch_page take it."""
        return f"features/{self.file}"

    @property
    def url_path(self) -> str:
        """Where a browser finds it: "" for the default page, else the key (never the folder)."""
        return "" if self.default else self.key


PAGES = (
    PageEntry("results/overview.py", "Overview", ":material/dashboard:", "Results", default=True),
    PageEntry("results/training.py", "Training", ":material/show_chart:", "Results"),
    PageEntry("results/evaluation.py", "Evaluation", ":material/fact_check:", "Results"),
    PageEntry("comparisons/compare.py", "Compare & sweeps", ":material/compare_arrows:", "Results"),
    PageEntry("comparisons/significance.py", "Significance", ":material/balance:", "Results"),
    PageEntry("inside/playground.py", "Playground", ":material/edit_note:", "Models"),
    PageEntry("inside/inside.py", "Inside the model", ":material/neurology:", "Models"),
    PageEntry("inside/top_words.py", "Top words", ":material/format_list_numbered:", "Models"),
    PageEntry("behaviour/behaviour.py", "Behaviour", ":material/rule:", "Models"),
    PageEntry("glass_box/glass_box.py", "Glass box", ":material/function:", "Models"),
    PageEntry("deploy/deploy.py", "Deploy", ":material/speed:", "Models"),
    PageEntry("lab/memory_lab.py", "Memory lab", ":material/memory:", "Lab"),
    PageEntry("lab/gradients.py", "Gradients through time", ":material/trending_down:", "Lab"),
    PageEntry("forecasting/forecasts.py", "Forecasts", ":material/timeline:", "Forecasting"),
    PageEntry("forecasting/forecaster_inside.py", "Inside the forecaster", ":material/neurology:", "Forecasting"),
    PageEntry("writing/write.py", "Write", ":material/stylus_note:", "Generation"),
    PageEntry("seq2seq/translate.py", "Translate", ":material/translate:", "Encoder-decoders"),
    PageEntry("seq2seq/bottleneck.py", "The bottleneck", ":material/compress:", "Encoder-decoders"),
    PageEntry("seq2seq/teacher_forcing.py", "Teacher forcing", ":material/school:", "Encoder-decoders"),
    PageEntry("train/train.py", "Train", ":material/model_training:", "Pipelines"),
    PageEntry("report/report.py", "Report", ":material/summarize:", "Pipelines"),
    PageEntry("classroom/class_wall.py", "Class", ":material/groups:", "Class"),
    PageEntry("classroom/submit.py", "Submit a review", ":material/send:", "Class"),
)
BY_KEY = {page.key: page for page in PAGES}
assert len(BY_KEY) == len(PAGES), "two pages share a file name: their addresses would clash"


def page_path(key: str) -> str:
    """A page's path by key, e.g. page_path("train") == "features/train/train.py" (for st.page_link, st.switch_page)."""
    return BY_KEY[key].path
