import itertools

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from pipelines.models.spec import ModelSpec, parameter_count
from pipelines.models.torch_zoo import RNN_CLASSES, RecurrentClassifier, count_parameters, reverse_padded
from pipelines.models.zoos import SWEEP_BASE, full_zoo, quick_zoo, sweep_study_of, sweep_zoo, zoo

ARCHITECTURES = list(itertools.product(("rnn", "lstm", "gru"), (False, True), (1, 2, 3), ("last", "max", "mean")))


def tiny_model(cell, bidirectional, layers, pooling, head=(6,), batch_norm=True, seed=0):
    torch.manual_seed(seed)
    spec = ModelSpec(cell=cell, bidirectional=bidirectional, layers=layers, hidden_size=5, embedding_size=4,
                     pooling=pooling, head=head, batch_norm=batch_norm)  # fmt: skip
    spec = spec.resolved(vocab_size=30, num_classes=3)
    return RecurrentClassifier(spec).eval()


def ragged_batch():
    torch.manual_seed(1)
    ids = torch.randint(2, 30, (4, 9))
    ids[1, 6:] = 0
    ids[2, 2:] = 0
    ids[3, 1:] = 0  # a one-token text
    return ids


@pytest.mark.parametrize("cell,bidirectional,layers,pooling", ARCHITECTURES)
def test_appending_padding_never_changes_the_output(cell, bidirectional, layers, pooling):
    model = tiny_model(cell, bidirectional, layers, pooling)
    ids = ragged_batch()
    with torch.no_grad():
        batched = model(ids)
        more_padding = model(torch.cat([ids, torch.zeros(4, 11, dtype=torch.long)], dim=1))
        one_by_one = torch.cat([model(row[row != 0].unsqueeze(0)) for row in ids])
    torch.testing.assert_close(more_padding, batched, atol=1e-6, rtol=0)
    torch.testing.assert_close(one_by_one, batched, atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell,bidirectional", list(itertools.product(("rnn", "lstm", "gru"), (False, True))))
def test_each_layer_matches_pytorch_packed_sequences(cell, bidirectional):
    """Our reverse-in-place backward direction computes what packing computes."""
    model = tiny_model(cell, bidirectional, 1, "last")
    layer = model.encoder.layers[0]
    reference = RNN_CLASSES[cell](4, 5, batch_first=True, bidirectional=bidirectional)
    weights = dict(layer.forward_rnn.state_dict())
    if bidirectional:
        weights.update({f"{name}_reverse": value for name, value in layer.backward_rnn.state_dict().items()})
    reference.load_state_dict(weights)
    ids = ragged_batch()
    lengths = (ids != 0).sum(1)
    with torch.no_grad():
        embedded = model.embedding(ids)
        packed, _ = reference(pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False))
        expected, _ = pad_packed_sequence(packed, batch_first=True, total_length=ids.shape[1])
        mask = (ids != 0).unsqueeze(-1)
        torch.testing.assert_close(layer(embedded, lengths) * mask, expected * mask, atol=1e-6, rtol=0)


def test_reverse_padded_reverses_only_real_steps():
    x = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]]).unsqueeze(-1)
    reversed_x = reverse_padded(x, torch.tensor([3, 2])).squeeze(-1)
    assert reversed_x.tolist() == [[3, 2, 1, 0], [5, 4, 0, 0]]


@pytest.mark.parametrize("spec", quick_zoo() + full_zoo() + sweep_zoo(), ids=lambda s: s.short_name())
def test_parameter_formula_matches_the_built_model(spec):
    resolved = spec.resolved(vocab_size=50, num_classes=3)
    assert count_parameters(RecurrentClassifier(resolved)) == parameter_count(resolved)


def test_spec_json_round_trip_and_validation():
    spec = ModelSpec(cell="gru", bidirectional=True, layers=2, head=(32, 16), batch_norm=True)
    assert ModelSpec.from_json(spec.to_json()) == spec
    with pytest.raises(ValueError, match="cell"):
        ModelSpec(cell="transformer")
    with pytest.raises(ValueError, match="layers"):
        ModelSpec(layers=4)
    with pytest.raises(ValueError, match="unknown model spec keys"):
        ModelSpec.from_json({**spec.to_json(), "attention": True})
    with pytest.raises(ValueError, match="resolve"):
        RecurrentClassifier(spec)


def test_quick_zoo_has_every_cell_in_both_directions():
    combos = {(s.cell, s.bidirectional) for s in quick_zoo()}
    assert combos == set(itertools.product(("rnn", "lstm", "gru"), (False, True)))


def test_full_zoo_holds_seed_000s_stacked_bilstm():
    assert any(
        s.cell == "lstm" and s.bidirectional and s.layers == 3 and s.hidden_size == 256 and s.batch_norm and s.head
        for s in full_zoo()
    )


def test_sweep_zoo_covers_each_study_for_each_cell():
    specs = sweep_zoo()
    assert len(specs) == len(set(specs)) == 3 * 6  # base shared by the three studies
    for cell in ("rnn", "lstm", "gru"):
        studies = [study for s in specs if s.cell == cell for study in sweep_study_of(s)]
        assert sorted(studies) == sorted(
            [("depth", 1), ("depth", 2), ("depth", 3), ("width", 32), ("width", 64), ("width", 128),
             ("direction", False), ("direction", True)]
        )  # fmt: skip
    assert sweep_study_of(SWEEP_BASE.resolved(100, 3)) == [("depth", 1), ("width", 64), ("direction", False)]


def test_unknown_zoo_is_rejected():
    with pytest.raises(ValueError, match="quick, full, sweep"):
        zoo("huge")


def test_only_keeps_matching_models_and_names_the_choices_when_none_match():
    assert [s.short_name() for s in zoo("quick", only=["gru-bi-*"])] == ["gru-bi-1x64-mean"]
    assert len(zoo("quick", only=["*-bi-*", "rnn-*"])) == 4
    with pytest.raises(ValueError, match="matches nothing.*lstm-bi-1x64-mean"):
        zoo("quick", only=["transformer*"])


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_parameter_breakdown_adds_up_to_the_formula(framework):
    from pipelines.models.spec import parameter_breakdown

    for spec in quick_zoo() + full_zoo() + sweep_zoo():
        spec = spec.resolved(vocab_size=1234, num_classes=3)
        parts = parameter_breakdown(spec, framework)
        assert sum(count for *_, count in parts) == parameter_count(spec, framework), spec.short_name()
        assert [part for part, *_ in parts][0] == "embedding" and parts[-1][0] == "output layer"
        assert len(parts) == 2 + spec.layers + len(spec.head)
