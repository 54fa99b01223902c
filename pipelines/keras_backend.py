"""The Keras backend: the `Backend` protocol of backends.py for the Keras zoo.

Imported only through `backend_for("keras")`, because importing TensorFlow
takes seconds. Models are saved whole as `model.keras` and loaded with
`safe_mode=True` (no Python code runs from a file); runs train on the GPU when
TensorFlow sees one and on the CPU otherwise. The inference pass lives here;
the training loop (`pipelines.training.keras_loop`) uses it for validation.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # the trainer is a TensorFlow loop
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from .encoding import EVAL_BATCH_SIZE, EncodedSplit, inference_batches  # noqa: E402
from .models.keras_zoo import build_keras_model, count_keras_parameters  # noqa: E402  (also registers our layers)
from .models.spec import ModelSpec, parameter_count  # noqa: E402

if keras.backend.backend() != "tensorflow":
    raise ImportError(f"the Keras backend needs KERAS_BACKEND=tensorflow, not {keras.backend.backend()!r}")

TOKEN_IDS_SPEC = tf.TensorSpec(shape=(None, None), dtype=tf.int32)  # (batch, time), any length


def _logits(model: keras.Model, token_ids: tf.Tensor) -> tf.Tensor:
    return model(token_ids, training=False)  # (batch, classes)


def logits_function(model: keras.Model):
    """The model's inference pass as one traced function, kept on the model so that it is traced once.

    Traced functions are built from `functools.partial`s: TensorFlow counts
    traces per code object, and would otherwise warn about "retracing" when a
    zoo builds one function per model. Keras layers need no AutoGraph (their
    loops are TensorFlow loops already), so it is off, as in Keras's own trainer.
    """
    function = model.__dict__.get("_rnnlens_logits")
    if function is None:
        function = tf.function(functools.partial(_logits, model), input_signature=[TOKEN_IDS_SPEC], autograph=False)
        object.__setattr__(model, "_rnnlens_logits", function)  # outside Keras's attribute tracking
    return function


def predict_probabilities(model: keras.Model, split: EncodedSplit) -> np.ndarray:
    """Class probabilities (examples, classes) in the split's order."""
    logits_of = logits_function(model)
    probabilities = np.zeros((len(split), model.output_shape[-1]), dtype=np.float32)
    for indices in inference_batches(split.lengths, EVAL_BATCH_SIZE):
        ids, _, _ = split.padded(indices)
        logits = logits_of(tf.constant(ids, dtype=tf.int32))
        probabilities[indices] = tf.nn.softmax(logits, axis=-1).numpy()
    return probabilities


def pick_tf_device(name: str = "auto") -> tuple[str, str]:
    """(TensorFlow device string, readable name) for auto | cpu | cuda."""
    gpus = tf.config.list_physical_devices("GPU")
    if name == "auto":
        name = "cuda" if gpus else "cpu"
    if name == "cuda" and not gpus:
        raise ValueError("--device cuda was asked for, but TensorFlow sees no GPU; use --device auto or cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"--device must be auto, cpu or cuda, got {name!r}")
    if name == "cpu":
        return "/CPU:0", "cpu"
    try:  # take GPU memory as needed, not all of it up front: PyTorch may share the GPU (--framework both)
        tf.config.experimental.set_memory_growth(gpus[0], True)
    except RuntimeError:
        pass  # TensorFlow has started on the GPU already; its setting stays
    details = tf.config.experimental.get_device_details(gpus[0])
    return "/GPU:0", details.get("device_name", "GPU")


class KerasBackend:
    name = "keras"
    weights_file = "model.keras"

    def __init__(self, device: str = "auto"):
        self.device, self.device_name = pick_tf_device(device)

    def build(self, spec: ModelSpec, seed: int = 0) -> keras.Model:
        keras.utils.set_random_seed(seed)  # the initial weights are part of what a seed reproduces
        with tf.device(self.device):
            return build_keras_model(spec)

    def predict(self, model, split: EncodedSplit) -> np.ndarray:
        with tf.device(self.device):
            return predict_probabilities(model, split)

    def parameter_count(self, model) -> int:
        return count_keras_parameters(model)

    def save(self, model, path: Path) -> None:
        model.save(str(path))  # path ends in .keras: the store keeps the suffix on its temporary name

    def load(self, spec: ModelSpec, path: Path) -> keras.Model:
        with tf.device(self.device):
            model = keras.models.load_model(str(path), safe_mode=True, compile=False)
        if count_keras_parameters(model) != parameter_count(spec, "keras"):  # the file holds another architecture
            raise ValueError(f"{path} does not hold a model of this run's spec ({spec.short_name()})")
        return model

    def versions(self) -> dict:
        return {"tensorflow": tf.__version__, "keras": keras.__version__}

