"""Frameworks behind one small interface, so callers never ask which one made a model.

A backend builds a model from a resolved `ModelSpec`, predicts class
probabilities for an encoded split, counts parameters, saves the weights into a
run and loads them back: everything a reader of the store needs, and nothing of
training (`pipelines.training` drives each framework's loop). TensorFlow is
imported only when the Keras backend is asked for: it takes seconds to import,
and most commands never need it.
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
from .devices import autocast, pick_device, seed_everything, to_device
from .encoding import EVAL_BATCH_SIZE, EncodedSplit, inference_batches
from .models.spec import FRAMEWORKS, ModelSpec
from .models.torch_zoo import RecurrentClassifier, count_parameters
from .threads import SMALL_BATCH, single_thread



class Backend(Protocol):
    name: str
    weights_file: str
    device_name: str

    def build(self, spec: ModelSpec, seed: int = 0): ...
    def predict(self, model, split: EncodedSplit) -> np.ndarray: ...
    def parameter_count(self, model) -> int: ...
    def save(self, model, path: Path) -> None: ...
    def load(self, spec: ModelSpec, path: Path): ...
    def versions(self) -> dict: ...


def predict_probabilities(model: RecurrentClassifier, split: EncodedSplit, device: torch.device) -> np.ndarray:
    """Class probabilities (examples, classes) in the split's order."""
    model.eval()
    probabilities = np.zeros((len(split), model.spec.num_classes), dtype=np.float32)
    few_texts = device.type == "cpu" and len(split) <= SMALL_BATCH  # e.g. one text typed in the dashboard
    with torch.inference_mode(), single_thread(few_texts):
        for indices in inference_batches(split.lengths, EVAL_BATCH_SIZE):
            ids, lengths, _ = split.padded(indices)
            ids, lengths = to_device(device, ids, lengths)
            with autocast(device):
                logits = model(ids, lengths)
            probabilities[indices] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    return probabilities


class TorchBackend:
    name = "torch"
    weights_file = "weights.safetensors"

    def __init__(self, device: str = "auto"):
        self.device = pick_device(device)
        self.device_name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"

    def build(self, spec: ModelSpec, seed: int = 0):
        seed_everything(seed)  # the initial weights are part of what a seed reproduces
        return RecurrentClassifier(spec)

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
