"""RNN Lens dashboard entry point: `streamlit run dashboard/app.py`.

A first page listing the runs in the store; the full set of pages builds on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` puts only dashboard/ on the path

from pipelines.store import Store  # noqa: E402

st.set_page_config(page_title="RNN Lens", layout="wide")
st.title("RNN Lens")
st.caption("Recurrent sentiment models in the store")

store = Store()
records = store.runs()
if not records:
    st.info("No runs yet. Train the quick zoo with `python -m pipelines train --dataset rt-polarity --zoo quick`.")
    st.stop()

rows = [
    {
        "data set": r.dataset,
        "run": r.run_id,
        "state": r.state,
        "accuracy": (r.metrics or {}).get("accuracy"),
        "macro F1": (r.metrics or {}).get("f1_macro"),
        "problem": r.problem,
    }
    for r in records
]
st.dataframe(pd.DataFrame(rows), hide_index=True)
