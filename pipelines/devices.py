"""Where PyTorch computes, and how a seed makes it repeat itself: shared by inference and training.

    device = pick_device("auto")            # CUDA when there is one, else the CPU
    with autocast(device): logits = model(ids, lengths)
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch

from .device_names import DEVICE_CHOICES


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but PyTorch sees no CUDA GPU; use --device auto or cpu")
    if name not in DEVICE_CHOICES:
        raise ValueError(f"--device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


@contextmanager
def random_state_kept() -> Iterator[None]:
    """Seed inside the block without disturbing the process's random streams (Python's, NumPy's, torch's)."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


def autocast(device: torch.device):
    """bfloat16 autocast on CUDA (no loss scaling needed); a no-op on the CPU."""
    enabled = device.type == "cuda" and torch.cuda.is_bf16_supported()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def to_device(device: torch.device, *arrays: np.ndarray) -> list[torch.Tensor]:
    return [torch.from_numpy(array).to(device, non_blocking=True) for array in arrays]
