"""RNN Lens pipelines: data sets, model zoos, training, evaluation, explanation and the store.

Never imports the dashboard (or Streamlit): arrows go dashboard -> pipelines -> artifacts.
"""

__version__ = "0.1.0"
