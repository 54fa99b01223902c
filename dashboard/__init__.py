"""RNN Lens dashboard: Streamlit pages that read the store through `pipelines`."""
