"""What Streamlit does after every rerun, where this app needs otherwise.

After each script run Streamlit clears Keras's global session whenever `keras` is imported
(`streamlit.runtime.scriptrunner.script_runner._clean_problem_modules`). With Keras 3 on TensorFlow that resets the
default graph, empties the kernel cache and runs a full garbage collection: the whole-heap walk that
`runner.postScriptGC = false` turns off (streamlit_config.toml). So once any page had loaded a Keras run (the Glass
box's twin, a Keras classifier or forecaster), every later rerun of every session paid for it: 410 ms of server CPU
a page instead of 50 ms (BENCHMARKS.md section 21; five AppTest page runs, 1.7 s instead of 0.15 s: section 14).
This app builds no Keras graph per rerun: its Keras models are loaded once, cached, and called eagerly. Only the
other half of Streamlit's cleanup is kept: closing matplotlib's figures.
"""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner


def clean_after_rerun() -> None:
    """Streamlit's cleanup after a script run, less Keras's clear_session (see the module's docstring)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def install() -> None:
    """Use `clean_after_rerun` in this process's script runs (the server's and AppTest's); app.py calls it on every
    run, which changes nothing after the first."""
    if not hasattr(script_runner, "_clean_problem_modules"):
        raise RuntimeError("Streamlit no longer has script_runner._clean_problem_modules: see dashboard/runner.py")
    script_runner._clean_problem_modules = clean_after_rerun
