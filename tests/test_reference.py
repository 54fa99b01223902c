"""Three implementations that agree: PyTorch, Keras and the NumPy reference, on tiny trained models.

Each architecture is trained once per framework (8 epochs on 48 texts) and
kept for every test here, so Keras traces each model's steps only once.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from pipelines.backends import backend_for
from pipelines.training.config import TrainConfig
from pipelines.training.train import fit
from pipelines.models.convert import (
    keras_to_torch_state, reference_from_keras, reference_from_torch, torch_state_to_keras,
)  # fmt: skip
from pipelines.models.reference import ReferenceModel, run_direction
from pipelines.models.spec import ModelSpec, parameter_count
from pipelines.models.torch_zoo import RecurrentClassifier, count_parameters
from pipelines.models.zoos import full_zoo, quick_zoo, sweep_zoo
from tiny_zoo import CLASSES, lean_tensorflow, one_thread_for_torch, other_poolings, tiny_splits, zoo_architectures

TOLERANCE = 1e-5
TRAIN, VALIDATION, TEST, VOCABULARY = tiny_splits()
CONFIG = TrainConfig(epochs=8, batch_size=16, learning_rate=0.1, seed=0)
ARCHITECTURES = zoo_architectures()  # trained in both frameworks
POOLINGS = other_poolings()  # trained in PyTorch; Keras runs them with the converted weights
name = lambda spec: spec.short_name() + ("-bn" if spec.batch_norm else "")  # noqa: E731


one_thread = pytest.fixture(scope="module", autouse=True)(one_thread_for_torch)


def resolved(spec: ModelSpec) -> ModelSpec:
    return spec.resolved(len(VOCABULARY), CLASSES)


@functools.cache
def torch_backend():
    return backend_for("torch", "cpu")


@functools.cache
def keras_backend():
    lean_tensorflow()
    return backend_for("keras", "cpu")


@functools.cache
def trained_torch(spec: ModelSpec) -> RecurrentClassifier:
    backend = torch_backend()
    model = backend.build(resolved(spec), seed=0)
    fit(backend, model, TRAIN, VALIDATION, CONFIG)
    return model.eval()


@functools.cache
def keras_model(spec: ModelSpec):
    """Trained by the Keras trainer for the zoo's shapes; built only (weights come from PyTorch) for the others."""
    backend = keras_backend()
    model = backend.build(resolved(spec), seed=0)
    if spec in ARCHITECTURES:
        fit(backend, model, TRAIN, VALIDATION, CONFIG)
    return model


def torch_probabilities(model) -> np.ndarray:
    return torch_backend().predict(model, TEST)


def keras_probabilities(model) -> np.ndarray:
    return keras_backend().predict(model, TEST)


def reference_probabilities(reference: ReferenceModel) -> np.ndarray:
    ids, lengths, _ = TEST.padded(np.arange(len(TEST)))  # one batch: every row but the longest is padded
    return reference.predict_proba(ids, lengths)


def assert_agree(actual: np.ndarray, expected: np.ndarray) -> None:
    assert np.abs(actual - expected).max() <= TOLERANCE
    assert (actual.argmax(1) == expected.argmax(1)).all()


def assert_trained(probabilities: np.ndarray) -> None:
    """Outputs that differ between texts (by hundreds of times the tolerance), so that agreeing means something."""
    assert np.ptp(probabilities, axis=0).max() > 400 * TOLERANCE


@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_reference_reproduces_pytorch(spec):
    model = trained_torch(spec)
    expected = torch_probabilities(model)
    assert_trained(expected)
    assert_agree(reference_probabilities(reference_from_torch(model.spec, model.state_dict())), expected)


@pytest.mark.parametrize("spec", ARCHITECTURES, ids=name)
def test_reference_reproduces_keras(spec):
    model = keras_model(spec)
    expected = keras_probabilities(model)
    assert_trained(expected)
    assert_agree(reference_probabilities(reference_from_keras(resolved(spec), model)), expected)


@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_pytorch_weights_to_keras_and_back(spec):
    torch_model, model = trained_torch(spec), keras_model(spec)
    expected = torch_probabilities(torch_model)
    own_weights = model.get_weights()
    try:
        torch_state_to_keras(torch_model.spec, torch_model.state_dict(), model)
        assert_agree(keras_probabilities(model), expected)
        assert_agree(reference_probabilities(reference_from_keras(torch_model.spec, model)), expected)
        round_trip = RecurrentClassifier(torch_model.spec)
        round_trip.load_state_dict(keras_to_torch_state(torch_model.spec, model))  # strict
        assert_agree(torch_probabilities(round_trip.eval()), expected)
    finally:
        model.set_weights(own_weights)


