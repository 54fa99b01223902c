"""One text through one run: tokens, prediction, every layer's states and gates, word attributions.

    explanation = run.explain("A gorgeous, moving film.")  # = explain(run, text)
    explanation.probabilities                              # (classes,)
    explanation.layer(0, "forward").values["forget"]       # (tokens read, hidden)
    explanation.attributions["integrated_gradients"].scores  # (tokens read,)
    explanation.to_json()                                  # plain lists, numbers and strings

Everything a page draws is computed here; a page needs neither the model nor
maths of its own. A Keras run is explained through its PyTorch twin
(`run.torch_model()`: the same weights converted, outputs equal to 1e-5), so
callers never ask which framework made a run. Text comes back as plain text, never HTML: escaping it
is the renderer's job.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Protocol, Sequence

import numpy as np
import torch

from ..data.text import TokenInfo, Vocabulary, read_tokens
from ..models.spec import ModelSpec
from ..models.torch_zoo import RecurrentClassifier
from .attributions import (
    IG_TOLERANCE, METHODS, IntegratedGradients, attribution_pass, check_ig_steps, log_odds, padding_baseline,
    unit_contributions,
)  # fmt: skip
from .internals import DIRECTIONS, LayerStates, prefix_probabilities, read_layers

DEFAULT_METHODS = tuple(METHODS)
EXPLAINED_OUTPUT = "log-odds of the target class, log(P / (1 - P))"
BASELINE = "every token replaced by padding (PAD's embedding, all zeros)"
NO_TRAJECTORY_WHEN_BIDIRECTIONAL = (
    "a bidirectional model has no prediction after a prefix: its backward direction starts at the last "
    "word, so at every token the model has already read the whole text"
)


class ExplainableRun(Protocol):
    """What explaining needs of a loaded run; `pipelines.runs.LoadedRun` is one."""

    run_id: str
    dataset: str
    label: str
    classes: list[str]
    vocabulary: Vocabulary
    spec: ModelSpec

    def torch_model(self) -> RecurrentClassifier: ...


@dataclass
class Attribution:
    method: str  # a key of METHODS
    title: str
    paper: str
    scores: np.ndarray  # (tokens read,) in log-odds of the target class
    signed: bool  # False: magnitudes (Saliency), draw on a one-sided scale
    delta: float | None  # convergence delta, for the methods that have one
    steps: int | None = None  # Integrated Gradients: the path points used (fewer than asked when they agree)

    @property
    def max_abs(self) -> float:
        """The colour scale's end: the largest |score| (0 when every score is 0)."""
        return float(np.abs(self.scores).max(initial=0.0))

    def to_json(self) -> dict:
        return {**asdict(self), "scores": self.scores.tolist(), "max_abs": self.max_abs}


@dataclass
class Explanation:
    run_id: str
    dataset: str
    label: str  # e.g. "BiLSTM 1×128 (torch)"
    cell: str  # rnn | lstm | gru: which `values` each layer has
    text: str  # as given; token spans index into it
    tokens: list[TokenInfo]  # every token of the text; arrays cover the first `read` of them
    truncated: int  # tokens cut by the vocabulary's maxlen
    maxlen: int
    classes: list[str]
    probabilities: np.ndarray  # (classes,)
    predicted: int
    target: int  # the class the attributions and unit contributions explain
    log_odds: np.ndarray  # (classes,) log(P / (1 - P)): the output attributions explain
    baseline_log_odds: np.ndarray  # (classes,) the same with every token replaced by padding
    layers: list[LayerStates]  # every layer and direction, in the model's order
    trajectory: np.ndarray | None  # (tokens read, classes): the prediction after each prefix
    trajectory_note: str | None  # why there is no trajectory
    attributions: dict[str, Attribution]
    seconds: dict[str, float]  # time spent on each part

    @property
    def directions(self) -> tuple[str, ...]:
        """The directions each layer reads in: ("forward",) or ("forward", "backward")."""
        return tuple(direction for direction in DIRECTIONS if any(s.direction == direction for s in self.layers))

    @property
    def depth(self) -> int:
        """How many recurrent layers the model has."""
        return max(states.layer for states in self.layers) + 1

    @property
    def read(self) -> int:
        """How many tokens the model read (the length of every per-token array)."""
        return len(self.tokens) - self.truncated

    @property
    def read_tokens(self) -> list[TokenInfo]:
        return self.tokens[: self.read]

    @property
    def predicted_class(self) -> str:
        return self.classes[self.predicted]

    @property
    def target_class(self) -> str:
        return self.classes[self.target]

    def layer(self, layer: int, direction: str = "forward") -> LayerStates:
        for states in self.layers:
            if states.layer == layer and states.direction == direction:
                return states
        raise ValueError(f"{self.label} has no layer {layer} reading {direction}")

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "dataset": self.dataset,
            "label": self.label,
            "cell": self.cell,
            "text": self.text,
            "tokens": [asdict(token) for token in self.tokens],
            "read": self.read,
            "truncated": self.truncated,
            "maxlen": self.maxlen,
            "classes": list(self.classes),
            "probabilities": self.probabilities.tolist(),
            "predicted": self.predicted,
            "target": self.target,
            "log_odds": self.log_odds.tolist(),
            "baseline_log_odds": self.baseline_log_odds.tolist(),
            "explained_output": EXPLAINED_OUTPUT,
            "baseline": BASELINE,
            "layers": [states.to_json() for states in self.layers],
            "trajectory": None if self.trajectory is None else self.trajectory.tolist(),
            "trajectory_note": self.trajectory_note,
            "attributions": {name: attribution.to_json() for name, attribution in self.attributions.items()},
            "seconds": dict(self.seconds),
        }


