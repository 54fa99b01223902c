"""The shape of the code: arrows go one way, nothing imports in a circle, reading a run imports no trainer.

Packages sit in layers, and a module may import only from its own layer and the layers below it
(`ALLOWED`; a module of `pipelines` whose layer is not named fails `test_every_module_has_a_layer`):

    dashboard  -> training, reading, store, core    the face: pages start jobs (training.jobs) and read runs
    commands   -> training, reading, store, core    pipelines/commands/ (one module per command group) and cli.py
    training   -> reading, store, core              trainers, TrainRequest, background jobs, training slots
    reading    -> store, core                       runs, loaded, explain, forecasting, generation, baselines,
                                                    verify, deploy, comparison, tensorboard_events, translation
    store      -> core                              store.py: the one module that writes runs; class_wall.py
    core       -> (nothing above it)                data, models, records, tasks, files, checksums, encoding,
                                                    evaluate, backends, keras_backend, devices, device_names,
                                                    threads, embeddings, probes, report_options, exit_codes

`pipelines` never imports `dashboard`. Outside training/ and the commands, no module reaches a trainer (any
module of pipelines/training/ but request, jobs, slots, cluster and config), even through other modules: reading
a run, a page or a waiting job never loads the code (and the frameworks) that trains.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

import dashboard.pages

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipelines", "dashboard")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """Every project module `path` imports, wherever the import statement stands (in functions too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `from .x import y`: y may be a name, not a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> nx.DiGraph:
    paths = [path for package in PACKAGES for path in (PROJECT / package).rglob("*.py")]
    modules = {module_name(path) for path in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for path in paths:
        source = module_name(path)
        for target in imported_modules(path, modules):
            if not source.startswith(target + "."):  # a module importing its own package's __init__ is no circle
                graph.add_edge(source, target)
    return graph


# Which layer each package (or top-level module) of `pipelines` is in; `dashboard` is a layer of its own.
LAYERS = {
    "core": ("data", "models", "records", "tasks", "files", "checksums", "encoding", "evaluate", "backends",
             "keras_backend", "devices", "device_names", "threads", "embeddings", "probes", "report_options",
             "exit_codes"),
    "store": ("store", "class_wall"),
    "reading": ("runs", "loaded", "explain", "forecasting", "generation", "baselines", "verify", "deploy",
                "comparison", "tensorboard_events", "translation", "behaviour"),
    "training": ("training",),
    "commands": ("commands", "cli", "__main__"),
}  # fmt: skip
# The layers each layer may import (its own included).
ALLOWED = {
    "core": {"core"},
    "store": {"store", "core"},
    "reading": {"reading", "store", "core"},
    "training": {"training", "reading", "store", "core"},
    "commands": {"commands", "training", "reading", "store", "core"},
    "dashboard": {"dashboard", "training", "reading", "store", "core"},
}
TOP_DOWN = ("dashboard", "commands", "training", "reading", "store", "core")
# pipelines/training/ without its trainers: what a request is and how a job waits and starts (no framework).
TRAINING_FRONT = {f"pipelines.training.{name}" for name in ("request", "jobs", "slots", "cluster", "config")}


def layer_of(module: str) -> str | None:
    """The layer of a project module; None for one that no layer names (the package `pipelines` itself aside)."""
    parts = module.split(".")
    if parts[0] == "dashboard":
        return "dashboard"
    if len(parts) == 1:
        return "core"  # pipelines/__init__.py: a docstring and a version
    return next((layer for layer, names in LAYERS.items() if parts[1] in names), None)


def test_every_module_has_a_layer():
    unplaced = sorted(module for module in import_graph() if layer_of(module) is None)
    assert not unplaced, f"name these modules' package in LAYERS: {unplaced}"


def test_imports_go_down_the_layers():
    graph = import_graph()
    against = sorted(f"{a} ({layer_of(a)}) -> {b} ({layer_of(b)})" for a, b in graph.edges
                     if layer_of(b) not in ALLOWED[layer_of(a)])  # fmt: skip
    assert not against, "imports against the layers:\n" + "\n".join(against)


def test_the_docstring_draws_the_allowed_directions():
    """The table above (what CONTRIBUTING.md copies) says what ALLOWED says."""
    for layer, allowed in ALLOWED.items():
        below = [name for name in TOP_DOWN if name in allowed and name != layer]
        drawn = f"{layer:<10} -> {', '.join(below) if below else '(nothing above it)'}"
        assert drawn in __doc__, drawn


def test_outside_training_and_the_commands_no_module_reaches_a_trainer():
    graph = import_graph()
    trainers = {module for module in graph if module.startswith("pipelines.training.")} - TRAINING_FRONT
    reaching = {module: sorted(nx.descendants(graph, module) & trainers) for module in graph
                if layer_of(module) not in ("training", "commands")}  # fmt: skip
    assert not {module: found for module, found in reaching.items() if found}
    front = {module: sorted(nx.descendants(graph, module) & trainers) for module in TRAINING_FRONT}
    assert not {module: found for module, found in front.items() if found}, "a page starts jobs through these"


def test_the_import_graph_finds_the_edges_it_should():
    graph = import_graph()
    assert graph.has_edge("pipelines.runs", "pipelines.store")
    assert graph.has_edge("pipelines.training.train", "pipelines.training.torch_loop")  # an import inside a function
    assert graph.has_edge("dashboard.app", "dashboard.pages")


def test_no_import_circles():
    cycles = [sorted(component) for component in nx.strongly_connected_components(import_graph())
              if len(component) > 1]  # fmt: skip
    assert not cycles, f"modules that import each other: {cycles}"


def test_pipelines_never_import_the_dashboard():
    graph = import_graph()
    assert not [(a, b) for a, b in graph.edges if a.startswith("pipelines") and b.startswith("dashboard")]


def test_loading_a_run_imports_no_trainer():
    """What the dashboard imports to read the store and load a model leaves the training package alone."""
    probe = ("import sys, pipelines.loaded, pipelines.runs, pipelines.verify, pipelines.explain, "
             "pipelines.forecasting.runs, pipelines.generation.writer, dashboard.loaders\n"
             "assert not [name for name in sys.modules if name.startswith('pipelines.training')], sorted(sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]


FEATURES = PROJECT / "dashboard" / "features"


def test_every_page_file_is_in_the_page_list():
    """The one list app.py routes and the tests open: a new page cannot miss its tests.

    A feature folder holds pages (scripts Streamlit runs, which nothing imports) and the modules they use
    (which something imports): a file that is neither is a page missing from the list.
    """
    graph = import_graph()
    pages = {page.file for page in dashboard.pages.PAGES}
    for path in FEATURES.rglob("*.py"):
        file = path.relative_to(FEATURES).as_posix()
        if path.name == "__init__.py":
            continue
        imported_by = list(graph.predecessors(module_name(path)))
        if file in pages:
            assert not imported_by, f"{file} is a page, yet {imported_by} import it"
        else:
            assert imported_by, f"{file} is neither in dashboard/pages.py nor imported: a page missing from the list?"
    assert all((FEATURES / file).is_file() for file in pages)
    assert sum(page.default for page in dashboard.pages.PAGES) == 1


def test_the_core_of_the_dashboard_imports_no_feature():
    """Features build on the core at the top of dashboard/ (router, state, guards, loaders, figure style), never
    the other way: a feature's folder can change without the rest of the dashboard noticing.

    The report (dashboard/report) is the one module above the features: a hand-out of the whole course, it draws
    every feature's part with that feature's own builders, so the core imports it no more than a feature."""
    graph = import_graph()
    above = ("dashboard.features", "dashboard.report")
    core = [name for name in graph if name.startswith("dashboard.") and not name.startswith(above)]
    assert not [(a, b) for a in core for b in graph.successors(a) if b.startswith(above)]
    features = [name for name in graph if name.startswith("dashboard.features")]
    reaching = [(a, b) for a in features for b in graph.successors(a) if b.startswith("dashboard.report")]
    assert {a for a, _ in reaching} <= {"dashboard.features.report.report", "dashboard.features.report.loaders_report"}


def test_every_url_stays_where_it_was():
    """Links people saved (and the tests' page keys) name a page by its file, never by its feature folder."""
    assert [page.url_path for page in dashboard.pages.PAGES] == [
        "", "training", "evaluation", "compare", "significance", "playground", "inside", "top_words", "behaviour",
        "glass_box", "deploy", "memory_lab", "gradients", "forecasts", "forecaster_inside", "write", "translate",
        "bottleneck", "teacher_forcing", "train", "report", "class_wall", "submit"]


def test_the_local_executor_runs_without_ray(tmp_path):
    """`train` (local, the default) imports no Ray at import time or while it trains: it works where Ray is absent."""
    from conftest import write_rt_corpus

    data = tmp_path / "data"
    write_rt_corpus(data)
    arguments = ["--artifacts", str(tmp_path / "store"), "train", "--only", "rnn-uni-*", "--epochs", "1",
                 "--data-dir", str(data), "--quiet", "--no-top-words", "--no-baselines"]  # fmt: skip
    probe = ("import sys\n"
             "sys.modules['ray'] = None  # `import ray` now fails, as where Ray is not installed\n"
             "import pipelines.training.train, pipelines.runs, pipelines.training.jobs\n"
             "from pipelines.cli import main\n"
             f"assert main({arguments!r}) == 0\n"
             f"raise SystemExit(main({arguments + ['--executor', 'ray']!r}))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT)
    assert "1 trained" in result.stdout, result.stderr[-2000:]
    assert result.returncode == 2 and "error: --executor ray needs Ray" in result.stderr  # said in one line


FRAMEWORKS_PROBE = "assert not {'torch', 'tensorflow', 'keras'} & set(sys.modules), sorted(sys.modules)"


def test_the_command_line_imports_no_framework_until_a_command_needs_one(tmp_path):
    """`import pipelines.cli` and `list` load no torch or TensorFlow: a `list` is instant, a queued job stays small."""
    probe = (f"import sys, pipelines.cli\n{FRAMEWORKS_PROBE}\n"
             f"assert pipelines.cli.main(['--artifacts', {str(tmp_path)!r}, 'list']) == 0\n{FRAMEWORKS_PROBE}")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_queued_job_waits_without_a_framework(tmp_path):
    """A job waiting for a training slot (what the Train page starts) has loaded no framework library while it waits:
    its process maps no libtorch and no TensorFlow."""
    import time

    from pipelines.store import Store
    from pipelines.training.slots import training_slot

    store = Store(tmp_path / "store")
    command = [sys.executable, "-m", "pipelines", "--artifacts", str(store.root), "train", "--wait-for-slot",
               "--quiet", "--epochs", "1", "--only", "rnn-uni-*", "--data-dir", str(tmp_path / "no-data")]
    with training_slot(store, count=1):
        job = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**__import__("os").environ, "RNNLENS_TRAINING_SLOTS": "1"})
        try:
            assert "waiting for a training slot" in job.stdout.readline()
            time.sleep(1.0)  # it sleeps in line: nothing imported since it said so
            maps = Path(f"/proc/{job.pid}/maps").read_text()
        finally:
            job.kill()
            job.wait()
    assert job.returncode is not None
    assert "libtorch" not in maps and "tensorflow" not in maps