@pytest.mark.parametrize("spec", ARCHITECTURES, ids=name)
def test_keras_trained_weights_to_pytorch(spec):
    """Keras's single LSTM/RNN bias and its GRU's (2, 3H) bias land where PyTorch expects them."""
    model = keras_model(spec)
    converted = RecurrentClassifier(resolved(spec))
    converted.load_state_dict(keras_to_torch_state(resolved(spec), model))
    assert_agree(torch_probabilities(converted.eval()), keras_probabilities(model))


@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_parameter_counts_agree_with_the_formulas(spec):
    torch_model, model = trained_torch(spec), keras_model(spec)
    reference = reference_from_torch(torch_model.spec, torch_model.state_dict())
    counts_torch = {count_parameters(torch_model), parameter_count(torch_model.spec), reference.parameter_count()}
    counts_keras = {keras_backend().parameter_count(model), parameter_count(resolved(spec), "keras"),
                    reference_from_keras(resolved(spec), model).parameter_count()}  # fmt: skip
    assert len(counts_torch) == 1 and len(counts_keras) == 1
    difference = {"rnn": 1, "lstm": 4, "gru": 0}[spec.cell] * spec.hidden_size * spec.directions * spec.layers
    assert counts_torch.pop() - counts_keras.pop() == difference  # PyTorch's second bias vector


def test_keras_formula_matches_full_size_models():
    from pipelines.models.keras_zoo import build_keras_model, count_keras_parameters

    shapes = {}
    for spec in quick_zoo() + full_zoo() + sweep_zoo():
        shapes.setdefault((spec.cell, spec.bidirectional, spec.layers, spec.head, spec.hidden_size), spec)
    for spec in shapes.values():
        spec = spec.resolved(vocab_size=50, num_classes=3)
        assert count_keras_parameters(build_keras_model(spec)) == parameter_count(spec, "keras"), spec.short_name()


@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_keras_padding_never_changes_the_output(spec):
    from pipelines.keras_backend import logits_function

    logits_of = logits_function(keras_model(spec))
    ids, _, _ = TEST.padded(np.arange(8))
    batched = logits_of(ids.astype(np.int32)).numpy()
    more_padding = logits_of(np.pad(ids, ((0, 0), (0, 7))).astype(np.int32)).numpy()
    one_by_one = np.concatenate([logits_of(row[row != 0][None, :].astype(np.int32)).numpy() for row in ids])
    # float32 sums over other batch shapes round differently (~1e-6 on trained logits); padding would show as more
    np.testing.assert_allclose(more_padding, batched, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(one_by_one, batched, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_reference_states_are_pytorchs_layer_outputs(spec):
    """Every layer's and direction's states, aligned to tokens, as the PyTorch encoder computes them."""
    model = trained_torch(spec)
    reference = reference_from_torch(model.spec, model.state_dict())
    ids, lengths, _ = TEST.padded(np.arange(len(TEST)))
    with torch.no_grad():
        embedded = model.embedding(torch.from_numpy(ids))
        layer_outputs = [output.numpy() for output in model.encoder(embedded, torch.from_numpy(lengths))]
    forward = reference.forward(ids, lengths)
    real = (np.arange(ids.shape[1])[None, :] < lengths[:, None])[..., None]
    hidden = spec.hidden_size
    for trace in forward.traces:
        offset = 0 if trace.direction == "forward" else hidden
        expected = layer_outputs[trace.layer][..., offset : offset + hidden]
        # float32 PyTorch against the float64 reference: the rounding grows with depth (1.2e-6 seen at 3 layers)
        np.testing.assert_allclose(np.where(real, trace.hidden, 0), np.where(real, expected, 0), atol=TOLERANCE)
    # One text traced alone gives the batch's values at its real tokens.
    row = 2  # the 30-token text
    one = reference.trace(ids[row, : lengths[row]])
    np.testing.assert_allclose(one.probabilities, forward.probabilities[row], atol=1e-12)
    for alone, batched in zip(one.traces, forward.traces):
        np.testing.assert_allclose(alone.hidden, batched.hidden[row, : lengths[row]], atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_trace_gates_follow_the_equations_in_both_directions(cell):
    spec = next(s for s in ARCHITECTURES if s.cell == cell and s.bidirectional)
    model = trained_torch(spec)
    trace = reference_from_torch(model.spec, model.state_dict()).trace(TEST.ids[2])
    for direction in ("forward", "backward"):
        values = trace.direction(0, direction)
        previous = lambda a: np.vstack([np.zeros((1, a.shape[1])), a[:-1]])  # noqa: E731  the state one token earlier
        if direction == "backward":  # read from the end: the previous state is the next token's
            previous = lambda a: np.vstack([a[1:], np.zeros((1, a.shape[1]))])  # noqa: E731
        gates = values.gates
        assert all(((0 < gate) & (gate < 1)).all() for gate in gates.values())
        if cell == "lstm":
            assert set(gates) == {"input", "forget", "output"}
            cell_state = gates["forget"] * previous(values.cell) + gates["input"] * values.candidate
            np.testing.assert_allclose(values.cell, cell_state)
            np.testing.assert_allclose(values.hidden, gates["output"] * np.tanh(values.cell))
        else:
            assert set(gates) == {"reset", "update"} and values.cell is None
            mixed = (1 - gates["update"]) * values.candidate + gates["update"] * previous(values.hidden)
            np.testing.assert_allclose(values.hidden, mixed)
    with torch.no_grad():  # PyTorch's final cell state of the first layer's forward direction
        embedded = model.embedding(torch.from_numpy(TEST.ids[2])[None, :])
        _, state = model.encoder.layers[0].forward_rnn(embedded)
    if cell == "lstm":
        # float32 against float64: a cell state can grow to tens, where float32 keeps ~7 significant digits
        np.testing.assert_allclose(trace.direction(0).cell[-1], state[1][0, 0].numpy(), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("reset_after", [True, False])
def test_reference_gru_follows_both_keras_conventions(reset_after):
    """Keras's older GRU (reset before the recurrent matmul) too, though the zoo uses reset_after=True."""
    import keras

    from pipelines.models.convert import _keras_cell, torch_state_from_reference

    keras.utils.set_random_seed(3)
    layer = keras.layers.GRU(5, reset_after=reset_after, return_sequences=True, bias_initializer="random_normal")
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype(np.float32)
    expected = layer(x).numpy()
    weights = _keras_cell("gru", layer)
    assert weights.reset_after == reset_after
    np.testing.assert_allclose(run_direction(x.astype(np.float64), weights)["hidden"], expected, atol=1e-6)
    if not reset_after:
        spec = ModelSpec(cell="gru", hidden_size=5, embedding_size=3).resolved(10, 2)
        reference = reference_from_torch(spec, RecurrentClassifier(spec).state_dict())
        reference.recurrent[0][0] = weights
        with pytest.raises(ValueError, match="no PyTorch equivalent"):
            torch_state_from_reference(reference)


def test_reference_rejects_bad_input():
    spec = ARCHITECTURES[0]
    model = trained_torch(spec)
    reference = reference_from_torch(model.spec, model.state_dict())
    with pytest.raises(ValueError, match="at least one token"):
        reference.trace([])
    with pytest.raises(ValueError, match="batch, time"):
        reference.forward(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="no layer 5"):
        reference.trace([2, 3]).direction(5)


def loaded(spec: ModelSpec, framework: str):
    """A tiny trained model wrapped as `load_run` would return it, for the functions that take a run."""
    from types import SimpleNamespace

    from pipelines.runs import LoadedRun

    model = trained_torch(spec) if framework == "torch" else keras_model(spec)
    backend = torch_backend() if framework == "torch" else keras_backend()
    record = SimpleNamespace(run_id=f"{framework}-{name(spec)}", dataset="tiny")
    return LoadedRun(record, resolved(spec), ["negative", "neutral", "positive"], VOCABULARY, backend, model)


@pytest.mark.parametrize("framework", ["torch", "keras"])
@pytest.mark.parametrize("spec", ARCHITECTURES + POOLINGS, ids=name)
def test_one_text_token_by_token_agrees_everywhere(spec, framework):
    """compare_text: every state and gate the Glass box page shows, framework against reference."""
    from pipelines.verify import compare_text

    run = loaded(spec, framework)
    if framework == "keras" and spec in POOLINGS:
        run.model.set_weights(torch_state_to_keras(run.spec, trained_torch(spec).state_dict()).get_weights())
    for text in ("great film but the plot was dull", "", "zzz unknown words only"):
        comparison = compare_text(run, text)
        assert comparison.max_difference <= TOLERANCE, (text, comparison.max_difference)
        assert len(comparison.directions) == spec.layers * spec.directions
        for direction in comparison.directions:
            shape = (len(comparison.tokens), spec.hidden_size)
            assert all(values.shape == shape for values in direction.reference.values())
            exposed = direction.framework_hidden is not None
            last_only = framework == "keras" and spec.pooling == "last" and direction.layer == spec.layers - 1
            assert exposed != last_only  # Keras keeps only the last state of a "last"-pooled top layer
            gates = {"rnn": set(), "lstm": {"input", "forget", "output"}, "gru": {"reset", "update"}}[spec.cell]
            assert gates <= set(direction.reference) and gates <= set(direction.stepped)
        np.testing.assert_allclose(comparison.framework_probabilities, run.predict_proba([text])[0], atol=1e-7)
    assert compare_text(run, "").tokens == ["<unk>"]
