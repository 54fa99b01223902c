"""Comparing runs: the Compare & sweeps page (with pretrained embeddings) and the Significance page."""
