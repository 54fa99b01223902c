"""The `--device` choices, in a module of their own so that building the command line imports no PyTorch
(`pipelines.devices`, which picks and uses a device, imports torch)."""

DEVICE_CHOICES = ("auto", "cpu", "cuda")
