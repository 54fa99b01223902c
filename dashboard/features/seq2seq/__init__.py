"""Encoder-decoders: the Translate page and The bottleneck."""
