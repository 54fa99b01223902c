"""The forms a finished PyTorch run can be deployed in, each behind one call: token ids in, probabilities out.

    float  PyTorch eager, float32: the run as trained
    int8   PyTorch dynamic int8 (`torch.ao.quantization.quantize_dynamic`): the LSTM/GRU and linear layers'
           weights as int8, activations quantised on the fly; the embedding table as 8-bit rows (one scale
           and offset per word), since it holds most of a model's numbers
    onnx   the float model exported to ONNX and run by ONNX Runtime

A plain RNN's recurrent layer has no dynamic int8 kernel in PyTorch: it stays float32 (the variant says so).
"""

from __future__ import annotations

import copy
import io
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..models.torch_zoo import RecurrentClassifier

ONNX_PINS = "onnx==1.23.2 onnxruntime==1.32.0"  # the exporter writes with onnx; ONNX Runtime runs the result
# Layers with a dynamic int8 kernel, and the embedding table's weight-only 8-bit form.
QUANTISED_TYPES = (nn.LSTM, nn.GRU, nn.Linear)


class ExportError(ValueError):
    """The model cannot be exported to ONNX; the message names the layer."""


@dataclass
class Variant:
    name: str  # float | int8 | onnx
    title: str
    # (ids (batch, time) int64, lengths (batch,) int64, one_thread) -> probabilities (batch, classes) float32
    predict: Callable[[np.ndarray, np.ndarray, bool], np.ndarray]
    size_bytes: int
    notes: list[str] = field(default_factory=list)


def _torch_predict(model: nn.Module) -> Callable[[np.ndarray, np.ndarray, bool], np.ndarray]:
    from ..threads import single_thread

    def predict(ids: np.ndarray, lengths: np.ndarray, one_thread: bool) -> np.ndarray:
        with torch.inference_mode(), single_thread(one_thread):
            logits = model(torch.from_numpy(ids), torch.from_numpy(lengths))  # (batch, classes)
            return torch.softmax(logits.float(), dim=-1).numpy()

    return predict


def float_variant(model: RecurrentClassifier, weights_bytes: int) -> Variant:
    return Variant("float", "PyTorch float32 (eager)", _torch_predict(model.eval()), weights_bytes)


def int8_variant(model: RecurrentClassifier) -> Variant:
    from torch.ao.quantization import default_dynamic_qconfig, float_qparams_weight_only_qconfig, quantize_dynamic

    qconfigs = {kind: default_dynamic_qconfig for kind in QUANTISED_TYPES}
    qconfigs[nn.Embedding] = float_qparams_weight_only_qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's notice that torchao is its successor
        quantised = quantize_dynamic(copy.deepcopy(model).eval(), qconfigs, dtype=torch.qint8)
    buffer = io.BytesIO()
    # Packed int8 weights have no safetensors form: this is the size PyTorch's own file of them takes. It is
    # written to memory only, never to the store, and never loaded (no pickle is ever read).
    torch.save(quantised.state_dict(), buffer)
    notes = []
    if model.spec.cell == "rnn":
        notes.append("a plain RNN's recurrent layer has no dynamic int8 kernel in PyTorch: it stays float32")
    return Variant("int8", "PyTorch dynamic int8", _torch_predict(quantised), len(buffer.getbuffer()), notes)


def _module_inputs(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor) -> list[tuple[str, nn.Module, tuple]]:
    """Every submodule with the inputs it received in one eager forward pass, deepest first."""
    seen: list[tuple[str, nn.Module, tuple]] = []
    hooks = [module.register_forward_pre_hook(lambda module, args, name=name: seen.append((name, module, args)))
             for name, module in model.named_modules() if name]  # fmt: skip
    try:
        with torch.no_grad():
            model(ids, lengths)
    finally:
        for hook in hooks:
            hook.remove()
    return sorted(seen, key=lambda item: -item[0].count("."))


def _export(module: nn.Module, args: tuple, dynamic: bool) -> bytes:
    buffer = io.BytesIO()
    names = ["token_ids", "lengths"][: len(args)] if dynamic else None
    axes = {"token_ids": {0: "batch", 1: "time"}, "lengths": {0: "batch"}, "logits": {0: "batch"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python values; the graph is checked against eager
        # The TorchScript exporter: torch 2.13's dynamo exporter took 12 s on a tiny BiGRU and gave a graph that
        # failed on other text lengths under ONNX Runtime (BENCHMARKS.md); this one exports LSTM/GRU as ONNX's own ops.
        torch.onnx.export(module, args, buffer, dynamo=False, input_names=names,
                          output_names=["logits"] if dynamic else None, dynamic_axes=axes if dynamic else None)  # fmt: skip
    return buffer.getvalue()


def export_onnx(model: RecurrentClassifier) -> bytes:
    """The float model as ONNX bytes, batch and text length left free; ExportError naming the layer that fails."""
    ids = torch.tensor([[2, 3, 4, 5], [2, 3, 0, 0]], dtype=torch.int64)  # with padding: the general code path
    lengths = torch.tensor([4, 2], dtype=torch.int64)
    try:
        return _export(model.eval(), (ids, lengths), dynamic=True)
    except Exception as error:
        for name, module, args in _module_inputs(model, ids, lengths):
            try:
                _export(module, args, dynamic=False)
            except Exception as layer_error:
                raise ExportError(f"layer {name} ({type(module).__name__}) cannot be exported to ONNX: "
                                  f"{_first_line(layer_error)}") from error  # fmt: skip
        raise ExportError(f"the model cannot be exported to ONNX: {_first_line(error)}") from error


def onnx_variant(model: RecurrentClassifier) -> Variant:
    """ONNX Runtime on the exported float model; ImportError when ONNX Runtime (or onnx) is not installed."""
    try:
        import onnx  # noqa: F401  (torch's exporter needs it, and says so only once it has traced the model)
        import onnxruntime
    except ImportError as error:
        raise ImportError(f"ONNX Runtime is not installed ({error}; pip install {ONNX_PINS})") from error
    model_bytes = export_onnx(model)

    def session(threads: int):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3  # errors only
        return onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])

    # One text: one thread, as in PyTorch (pipelines/threads.py says why); batches: every core (0 = all).
    try:
        one, every = session(1), session(0)
    except Exception as error:  # ONNX Runtime's own error types: a graph it cannot load or run
        raise ExportError(f"ONNX Runtime cannot load the exported model: {_first_line(error)}") from error

    def predict(ids: np.ndarray, lengths: np.ndarray, one_thread: bool) -> np.ndarray:
        logits = (one if one_thread else every).run(None, {"token_ids": ids, "lengths": lengths})[0]
        return _softmax(logits)

    return Variant("onnx", f"ONNX Runtime {onnxruntime.__version__} float32", predict, len(model_bytes))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"
