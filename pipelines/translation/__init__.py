"""Encoder-decoders once trained: translating one source (runs.py), scoring a split (pairs.py), and the NumPy
reference of a decoder step against PyTorch (verify.py)."""