def explain(
    run: ExplainableRun,
    text: str,
    methods: Sequence[str] = DEFAULT_METHODS,
    ig_steps: int = 32,
    target: int | str | None = None,
    ig_tolerance: float | None = IG_TOLERANCE,
) -> Explanation:
    """Read `text` with `run`'s model and explain its prediction.

    Args:
        run: a loaded, finished run (`pipelines.runs.load_run`), any framework.
        text: what to read; cut to the vocabulary's first `maxlen` tokens.
        methods: attribution methods, keys of METHODS (all five by default).
        ig_steps: Integrated Gradients' path points (Gauss-Legendre), at most.
        target: the class to explain, by index or name; the predicted one by default.
        ig_tolerance: take 8 path points where the 4- and 8-point scores agree to this fraction (and the delta
            is within it); None takes exactly `ig_steps` (`IntegratedGradients`).

    Returns an `Explanation`. Raises ValueError for a text without tokens, an
    unknown method or class, or a bad step count.

        explanation = explain(run, "A gorgeous, moving film.", methods=["integrated_gradients"])
    """
    methods = _checked_methods(methods, ig_steps)
    requested_target = _class_index(target, run.classes)
    tokens = _tokens(text, run.vocabulary)
    model = run.torch_model()
    read = sum(not token.truncated for token in tokens)
    device = model.embedding.weight.device
    token_ids = torch.tensor([[token.id for token in tokens[:read]]], device=device)  # (1, time)
    lengths = torch.tensor([read], device=device)
    laps = _Laps()

    with attribution_pass(model):  # eval mode, one thread on the CPU, one explanation at a time
        with torch.inference_mode():
            logits = model(token_ids, lengths)  # (1, classes)
            embedded = model.embedding(token_ids)  # (1, time, embedding)
            baseline_logits = model.forward_embedded(padding_baseline(model, embedded), lengths)
        predicted = int(logits.argmax())
        target_index = predicted if requested_target is None else requested_target
        laps("prediction")
        layers = read_layers(model, embedded[0])
        laps("states")
        trajectory = None if model.spec.bidirectional else prefix_probabilities(model, layers[-1].hidden)
        laps("trajectory")
        _set_unit_contributions(layers, unit_contributions(model, token_ids, lengths, target_index))
        laps("units")
        attributions = {}
        for name in methods:
            attributions[name] = _attribution(model, name, ig_steps, ig_tolerance, token_ids, lengths, target_index)
            laps(name)

    return Explanation(
        run_id=run.run_id, dataset=run.dataset, label=run.label, cell=run.spec.cell, text=text, tokens=tokens,
        truncated=len(tokens) - read, maxlen=run.vocabulary.maxlen, classes=list(run.classes),
        probabilities=_numpy(torch.softmax(logits, dim=-1)[0]), predicted=predicted, target=target_index,
        log_odds=_numpy(log_odds(logits)[0]), baseline_log_odds=_numpy(log_odds(baseline_logits)[0]), layers=layers,
        trajectory=trajectory, trajectory_note=None if trajectory is not None else NO_TRAJECTORY_WHEN_BIDIRECTIONAL,
        attributions=attributions, seconds=laps.seconds,
    )  # fmt: skip


def _tokens(text: str, vocabulary: Vocabulary) -> list[TokenInfo]:
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    tokens = read_tokens(text, vocabulary)
    if not tokens:
        raise ValueError("there is nothing to explain: the text has no words or symbols; type a sentence")
    return tokens


def _checked_methods(methods: Sequence[str], ig_steps: int) -> list[str]:
    if isinstance(methods, str):
        raise ValueError("methods must be a list of method names, e.g. ['integrated_gradients']")
    methods = list(dict.fromkeys(methods))
    unknown = [name for name in methods if name not in METHODS]
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise ValueError(f"unknown attribution method {names}; choose from: {', '.join(METHODS)}")
    check_ig_steps(ig_steps)
    return methods


def _attribution(model, name: str, ig_steps: int, ig_tolerance: float | None, token_ids, lengths,
                 target: int) -> Attribution:  # fmt: skip
    if name == IntegratedGradients.name:
        method = IntegratedGradients(model, steps=ig_steps, tolerance=ig_tolerance)
    else:
        method = METHODS[name](model)
    result = method.attribute(token_ids, lengths, target)
    delta = None if result.delta is None else float(result.delta[0])
    return Attribution(name, method.title, method.paper, result.scores[0], method.signed, delta, result.steps)


class _Laps:
    """Seconds spent on each part, in order."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, part: str) -> None:
        now = time.perf_counter()
        self.seconds[part] = now - self._last
        self._last = now


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def _class_index(target: int | str | None, classes: Sequence[str]) -> int | None:
    if target is None:
        return None
    if isinstance(target, str) and target in classes:
        return list(classes).index(target)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and 0 <= target < len(classes):
        return int(target)
    raise ValueError(f"unknown target class {target!r}; choose one of {', '.join(classes)} or its index")


def _set_unit_contributions(layers: list[LayerStates], contributions: list[torch.Tensor]) -> None:
    for states in layers:
        per_unit = contributions[states.layer].float().cpu().numpy()  # (directions*hidden,)
        hidden_size = states.hidden.shape[1]
        offset = 0 if states.direction == "forward" else hidden_size
        states.set_contribution(per_unit[offset : offset + hidden_size])
