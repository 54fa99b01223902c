"""scripts/gpu_check.py: its CPU dry run on generated IMDb data, and what it says when a package is missing.

The GPU run itself needs a GPU machine (BENCHMARKS.md says whether it has run).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import write_imdb_archive

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "gpu_check.py"


def run_script(*arguments, hide=()):
    """The script in a fresh Python; `hide` makes those modules unimportable, as on a machine without them."""
    probe = (f"import runpy, sys\nfor name in {list(hide)!r}: sys.modules[name] = None\n"
             f"sys.argv = {[str(SCRIPT), *arguments]!r}\nrunpy.run_path(sys.argv[0], run_name='__main__')")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)


def test_the_cpu_dry_run_trains_each_shape_of_the_full_zoo_and_reports_every_figure(tmp_path):
    data = tmp_path / "data"
    write_imdb_archive(data)
    packed = tmp_path / "carry" / "aclImdb_v1.tar.gz"
    assert run_script("--pack-imdb", str(packed), "--data-dir", str(data)).returncode == 0
    out = tmp_path / "gpu_check.json"
    # From the packed copy, as the GPU machine reads it. The plain RNNs have each of the full zoo's three shapes
    # (3 layers with a batch-norm head, 1 bidirectional layer, 2 layers) and train fastest.
    result = run_script("--device", "cpu", "--limit", "200", "--epochs", "1", "--data-dir", str(packed.parent),
                        "--only", "rnn-*", "--explain-repeats", "1", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert len(report["runs"]) == 3
    assert all(0 <= row["accuracy"] <= 1 and row["seconds"] > 0 and row["peak_gpu_mib"] is None
               for row in report["runs"])  # fmt: skip
    assert report["explain"]["median_ms"] > 0 and report["explain"]["device"] == "cpu"
    assert report["explain"]["run_id"].startswith("torch-rnn-bi-3x256")  # no BiLSTM 1x128 trained: the first run
    assert report["cpu_against_device"]["largest_probability_difference"] == 0  # both on the CPU
    assert report["cpu_against_device"]["texts"] == 40
    assert "runs of full on imdb-limit200" in result.stdout and "dry run: both on the CPU" in result.stdout


def test_missing_packages_are_named_with_the_wheels_to_bring(tmp_path):
    result = run_script("--device", "cpu", hide=["pydantic"])
    assert result.returncode == 2
    assert "this Python lacks pydantic" in result.stderr and "pydantic-core==2.50.5" in result.stderr
    assert "--python-version 3.12" in result.stderr
    printed = run_script("--wheels", hide=["captum"]).stdout
    assert printed.startswith("python3 -m pip download") and "captum==0.9.0" in printed
