"""Frameworks behind one small interface, so the pipeline never asks which one it drives.

A backend builds a model from a resolved `ModelSpec`, trains it, predicts class
probabilities for an encoded split, counts parameters, saves the weights into a
run and loads them back. TensorFlow is imported only when the Keras backend is
asked for: it takes seconds to import, and most commands never need it.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Protocol

import numpy as np
import sklearn
import torch
from safetensors.torch import load_file, save_file

from . import __version__
from .batching import EncodedSplit
from .config import TrainConfig
from .models.spec import ModelSpec
from .models.torch_zoo import RecurrentClassifier, count_parameters
from .train import fit, pick_device, predict_probabilities, seed_everything

FRAMEWORKS = ("torch", "keras")


class Backend(Protocol):
    name: str
    weights_file: str
    device_name: str

    def build(self, spec: ModelSpec, seed: int = 0): ...
    def fit(self, model, train: EncodedSplit, validation: EncodedSplit, config: TrainConfig, on_progress=None): ...
    def predict(self, model, split: EncodedSplit) -> np.ndarray: ...
    def parameter_count(self, model) -> int: ...
    def save(self, model, path: Path) -> None: ...
    def load(self, spec: ModelSpec, path: Path): ...
    def versions(self) -> dict: ...


class TorchBackend:
    name = "torch"
    weights_file = "weights.safetensors"

    def __init__(self, device: str = "auto"):
        self.device = pick_device(device)
        self.device_name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"

    def build(self, spec: ModelSpec, seed: int = 0):
        seed_everything(seed)  # the initial weights are part of what a seed reproduces
        return RecurrentClassifier(spec)

    def fit(self, model, train, validation, config, on_progress=None):
        return fit(model, train, validation, config, self.device, on_progress)

    def predict(self, model, split):
        return predict_probabilities(model, split, self.device)

    def parameter_count(self, model) -> int:
        return count_parameters(model)

    def save(self, model, path: Path) -> None:
        tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
        save_file(tensors, str(path), metadata={"format": "pt"})

    def load(self, spec: ModelSpec, path: Path):
        model = RecurrentClassifier(spec)
        model.load_state_dict(load_file(str(path)))  # strict: a mismatched file fails loudly
        return model.to(self.device).eval()

    def versions(self) -> dict:
        return {"torch": torch.__version__, "cuda": torch.version.cuda}


def backend_for(framework: str, device: str = "auto") -> Backend:
    if framework == "torch":
        return TorchBackend(device)
    if framework == "keras":
        try:
            from .keras_backend import KerasBackend
        except ImportError as error:  # e.g. a GPU machine with PyTorch only
            message = f"the keras framework needs TensorFlow and Keras ({error}); pip install -r requirements.txt"
            raise ValueError(message) from error
        return KerasBackend(device)
    raise ValueError(f"unknown framework {framework!r}; choose one of: {', '.join(FRAMEWORKS)}")


def common_versions() -> dict:
    return {"rnnlens": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__}
