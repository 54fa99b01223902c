"""Holm's step-down adjustment of p-values (Holm 1979), for both comparisons: every pair of runs, and many models
against one over seeds.

statsmodels' `multipletests(p, method="holm")` gives the same numbers (tests/test_significance.py checks both
callers against it), but its Holm branch ends in `gc.collect()` (statsmodels 0.15; upstream pull request 8671 asked
to remove it): a full garbage collection on every call. In the dashboard's server, with PyTorch, Streamlit and Plotly
loaded, that is ~190 ms of CPU holding the interpreter for every session (~315 ms once a Keras model is loaded), and
the Significance page adjusted its seed comparisons on every rerun; the adjustment itself takes microseconds.
"""

from __future__ import annotations

import numpy as np


def holm_adjusted(p_values) -> np.ndarray:
    """Holm-adjusted p-values, in the order given: the i-th smallest p times (m - i), made non-decreasing, at most 1."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    stepped = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted
