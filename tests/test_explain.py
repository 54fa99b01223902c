"""The explanation API on small untrained models whose answers we can check: states, gates, attributions."""

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from pipelines.backends import TorchBackend
from pipelines.cli import ATTRIBUTION_METHODS
from pipelines.data.text import Vocabulary
from pipelines.explain import METHODS, aggregate_word_attributions, explain
from pipelines.explain.attributions import IntegratedGradients, Occlusion
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier
from pipelines.runs import LoadedRun
from pipelines.store import RunRecord

WORDS = ["the", "film", "was", "great", "dull", "plot", "a", "moving", "story", "<", ">", "script", "(", ")", "1"]
VOCABULARY = Vocabulary(["<pad>", "<unk>", *WORDS], maxlen=24)
CLASSES = ["negative", "positive"]
TEXT = "The film was great, a moving story; the plot was dull."  # "," ";" "." are unknown words


def loaded_run(model, vocabulary=VOCABULARY, classes=CLASSES, dataset="test-data"):
    record = RunRecord(dataset, f"torch-{model.spec.short_name()}-test", Path("unused"), "done")
    return LoadedRun(record, model.spec, list(classes), vocabulary, TorchBackend("cpu"), model)


def tiny_model(cell="lstm", bidirectional=False, layers=1, pooling="max", head=(), batch_norm=False, seed=0,
               scale=3.0, classes=2, vocab_size=None):  # fmt: skip
    """An untrained model with weights scaled up, so gates spread over (0, 1) and predictions move."""
    torch.manual_seed(seed)
    spec = ModelSpec(cell=cell, bidirectional=bidirectional, layers=layers, hidden_size=6, embedding_size=5,
                     pooling=pooling, head=head, batch_norm=batch_norm)  # fmt: skip
    model = RecurrentClassifier(spec.resolved(vocab_size or len(VOCABULARY), classes))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "embedding" in name:
                parameter.mul_(20.0)  # from +-0.05 to +-1
            elif "rnn" in name or "weight" in name and parameter.dim() == 2:  # recurrent and dense weights
                parameter.mul_(scale)
    return model.eval()


def model_probabilities(model, ids):
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(ids)), -1)


def log_odds(model, ids=None, embedded=None):
    """What the attributions explain, log(P / (1 - P)) of each class, from two classes' logits (texts, 2)."""
    with torch.no_grad():
        if embedded is None:
            logits = model(torch.as_tensor(ids), torch.tensor([len(ids[0])]))
        else:
            logits = model.forward_embedded(embedded, torch.tensor([embedded.shape[1]]))
    return torch.stack([logits[:, 0] - logits[:, 1], logits[:, 1] - logits[:, 0]], dim=1)


# ----------------------------------------------------------------------------
# Hidden states, gates and the trajectory, from the trained weights


EVERY_ARCHITECTURE = list(itertools.product(("rnn", "lstm", "gru"), (False, True), (1, 2, 3)))


@pytest.mark.parametrize("cell,bidirectional,layers", EVERY_ARCHITECTURE)
def test_hidden_states_equal_the_models_own_forward_pass(cell, bidirectional, layers):
    model = tiny_model(cell, bidirectional, layers)
    explanation = explain(loaded_run(model), TEXT, methods=())
    ids = torch.tensor([[token.id for token in explanation.read_tokens]])
    with torch.no_grad():
        expected = model.encoder(model.embedding(ids), torch.tensor([ids.shape[1]]))  # every layer's output
    assert len(explanation.layers) == layers * (2 if bidirectional else 1)
    for states in explanation.layers:
        half = slice(0, 6) if states.direction == "forward" else slice(6, 12)
        assert states.hidden.shape == (explanation.read, 6)
        np.testing.assert_allclose(states.hidden, expected[states.layer][0, :, half].numpy(), atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell,gates,values", [
    ("lstm", ("input", "forget", "output"), ("forget", "input", "output", "candidate", "cell")),
    ("gru", ("reset", "update"), ("update", "reset", "candidate")),
    ("rnn", (), ()),
])  # fmt: skip
def test_gates_lie_in_0_1_and_candidates_in_minus_1_1(cell, gates, values):
    model = tiny_model(cell, bidirectional=True, layers=2, scale=6.0)  # saturating weights: values near 0 and 1
    explanation = explain(loaded_run(model), TEXT, methods=())
    for states in explanation.layers:
        assert tuple(states.values) == values and tuple(states.means) == values
        for name in gates:
            assert 0.0 <= states.values[name].min() and states.values[name].max() <= 1.0
            np.testing.assert_allclose(states.means[name], states.values[name].mean(axis=1), rtol=1e-6)
        if "candidate" in values:
            assert np.abs(states.values["candidate"]).max() <= 1.0
        assert np.abs(states.hidden).max() <= 1.0
        np.testing.assert_allclose(states.norm, np.linalg.norm(states.hidden, axis=1), rtol=1e-6)
    if gates:  # the check saw the whole range
        seen = np.concatenate([states.values[name].ravel() for states in explanation.layers for name in gates])
        assert seen.min() < 0.05 and seen.max() > 0.95


def test_lstm_cell_state_follows_its_gates():
    """c_t = f_t * c_(t-1) + i_t * g_t and h_t = o_t * tanh(c_t), from the returned arrays alone."""
    explanation = explain(loaded_run(tiny_model("lstm")), TEXT, methods=())
    states = explanation.layer(0, "forward")
    v = states.values
    previous = np.vstack([np.zeros((1, 6)), v["cell"][:-1]])
    np.testing.assert_allclose(v["cell"], v["forget"] * previous + v["input"] * v["candidate"], atol=1e-6)
    np.testing.assert_allclose(states.hidden, v["output"] * np.tanh(v["cell"]), atol=1e-6)


def test_backward_direction_is_aligned_to_the_tokens():
    """The backward direction's state at the last token has read that token only."""
    model = tiny_model("gru", bidirectional=True)
    explanation = explain(loaded_run(model), TEXT, methods=())
    last_word_only = explain(loaded_run(model), explanation.read_tokens[-1].text, methods=())
    first_word_only = explain(loaded_run(model), explanation.read_tokens[0].text, methods=())
    backward, forward = explanation.layer(0, "backward"), explanation.layer(0, "forward")
    np.testing.assert_allclose(backward.hidden[-1], last_word_only.layer(0, "backward").hidden[0], atol=1e-6)
    np.testing.assert_allclose(forward.hidden[0], first_word_only.layer(0, "forward").hidden[0], atol=1e-6)


@pytest.mark.parametrize("cell,layers,pooling,head", [
    ("lstm", 1, "last", ()), ("gru", 2, "max", (4,)), ("rnn", 1, "mean", (4, 3)), ("lstm", 3, "mean", ()),
])  # fmt: skip
def test_trajectory_is_the_prediction_after_each_prefix(cell, layers, pooling, head):
    model = tiny_model(cell, layers=layers, pooling=pooling, head=head, batch_norm=bool(head))
    explanation = explain(loaded_run(model), TEXT, methods=())
    ids = [token.id for token in explanation.read_tokens]
    prefixes = torch.cat([model_probabilities(model, [ids[: t + 1]]) for t in range(len(ids))])
    assert explanation.trajectory.shape == (explanation.read, 2) and explanation.trajectory_note is None
    np.testing.assert_allclose(explanation.trajectory, prefixes.numpy(), atol=1e-5)
    np.testing.assert_allclose(explanation.trajectory[-1], explanation.probabilities, atol=1e-5)


def test_bidirectional_models_have_no_trajectory_and_say_why():
    explanation = explain(loaded_run(tiny_model("lstm", bidirectional=True)), TEXT, methods=())
    assert explanation.trajectory is None and "backward direction" in explanation.trajectory_note


def test_probabilities_are_the_runs_own_prediction():
    run = loaded_run(tiny_model("gru", bidirectional=True, layers=2))
    explanation = explain(run, TEXT, methods=())
    np.testing.assert_allclose(explanation.probabilities, run.predict_proba([TEXT])[0], atol=1e-6)
    assert explanation.predicted == int(np.argmax(explanation.probabilities))
    assert explanation.target == explanation.predicted


def test_unit_order_ranks_units_by_contribution():
    explanation = explain(loaded_run(tiny_model("lstm", bidirectional=True, layers=2)), TEXT, methods=())
    for states in explanation.layers:
        assert sorted(states.unit_order.tolist()) == list(range(6))
        ordered = states.unit_contribution[states.unit_order]
        assert np.all(np.diff(ordered) <= 0) and np.abs(ordered).max() > 0


def test_units_ordered_by_similarity_put_alike_units_together():
    from pipelines.explain import units_by_similarity

    steps = np.linspace(0, 3, 12)
    rising, falling = np.tanh(steps), -np.tanh(steps)
    wave = np.sin(3 * steps)
    # units 0, 2, 4 rise (scaled), 1 and 5 fall, 3 waves, 6 never moves
    hidden = np.stack([rising, falling, 0.5 * rising, wave, 0.2 * rising, 2 * falling, np.full(12, 0.3)], axis=1)
    order = units_by_similarity(hidden).tolist()
    assert sorted(order) == list(range(7)) and order[-1] == 6  # the still unit last
    positions = {unit: order.index(unit) for unit in order}
    assert max(positions[u] for u in (0, 2, 4)) - min(positions[u] for u in (0, 2, 4)) == 2  # side by side
    assert abs(positions[1] - positions[5]) == 1
    assert units_by_similarity(hidden[:1]).tolist() == list(range(7))  # one token: nothing moves


def test_ordered_units_offers_every_order():
    from pipelines.explain import UNIT_ORDERS

    states = explain(loaded_run(tiny_model("gru", bidirectional=True)), TEXT, methods=()).layers[0]
    for order in UNIT_ORDERS:
        assert sorted(states.ordered_units(order).tolist()) == list(range(6))
    assert states.ordered_units("index").tolist() == list(range(6))
    assert states.ordered_units("contribution").tolist() == states.unit_order.tolist()
    with pytest.raises(ValueError, match="unknown unit order"):
        states.ordered_units("alphabetical")


# ----------------------------------------------------------------------------
# Attributions


def test_one_unit_rnn_integrated_gradients_by_hand():
    """h_t = tanh(1.5 x_t + 0.8 h_(t-1)), logits (0, 3 h_T); embeddings: fine 0.9, dull -0.5.

    The explained output, positive's log-odds, is F = 3 h_T, and F(padding) = 0.
    One token: IG = F(fine) - F(nothing) = 3 tanh(1.5 * 0.9) = 3 tanh(1.35) = 2.62216.
    Two tokens: each score is the path integral, done here by a 20,000-step midpoint rule.
    """
    vocabulary = Vocabulary(["<pad>", "<unk>", "fine", "dull"], maxlen=10)
    spec = ModelSpec(cell="rnn", hidden_size=1, embedding_size=1, pooling="last", dropout=0.0)
    model = RecurrentClassifier(spec.resolved(4, 2)).eval()
    a, b, w, e1, e2 = 1.5, 0.8, 3.0, 0.9, -0.5
    with torch.no_grad():
        model.embedding.weight.copy_(torch.tensor([[0.0], [0.0], [e1], [e2]]))
        rnn = model.encoder.layers[0].forward_rnn
        rnn.weight_ih_l0.fill_(a), rnn.weight_hh_l0.fill_(b), rnn.bias_ih_l0.zero_(), rnn.bias_hh_l0.zero_()
        model.head[-1].weight.copy_(torch.tensor([[0.0], [w]]))
        model.head[-1].bias.zero_()
    run = loaded_run(model, vocabulary)

    one = explain(run, "fine", methods=["integrated_gradients"], target="positive").attributions["integrated_gradients"]
    assert one.scores[0] == pytest.approx(2.62216, abs=1e-4)

    def gradients(s1, s2):  # dF/ds1, dF/ds2 at embeddings (s1, s2)
        h1 = math.tanh(a * s1)
        h2 = math.tanh(a * s2 + b * h1)
        outer = w * (1 - h2**2)
        return outer * b * (1 - h1**2) * a, outer * a

    steps = 20_000
    path = [gradients(k * e1, k * e2) for k in ((i + 0.5) / steps for i in range(steps))]
    by_hand = [e1 * sum(g[0] for g in path) / steps, e2 * sum(g[1] for g in path) / steps]
    two = explain(run, "fine dull", methods=["integrated_gradients"], target="positive")
    ig = two.attributions["integrated_gradients"]
    np.testing.assert_allclose(ig.scores, by_hand, atol=1e-4)
    change = log_odds(model, [[2, 3]])[0, 1].item() - 0.0  # F(fine dull) - F(padding)
    assert change == pytest.approx(3 * math.tanh(a * e2 + b * math.tanh(a * e1)), abs=1e-6)
    assert abs(ig.scores.sum() - change) <= abs(ig.delta) + 1e-5 and abs(ig.delta) < 1e-4


def change_in_log_odds(model, explanation):
    """F(text) - F(baseline), computed here from the model's logits; baseline: every embedding PAD's (zeros)."""
    ids = [[token.id for token in explanation.read_tokens]]
    empty = torch.zeros(1, explanation.read, model.spec.embedding_size)
    text, baseline = log_odds(model, ids)[0, explanation.target], log_odds(model, embedded=empty)[0, explanation.target]
    assert explanation.log_odds[explanation.target] == pytest.approx(text.item(), abs=1e-5)
    assert explanation.baseline_log_odds[explanation.target] == pytest.approx(baseline.item(), abs=1e-5)
    return (text - baseline).item()


def smooth_model(cell, bidirectional, layers, scale=2.0, pooling="max"):
    """Unbiased recurrent layers and a confident output layer: the words move the probability a lot."""
    model = tiny_model(cell, bidirectional, layers, scale=scale, pooling=pooling)
    with torch.no_grad():
        model.head[-1].weight.mul_(5.0)
        model.head[-1].bias.zero_()
        for name, parameter in model.named_parameters():
            if "rnn" in name and "bias" in name:
                parameter.zero_()
    return model


@pytest.mark.parametrize("cell,bidirectional,layers", [("lstm", False, 1), ("gru", True, 2), ("rnn", True, 1)])
def test_integrated_gradients_add_up_to_the_change_in_probability(cell, bidirectional, layers):
    model = smooth_model(cell, bidirectional, layers)
    explanation = explain(loaded_run(model), TEXT, methods=["integrated_gradients"])  # 32 steps
    ig = explanation.attributions["integrated_gradients"]
    change = change_in_log_odds(model, explanation)
    assert abs(change) > 0.5  # the words matter, so completeness is not trivially 0 = 0
    assert abs(ig.scores.sum() - change) <= abs(ig.delta) + 1e-5
    assert abs(ig.delta) < 0.01 * abs(change)


def test_the_convergence_delta_owns_up_to_a_coarse_integral():
    """A saturating model read with 4 steps: the scores miss the change, and the delta says by how much."""
    model = smooth_model("rnn", True, 1, scale=6.0)
    explanation = explain(loaded_run(model), TEXT, methods=["integrated_gradients"], ig_steps=4)
    ig = explanation.attributions["integrated_gradients"]
    change = change_in_log_odds(model, explanation)
    assert abs(ig.delta) > 0.01 * abs(change)
    assert ig.scores.sum() - change == pytest.approx(ig.delta, abs=1e-5)


def test_occlusion_is_the_drop_when_a_token_becomes_padding():
    model = tiny_model("gru", bidirectional=True)
    explanation = explain(loaded_run(model), TEXT, methods=["occlusion"])
    ids = [token.id for token in explanation.read_tokens]
    target = explanation.target
    full = log_odds(model, [ids])[0, target]
    for t in (0, 3, len(ids) - 1):
        occluded = ids[:t] + [0] + ids[t + 1 :]  # the model reads PAD there: lengths stay len(ids)
        drop = full - log_odds(model, [occluded])[0, target]
        assert explanation.attributions["occlusion"].scores[t] == pytest.approx(drop.item(), abs=1e-5)


def test_every_method_scores_every_token_and_says_how():
    explanation = explain(loaded_run(tiny_model("lstm", head=(4,))), TEXT)
    assert list(explanation.attributions) == list(METHODS) == list(ATTRIBUTION_METHODS)
    for name, attribution in explanation.attributions.items():
        assert attribution.method == name and attribution.paper and attribution.title
        assert attribution.scores.shape == (explanation.read,) and np.isfinite(attribution.scores).all()
        assert attribution.max_abs == pytest.approx(np.abs(attribution.scores).max())
    assert not explanation.attributions["saliency"].signed and (explanation.attributions["saliency"].scores >= 0).all()
    assert explanation.attributions["integrated_gradients"].delta is not None
    assert explanation.attributions["deeplift"].delta is not None
    assert explanation.attributions["input_x_gradient"].delta is None


@pytest.mark.parametrize("name", list(METHODS))
def test_appending_padding_changes_no_score(name):
    model = tiny_model("lstm", bidirectional=True, head=(4,))
    method = IntegratedGradients(model, steps=8) if name == "integrated_gradients" else METHODS[name](model)
    ids = torch.tensor([[5, 6, 7, 8, 9, 3], [10, 11, 4, 0, 0, 0]])
    lengths = torch.tensor([6, 3])
    padded = method.attribute(torch.cat([ids, torch.zeros(2, 5, dtype=torch.long)], dim=1), lengths, target=1)
    alone = [method.attribute(ids[i : i + 1, : lengths[i]], lengths[i : i + 1], target=1) for i in range(2)]
    for row in range(2):
        np.testing.assert_allclose(padded.scores[row, : lengths[row]], alone[row].scores[0], atol=1e-6)
        assert (padded.scores[row, lengths[row] :] == 0).all()
        if padded.delta is not None:
            assert padded.delta[row] == pytest.approx(alone[row].delta[0], abs=1e-6)


def test_methods_check_their_inputs():
    model = tiny_model("gru")
    method = Occlusion(model)
    with pytest.raises(ValueError, match="token_ids"):
        method.attribute(torch.tensor([1, 2, 3]), torch.tensor([3]), target=0)
    with pytest.raises(ValueError, match="vocabulary"):
        method.attribute(torch.tensor([[1, 999]]), torch.tensor([2]), target=0)
    with pytest.raises(ValueError, match="lengths"):
        method.attribute(torch.tensor([[1, 2]]), torch.tensor([3]), target=0)
    with pytest.raises(ValueError, match="target"):
        method.attribute(torch.tensor([[1, 2]]), torch.tensor([2]), target=2)
    with pytest.raises(ValueError, match="steps"):
        IntegratedGradients(model, steps=0)


def test_explaining_leaves_the_model_as_it_was():
    model = tiny_model("lstm", bidirectional=True, head=(4,))
    before = {name: parameter.clone() for name, parameter in model.state_dict().items()}
    threads = torch.get_num_threads()
    explain(loaded_run(model), TEXT)
    assert not model.training
    assert all(parameter.requires_grad for parameter in model.parameters())
    assert all(parameter.grad is None for parameter in model.parameters())
    assert not any(module._forward_hooks or module._backward_hooks for module in model.modules())
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, before[name], rtol=0, atol=0)
    assert torch.get_num_threads() == threads and torch.backends.cudnn.enabled  # restored after one thread


# ----------------------------------------------------------------------------
# Text in, plain data out


def test_html_comes_back_as_plain_text():
    text = "<script>alert(1)</script> a <b>great</b> film &amp; more"
    explanation = explain(loaded_run(tiny_model("gru")), text, methods=["saliency"])
    assert explanation.text == text
    assert "".join(token.text for token in explanation.tokens[:11]) == "<script>alert(1)</script>"
    assert len(explanation.tokens) == 25 and explanation.tokens[1].text == "script"
    for token in explanation.tokens:
        assert token.text == text[token.start : token.end].lower()
    document = json.dumps(explanation.to_json())
    assert "&lt;" not in document and "&amp;lt" not in document  # not escaped: that is the renderer's job
    assert json.loads(document)["text"] == text


def test_unknown_words_are_marked():
    explanation = explain(loaded_run(tiny_model("rnn")), "The film was zorgulous ☃", methods=())
    flags = [(token.text, token.known, token.id) for token in explanation.tokens]
    assert flags[:3] == [("the", True, 2), ("film", True, 3), ("was", True, 4)]
    assert flags[3:] == [("zorgulous", False, 1), ("☃", False, 1)]


def test_text_of_unknown_words_only_is_explained():
    explanation = explain(loaded_run(tiny_model("lstm")), "Zorgulous blorft!!", methods=["integrated_gradients"])
    assert not any(token.known for token in explanation.tokens) and explanation.read == 4


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_a_text_without_tokens_is_a_clear_error(text):
    with pytest.raises(ValueError, match="no words"):
        explain(loaded_run(tiny_model("lstm")), text)


def test_a_long_text_is_cut_to_maxlen_and_says_so():
    text = " ".join(["the film was great"] * 10)  # 40 tokens, maxlen 24
    explanation = explain(loaded_run(tiny_model("gru", bidirectional=True)), text, methods=["input_x_gradient"])
    assert (len(explanation.tokens), explanation.read, explanation.truncated) == (40, 24, 16)
    assert [token.truncated for token in explanation.tokens] == [False] * 24 + [True] * 16
    assert explanation.layers[0].hidden.shape[0] == 24
    assert explanation.attributions["input_x_gradient"].scores.shape == (24,)
    assert explanation.to_json()["truncated"] == 16


def test_options_are_checked():
    run = loaded_run(tiny_model("lstm", classes=3), classes=["negative", "neutral", "positive"])
    by_name = explain(run, TEXT, methods=["saliency"], target="neutral")
    by_index = explain(run, TEXT, methods=["saliency"], target=1)
    assert by_name.target == by_index.target == 1 and by_name.target_class == "neutral"
    np.testing.assert_allclose(by_name.attributions["saliency"].scores, by_index.attributions["saliency"].scores)
    with pytest.raises(ValueError, match="unknown attribution method 'lime'"):
        explain(run, TEXT, methods=["lime"])
    with pytest.raises(ValueError, match="unknown target class 'happy'"):
        explain(run, TEXT, target="happy")
    with pytest.raises(ValueError, match="Integrated Gradients needs 1 to 1024 steps, got 0"):
        explain(run, TEXT, ig_steps=0)
    with pytest.raises(ValueError, match="no layer 3"):
        by_name.layer(3)


@pytest.mark.parametrize("cell,values", [("lstm", ["forget", "input", "output", "candidate", "cell"]),
                                         ("gru", ["update", "reset", "candidate"]), ("rnn", [])])  # fmt: skip
def test_to_json_is_plain_json_with_every_promised_field(cell, values):
    explanation = explain(loaded_run(tiny_model(cell, layers=2)), TEXT, ig_steps=4)
    document = json.loads(json.dumps(explanation.to_json(), allow_nan=False))
    assert {"run_id", "dataset", "label", "cell", "text", "tokens", "read", "truncated", "maxlen", "classes",
            "probabilities", "predicted", "target", "explained_output", "baseline", "layers", "trajectory",
            "trajectory_note", "attributions", "seconds"} <= set(document)  # fmt: skip
    assert set(document["tokens"][0]) == {"text", "start", "end", "id", "known", "truncated"}
    layer = document["layers"][1]
    assert (layer["layer"], layer["direction"]) == (1, "forward") and list(layer["values"]) == values
    assert len(layer["hidden"]) == document["read"] and len(layer["hidden"][0]) == 6
    assert len(layer["unit_order"]) == 6 and len(layer["norm"]) == document["read"]
    assert len(document["trajectory"]) == document["read"]
    ig = document["attributions"]["integrated_gradients"]
    assert len(ig["scores"]) == document["read"] and isinstance(ig["delta"], float) and ig["signed"] is True


# ----------------------------------------------------------------------------
# Word statistics over many texts


def test_word_statistics_count_every_occurrence_and_score_three_classes():
    classes = ["negative", "neutral", "positive"]
    run = loaded_run(tiny_model("gru", bidirectional=True, classes=3), classes=classes)
    texts = ["the film was great", "the plot was dull, the story was dull", "", "a moving story zorgulous"] * 3
    words = aggregate_word_attributions(run, texts, min_count=3, steps=4)
    assert (words.texts_read, words.texts_total, words.tokens_read) == (9, 12, 3 * (4 + 9 + 4))  # "" has no tokens
    counts = dict(zip(words.words, words.counts.tolist()))
    # "," and "zorgulous" are not in the vocabulary: <unk>, like padding, is no word to rank
    assert counts == {"the": 9, "film": 3, "was": 9, "great": 3, "plot": 3, "dull": 6, "story": 6, "a": 3, "moving": 3}
    assert words.means.shape == (len(words.words), 3) and np.isfinite(words.means).all()
    top = words.top("neutral", 3)
    assert len(top) == 3 and top[0].mean >= top[1].mean >= top[2].mean
    assert [w.word for w in words.top(1, 3)] == [w.word for w in top]
    with pytest.raises(ValueError, match="unknown class"):
        words.top("ecstatic")
    restored = type(words).from_json(json.loads(json.dumps(words.to_json())))
    assert restored.top("positive", 5) == words.top("positive", 5)


def test_word_statistics_stop_at_the_token_budget():
    run = loaded_run(tiny_model("rnn"))
    texts = [" ".join(["the film was great"] * 5)] * 10  # 20 tokens each
    words = aggregate_word_attributions(run, texts, max_tokens=70, min_count=1, steps=2)
    assert (words.texts_read, words.tokens_read) == (3, 60)


# ----------------------------------------------------------------------------
# Keras runs, through their PyTorch twin


def test_a_keras_run_is_explained_through_its_torch_twin():
    from pipelines.backends import backend_for

    backend = backend_for("keras", "cpu")
    spec = ModelSpec(cell="gru", bidirectional=True, hidden_size=6, embedding_size=5, pooling="max")
    spec = spec.resolved(len(VOCABULARY), 2)
    keras_model = backend.build(spec, seed=3)
    record = RunRecord("test-data", "keras-gru-bi-1x6-max-test", Path("unused"), "done")
    run = LoadedRun(record, spec, CLASSES, VOCABULARY, backend, keras_model)
    twin = run.torch_model()
    assert isinstance(twin, RecurrentClassifier) and run.torch_model() is twin  # converted once
    explanation = run.explain(TEXT, ig_steps=8)
    np.testing.assert_allclose(explanation.probabilities, run.predict_proba([TEXT])[0], atol=1e-5)
    ids = torch.tensor([[token.id for token in explanation.read_tokens]])
    with torch.no_grad():
        expected = twin.encoder(twin.embedding(ids), torch.tensor([ids.shape[1]]))[0][0]
    np.testing.assert_allclose(explanation.layer(0, "backward").hidden, expected[:, 6:].numpy(), atol=1e-5)
    assert explanation.label.endswith("(keras)")


# ----------------------------------------------------------------------------
# The GPU path: cuDNN computes no RNN backward in eval mode; attribution switches it off


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("cell,bidirectional", [("lstm", True), ("gru", False)])
def test_explaining_on_cuda_matches_the_cpu(cell, bidirectional):
    cpu_model = tiny_model(cell, bidirectional, layers=2, head=(4,))
    gpu_model = tiny_model(cell, bidirectional, layers=2, head=(4,)).cuda()
    on_cpu = explain(loaded_run(cpu_model), TEXT, ig_steps=16)
    on_gpu = explain(loaded_run(gpu_model), TEXT, ig_steps=16)
    assert torch.backends.cudnn.enabled and not gpu_model.training
    np.testing.assert_allclose(on_gpu.probabilities, on_cpu.probabilities, atol=1e-4)
    for gpu_states, cpu_states in zip(on_gpu.layers, on_cpu.layers):
        np.testing.assert_allclose(gpu_states.hidden, cpu_states.hidden, atol=1e-4)
    for name, attribution in on_cpu.attributions.items():
        np.testing.assert_allclose(on_gpu.attributions[name].scores, attribution.scores, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("scale,pooling,steps", [(1.0, "mean", 8), (1.0, "last", 8), (3.0, "mean", 32),
                                                  (1.0, "max", 32)])  # fmt: skip
def test_integrated_gradients_take_fewer_steps_only_where_they_are_as_good(scale, pooling, steps):
    """Where the 4- and 8-point rules agree to 1%, the 8-point scores are kept, and they are within 1% of the
    exact integral (256 points); a saturating model's rules disagree, and a max-pooled model's path has kinks:
    both take the full 32 steps."""
    run = loaded_run(smooth_model("lstm", False, 1, scale=scale, pooling=pooling))
    exact = explain(run, TEXT, methods=["integrated_gradients"], ig_steps=256, ig_tolerance=None)
    fixed = explain(run, TEXT, methods=["integrated_gradients"], ig_tolerance=None)
    adaptive = explain(run, TEXT, methods=["integrated_gradients"])
    ig, ig_exact = adaptive.attributions["integrated_gradients"], exact.attributions["integrated_gradients"]
    assert ig.steps == steps and fixed.attributions["integrated_gradients"].steps == 32
    assert np.abs(ig.scores - ig_exact.scores).max() <= 0.01 * np.abs(ig_exact.scores).max()
    if steps == 32:
        np.testing.assert_array_equal(ig.scores, fixed.attributions["integrated_gradients"].scores)
    with pytest.raises(ValueError, match="tolerance"):
        explain(run, TEXT, methods=["integrated_gradients"], ig_tolerance=1.5)


def test_unit_words_are_each_units_mean_response_to_a_word_in_the_states_the_explanation_shows():
    from pipelines.explain.unit_words import PRIOR_COUNT, UnitWords, aggregate_unit_words

    run = loaded_run(tiny_model("gru", bidirectional=True, layers=2))
    texts = ["The film was great.", "A dull plot; the script was dull.", "A moving story (1)", "The plot was great!"]
    words = aggregate_unit_words(run, texts, min_count=1)
    explanations = [explain(run, text, methods=()) for text in texts]
    for layer, direction in [(0, "forward"), (1, "backward")]:
        states = np.concatenate([e.layer(layer, direction).hidden for e in explanations])  # (tokens, hidden)
        tokens = [token for e in explanations for token in e.read_tokens]
        known = sorted({token.text for token in tokens if token.known and token.text.isalnum()})  # no "(" or ")"
        deviations = states - states.mean(axis=0)  # from each unit's mean over every token read
        seen = {word: np.array([t.text == word for t in tokens]) for word in known}
        response = np.array([deviations[seen[word]].sum(axis=0) / (seen[word].sum() + PRIOR_COUNT) for word in known])
        for unit, found in enumerate(words.units(layer, direction)):
            strongest = int(np.argmax(response[:, unit]))
            assert found.up[0] == known[strongest] and found.up_scores[0] == pytest.approx(response[strongest, unit])
            assert found.down[0] == known[int(np.argmin(response[:, unit]))] and found.label.endswith("↓")
        assert sorted(words.order(layer, direction)) == list(range(6))
    again = UnitWords.from_json(json.loads(json.dumps(words.to_json())))  # as the store keeps it
    assert again.labels(1, "backward") == words.labels(1, "backward") and again.orders == words.orders
