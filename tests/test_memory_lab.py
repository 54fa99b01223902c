"""The memory lab: the generated task, the initialisations, gradients through time, attribution by distance."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from pipelines.data import DataError, load_dataset, resolve_info
from pipelines.data.memory import FILLER, MARKERS, generate
from pipelines.explain.gradients import TINY, _double, state_gradients
from pipelines.explain.simulation import simulate
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier, pool
from pipelines.models.zoos import memory_zoo

# -- the task ---------------------------------------------------------------------------------------


def test_the_generator_is_deterministic_and_the_marker_decides():
    first, again = load_dataset("memory-d7"), load_dataset("memory-d7")
    assert [e.text for e in first.train] == [e.text for e in again.train]
    assert (len(first.train), len(first.validation), len(first.test)) == (4000, 500, 1000)
    assert {e.text for e in first.train}.isdisjoint({e.text for e in first.test})  # separate generators
    for example in first.train + first.test:
        words = example.text.split()
        assert len(words) == 8 and words[0] == MARKERS[example.label] and set(words[1:]) <= set(FILLER)
    assert sum(e.label for e in first.train) == 2000  # balanced
    assert [e.text for e in load_dataset("memory-d8").train][:5] != [e.text for e in first.train][:5]


def test_the_distractor_variant_hides_markers_in_the_filler_and_only_the_first_counts():
    examples = load_dataset("memory-d40-distractors").train
    later_markers = sum(word in MARKERS for e in examples for word in e.text.split()[1:])
    assert 0.05 < later_markers / (40 * len(examples)) < 0.15
    assert all(e.text.split()[0] == MARKERS[e.label] for e in examples)


@pytest.mark.parametrize("key", ["memory-d0", "memory-d1001", "memory-dx", "memory-d5-extra", "memory"])
def test_a_bad_memory_key_says_how_to_write_one(key):
    with pytest.raises(DataError, match="memory"):
        resolve_info(key)


def test_a_memory_key_describes_its_task():
    info = resolve_info("memory-d100")
    assert (info.task, info.maxlen, info.classes, info.threads) == ("memory", 101, MARKERS, 1)
    assert generate("memory-d3", "test", 4) == generate("memory-d3", "test", 4)


# -- the zoo and its initialisations ----------------------------------------------------------------------


def biases(rnn: nn.RNNBase, block: int) -> torch.Tensor:
    size = rnn.hidden_size
    return (rnn.bias_ih_l0 + rnn.bias_hh_l0)[block * size : (block + 1) * size].detach()


def test_chrono_and_the_other_starts_set_the_gates_the_papers_say():
    lstm = RecurrentClassifier(ModelSpec(cell="lstm", hidden_size=32, init="chrono").resolved(10, 2, maxlen=50))
    rnn = lstm.encoder.layers[0].forward_rnn
    forget, input_gate = biases(rnn, 1), biases(rnn, 0)
    assert forget.min() >= 0 and forget.max() <= math.log(49) and forget.std() > 0.3  # log U(1, T - 1)
    torch.testing.assert_close(input_gate, -forget)
    gru = RecurrentClassifier(ModelSpec(cell="gru", hidden_size=32, init="forget-bias").resolved(10, 2))
    torch.testing.assert_close(biases(gru.encoder.layers[0].forward_rnn, 1), torch.ones(32))  # the update gate
    plain = RecurrentClassifier(ModelSpec(cell="rnn", hidden_size=8, init="identity").resolved(10, 2))
    torch.testing.assert_close(plain.encoder.layers[0].forward_rnn.weight_hh_l0.detach(), torch.eye(8))
    default = RecurrentClassifier(ModelSpec(cell="lstm", hidden_size=32).resolved(10, 2))
    assert biases(default.encoder.layers[0].forward_rnn, 1).abs().max() < 2 / math.sqrt(32)  # PyTorch's own start


def test_new_spec_fields_leave_existing_run_ids_alone():
    assert "init" not in ModelSpec().to_json() and "init_timescale" not in ModelSpec().to_json()
    chrono = ModelSpec(cell="gru", init="chrono").resolved(10, 2, maxlen=21)
    assert chrono.to_json()["init_timescale"] == 21 and chrono.short_name().endswith("-chrono")
    assert ModelSpec.from_json(chrono.to_json()) == chrono and chrono.label() == "GRU 1×64 (chrono)"
    with pytest.raises(ValueError, match="no gates"):
        ModelSpec(cell="rnn", init="chrono")
    with pytest.raises(ValueError, match="timescale"):
        ModelSpec(cell="lstm", init="chrono").resolved(10, 2)


def test_the_memory_zoo_reads_one_way_from_the_final_state():
    specs = memory_zoo()
    assert {(s.cell, s.init) for s in specs} == {("rnn", "identity"), ("lstm", "chrono"), ("gru", "chrono"),
                                                 ("rnn", "default"), ("lstm", "default"), ("gru", "default")}
    assert all(s.pooling == "last" and not s.bidirectional and s.layers == 1 and s.dropout == 0 for s in specs)


def test_keras_says_the_memory_starts_are_pytorch_only():
    from pipelines.models.keras_zoo import build_keras_model

    with pytest.raises(ValueError, match="--framework torch"):
        build_keras_model(ModelSpec(cell="lstm", init="chrono").resolved(10, 2, maxlen=5))


# -- gradients through time -------------------------------------------------------------------------------


def tiny(cell: str, bidirectional: bool = False, layers: int = 1, pooling: str = "last", seed: int = 0):
    torch.manual_seed(seed)
    spec = ModelSpec(cell=cell, bidirectional=bidirectional, layers=layers, hidden_size=5, embedding_size=4,
                     pooling=pooling, dropout=0.0).resolved(12, 2)  # fmt: skip
    return _double(RecurrentClassifier(spec))


def lstm_step_by_hand(rnn: nn.LSTM, x, h, c):
    """The textbook LSTM step from the module's weights, h computed from c (PyTorch's fused step returns h and c
    side by side, as if c_t did not feed h_t)."""
    z = rnn.weight_ih_l0 @ x + rnn.weight_hh_l0 @ h.view(-1) + rnn.bias_ih_l0 + rnn.bias_hh_l0
    i, f, g, o = z.chunk(4)
    c = torch.sigmoid(f) * c.view(-1) + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def by_hand(model: RecurrentClassifier, ids: list[int], target: int):
    """The model stepped one token at a time (PyTorch's own kernels; an LSTM by hand): each h_t (c_t) a node.

    Returns {(layer, direction): (h nodes, c nodes)} in reading order, and the loss.
    """
    nodes = {}
    inputs = model.embedding(torch.tensor(ids)).detach().requires_grad_()  # (time, embedding)
    for index, layer in enumerate(model.encoder.layers):
        outputs = []
        for direction, rnn in (("forward", layer.forward_rnn), ("backward", layer.backward_rnn)):
            if rnn is None:
                continue
            read = inputs if direction == "forward" else inputs.flip(0)
            h = torch.zeros(1, 1, rnn.hidden_size, dtype=inputs.dtype)
            c = torch.zeros_like(h)
            hs, cs = [], []
            for x in read:
                if isinstance(rnn, nn.LSTM):
                    h, c = lstm_step_by_hand(rnn, x, h, c)
                    cs.append(c)
                else:
                    _, h = rnn(x.view(1, 1, -1), h)
                hs.append(h)
            nodes[(index, direction)] = (hs, cs)
            stacked = torch.cat([node.view(1, -1) for node in hs])  # (time, hidden)
            outputs.append(stacked if direction == "forward" else stacked.flip(0))
        inputs = torch.cat(outputs, dim=-1)
    pooled = pool(inputs.unsqueeze(0), torch.tensor([len(ids)]), model.spec.pooling, model.spec.hidden_size)
    loss = nn.functional.cross_entropy(model.head(pooled), torch.tensor([target]))
    return nodes, loss


@pytest.mark.parametrize("cell,bidirectional,layers,pooling", [
    ("lstm", True, 2, "last"), ("gru", False, 2, "mean"), ("rnn", True, 1, "max"), ("lstm", False, 1, "last"),
])  # fmt: skip
def test_the_gradient_api_equals_autograd_on_the_model_unrolled_by_hand(cell, bidirectional, layers, pooling):
    model, ids, target = tiny(cell, bidirectional, layers, pooling), [3, 7, 1, 9, 4, 2, 8], 1
    nodes, loss = by_hand(model, ids, target)
    every = [node for hs, cs in nodes.values() for node in (*hs, *cs)]
    grads = dict(zip(map(id, every), torch.autograd.grad(loss, every, retain_graph=True, allow_unused=True)))
    computed, losses = state_gradients(model, [ids], [target])
    assert losses[0] == pytest.approx(float(loss.detach()), rel=1e-12)
    for result in computed:
        hs, cs = nodes[(result.layer, result.direction)]
        order = slice(None) if result.direction == "forward" else slice(None, None, -1)  # text order
        expected = np.array([float(grads[id(node)].norm()) for node in hs])[order]
        np.testing.assert_allclose(result.loss_gradient[0], np.maximum(expected, TINY), rtol=1e-9)  # 0 floored
        last = hs[-1].view(-1)  # ‖∂h_last/∂h_t‖₂ with h_t a node, one unit of h_last at a time
        rows = [torch.autograd.grad(last[unit], hs, retain_graph=True) for unit in range(len(last))]
        jacobians = [torch.stack([row[t].view(-1) for row in rows]) for t in range(len(hs))]
        expected = np.array([float(torch.linalg.matrix_norm(j, ord=2)) for j in jacobians])[order]
        np.testing.assert_allclose(result.jacobian[0], expected, rtol=1e-9)
        if cs:
            cell_last = cs[-1].view(-1)
            rows = [torch.autograd.grad(cell_last[unit], cs, retain_graph=True) for unit in range(len(cell_last))]
            expected = np.array([float(torch.linalg.matrix_norm(torch.stack([row[t].view(-1) for row in rows]), ord=2))
                                 for t in range(len(cs))])[order]  # fmt: skip
            np.testing.assert_allclose(result.cell_jacobian[0], expected, rtol=1e-9)


def test_a_one_unit_linear_rnn_keeps_w_to_the_distance_of_its_gradient():
    """h_t = w h_(t-1) + x_t (ReLU on positive values is the identity): ∂h_T/∂h_t = w^(T-t), exactly."""
    model = tiny("rnn", seed=1)
    model.embedding = nn.Embedding(12, 1).double()
    model.encoder.layers[0].forward_rnn = nn.RNN(1, 1, nonlinearity="relu", batch_first=True).double()
    model.spec = replace(model.spec, embedding_size=1, hidden_size=1)
    model.head = nn.Sequential(nn.Linear(1, 2).double())
    w = 0.8
    with torch.no_grad():
        model.embedding.weight.copy_(torch.linspace(0.5, 1.5, 12).view(-1, 1))  # positive inputs: ReLU is linear
        rnn = model.encoder.layers[0].forward_rnn
        rnn.weight_ih_l0.fill_(1.0), rnn.weight_hh_l0.fill_(w), rnn.bias_ih_l0.zero_(), rnn.bias_hh_l0.zero_()
    ids = [2, 5, 7, 1, 3, 9, 4, 6, 8, 10]
    (result,), _ = state_gradients(model, [ids], [0])
    distance = np.arange(len(ids))[::-1]  # T - t
    np.testing.assert_allclose(result.jacobian[0], w**distance, rtol=1e-12)
    np.testing.assert_allclose(result.loss_gradient[0] / result.loss_gradient[0][-1], w**distance, rtol=1e-12)


def test_gradient_flow_of_a_run_compares_trained_and_initial_weights(tmp_path):
    from pipelines.backends import TorchBackend
    from pipelines.data import Vocabulary
    from pipelines.records import RunRecord, RunSpec
    from pipelines.runs import LoadedRun

    vocabulary = Vocabulary(["<pad>", "<unk>", *MARKERS, *FILLER[:8]], maxlen=20)
    spec = ModelSpec(cell="gru", hidden_size=6, embedding_size=4, init="chrono").resolved(len(vocabulary), 2, 20)
    backend = TorchBackend("cpu")
    model = backend.build(spec, seed=5)
    with torch.no_grad():
        model.head[-1].weight.mul_(3)  # "trained": no longer the initial weights
    run_spec = RunSpec(run_id="r", framework="torch", task="memory", dataset={"key": "memory-d5", "classes": MARKERS},
                       model=spec.to_json(), training={"seed": 5})  # fmt: skip
    run = LoadedRun(RunRecord("memory-d5", "r", tmp_path, "done", spec=run_spec, model_spec=spec), spec,
                    list(MARKERS), vocabulary, backend, model)  # fmt: skip
    flow = run.gradients("left apple bread cloud", target="left")
    assert flow.target_class == "left" and flow.tokens == ["left", "apple", "bread", "cloud"]
    assert len(flow.trained[0].loss_gradient) == 4 and np.isfinite(flow.trained[0].jacobian).all()
    initial = RecurrentClassifier(spec)
    initial.load_state_dict(backend.build(spec, seed=5).state_dict())
    assert flow.initial_loss != pytest.approx(flow.loss)  # the head was changed after "training"
    assert [m.block for m in flow.matrices["trained"]] == ["reset", "update", "candidate"]
    with pytest.raises(ValueError, match="nothing to differentiate"):
        run.gradients("   ")


def test_many_texts_summarise_as_the_geometric_mean_by_steps_back():
    from pipelines.explain.gradients import BatchGradients, summarise

    def batch(direction, values):
        values = np.array(values)
        return BatchGradients(0, direction, values, values, None, None, np.full(len(values), 0.5))

    long = [[1e-4, 1e-2, 1.0], [1e-6, 1e-2, 1.0]]  # two texts of three tokens, in the text's order
    (forward,) = summarise([[batch("forward", long)], [batch("forward", [[1e-2, 1.0]])]])
    np.testing.assert_allclose(forward.steps_back(forward.loss_gradient), [1.0, 1e-2, 1e-5])  # 0 = the last token
    (backward,) = summarise([[batch("backward", [[1.0, 1e-2, 1e-4], [1.0, 1e-2, 1e-6]])]])
    np.testing.assert_allclose(backward.steps_back(backward.jacobian), [1.0, 1e-2, 1e-5])  # 0 = the first token
    assert forward.keep_gate == 0.5 and forward.cell_jacobian is None


def test_the_simulation_is_exactly_radius_to_the_k_and_tanh_only_shrinks_it():
    for radius in (0.8, 1.0, 1.2):
        curves = simulate(radius, steps=40)
        np.testing.assert_allclose(curves.linear, radius ** np.arange(41), rtol=1e-12)
        assert (curves.tanh <= curves.linear * (1 + 1e-9)).all() and np.isfinite(curves.tanh).all()
    assert simulate(0.5, steps=1000).linear[-1] > 0  # floored, never 0 on a log axis
    with pytest.raises(ValueError, match="spectral radius"):
        simulate(0.0)


def test_attribution_by_distance_finds_a_lone_marker():
    """Only the marker's embedding differs from padding, so all attribution sits D words before the end."""
    from pipelines.data import Vocabulary
    from pipelines.explain.lookback import attribution_by_distance

    class Run:
        vocabulary = Vocabulary(["<pad>", "<unk>", *MARKERS, *FILLER], maxlen=30)
        model = tiny("lstm")

        def torch_model(self):
            return self.model

    run = Run()
    with torch.no_grad():
        run.model.float()
        run.model.embedding.weight[4:] = 0  # every filler word reads like padding
    texts = [("left " + " ".join(FILLER[:distance])) for distance in (3, 5, 5, 8)]
    shares, counts = attribution_by_distance(run, texts, [0, 0, 0, 0], steps=4)
    assert list(counts[:9]) == [4, 4, 4, 4, 3, 3, 1, 1, 1]
    assert shares[3] == pytest.approx(1 / 4) and shares[5] == pytest.approx(2 / 3) and shares[8] == pytest.approx(1)
    assert shares[[0, 1, 2, 4, 6, 7]].sum() == pytest.approx(0)


# -- the lab end to end: train the sweep, read it back, the commands --------------------------------------


@pytest.fixture(scope="module")
def lab_store(tmp_path_factory):
    from pipelines.store import Store
    from pipelines.training.lab import train_lab
    from pipelines.training.request import LabRequest

    store = Store(tmp_path_factory.mktemp("lab") / "store")
    outcomes = train_lab(store, LabRequest(distances=(3, 6), overrides={"epochs": 2}, show_progress=False))
    assert [o.result for o in outcomes] == ["trained"] * 12, outcomes
    return store


def test_the_sweep_is_ordinary_runs_with_their_gradients_kept(lab_store):
    from pipelines.explain.memory_lab import cached_lab_summary, lab_points

    points = lab_points(lab_store)
    assert {(p.distance, p.cell, p.init) for p in points} == {(d, s.cell, s.init) for d in (3, 6) for s in memory_zoo()}
    for point in points:
        record = point.record
        assert record.task == "memory" and record.dataset == f"memory-d{point.distance}"
        assert record.metrics.accuracy > 0.5
        summary = cached_lab_summary(lab_store, record.dataset, record.run_id)  # computed right after training
        assert summary.texts == 16 and len(summary.lookback) == point.distance + 1
        assert summary.lookback.sum() == pytest.approx(1.0)
        assert np.isfinite(summary.trained[0].jacobian).all() and (summary.trained[0].jacobian > 0).all()
    assert "memory-d3" in lab_store.datasets() and lab_store.read_dataset("memory-d3").task == "memory"


def test_the_lab_and_gradients_commands(lab_store, capsys):
    import json

    from pipelines.cli import main

    root = str(lab_store.root)
    assert main(["--artifacts", root, "lab", "--distances", "3", "6", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "0 trained, 12 skipped" in out and "LSTM (chrono)" in out and "D=6" in out  # nothing trained twice
    run_id = next(r.run_id for r in lab_store.runs("memory-d6") if "gru-uni-1x64-chrono" in r.run_id)
    assert main(["--artifacts", root, "gradients", "--run", run_id, "--text", "right apple bread", "--json"]) == 0
    flow = json.loads(capsys.readouterr().out)
    steps = flow["trained"][0]
    assert len(steps["loss_gradient"]) == len(steps["jacobian"]) == 3 and all(v > 0 for v in steps["jacobian"])
    assert flow["classes"] == list(MARKERS) and flow["initial"][0]["jacobian"] and "update gate" in flow["meaning"]
    assert main(["--artifacts", root, "gradients", "--run", run_id]) == 0  # the test sequences' summary
    assert "geometric mean over 16 test texts" in capsys.readouterr().out
    assert main(["--artifacts", root, "list"]) == 0 and "[memory]" in capsys.readouterr().out
    for bad, message in ((["lab", "--distances", "0"], "1 to 1000"),
                         (["gradients", "--run", run_id, "--text", "!?", "--target", "up"], "unknown target class"),
                         (["gradients", "--run", run_id, "--text", "   "], "nothing to differentiate")):  # fmt: skip
        assert main(["--artifacts", root, *bad]) == 2
        assert message in capsys.readouterr().err


def test_a_second_seed_is_counted_not_hidden(lab_store, capsys):
    """`lab --seeds 2` trains the seed-43 twin of every run and keeps the first; the command's table, the page's
    tables and the chart then give the mean, how many runs learned the task, and every run."""
    from dashboard import tables
    from dashboard.features.lab import figures_lab
    from pipelines.cli import main
    from pipelines.explain.memory_lab import SOLVED, accuracy_over_seeds, lab_points
    from pipelines.models.cells import CELL_NAMES

    root = str(lab_store.root)
    assert main(["--artifacts", root, "lab", "--distances", "3", "--seeds", "2", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "6 trained, 6 skipped" in out and "/2" in out and "mean over seeds" in out
    points = [point for point in lab_points(lab_store) if point.distance == 3]
    assert sorted({point.seed for point in points}) == [42, 43] and len(points) == 12
    summary = accuracy_over_seeds(points)
    for (cell, init, distance), (mean, solved, runs) in summary.items():
        accuracies = [p.accuracy for p in points if (p.cell, p.init) == (cell, init)]
        assert runs == 2 and mean == pytest.approx(np.mean(accuracies))
        assert solved == sum(accuracy >= SOLVED for accuracy in accuracies)
    frame = tables.lab_frame(points)
    means, counts = tables.lab_table(points), tables.lab_table(points, solved=True)
    assert len(means) == len(counts) == 6
    expected = {f"{CELL_NAMES[cell]} ({init} start)": mean for (cell, init, _), (mean, _, _) in summary.items()}
    assert dict(zip(means["model"], means["D = 3"])) == pytest.approx(expected)
    solved = {f"{CELL_NAMES[cell]} ({init} start)": f"{k} of 2" for (cell, init, _), (_, k, _) in summary.items()}
    assert dict(zip(counts["model"], counts["D = 3"])) == solved
    figure = figures_lab.accuracy_by_distance(frame)
    dots = [trace for trace in figure.data if trace.mode == "markers"]
    assert len(dots) == 6 and all(len(trace.x) == 2 for trace in dots)  # every seed's run drawn
    assert main(["--artifacts", root, "lab", "--distances", "3", "--seeds", "0"]) == 2
    assert "--seeds must be at least 1" in capsys.readouterr().err


def test_accuracy_over_seeds_is_the_mean_and_the_runs_that_learned_it():
    from types import SimpleNamespace

    from pipelines.explain.memory_lab import LabPoint, accuracy_over_seeds

    record = SimpleNamespace(run_id="r")
    points = [LabPoint(100, "rnn", "identity", True, accuracy, 10, 1.0, record, seed)
              for seed, accuracy in ((42, 0.5), (43, 1.0), (44, 0.96))]  # fmt: skip
    points.append(LabPoint(100, "lstm", "chrono", True, 0.94, 2, 1.0, record, 42))
    assert accuracy_over_seeds(points) == {("rnn", "identity", 100): (pytest.approx(2.46 / 3), 2, 3),
                                           ("lstm", "chrono", 100): (pytest.approx(0.94), 0, 1)}  # fmt: skip


def test_models_that_lie_on_one_another_stay_tellable_apart_in_both_lab_charts():
    """Issue 22 (5): every model at 100%, and the LSTM (chrono) line hid the GRU (chrono) one in both charts. Each
    model now has a style of its own: a dash and a marker per cell, width and fill per start; solid drawn first,
    so that the dashed and dotted lines' gaps show what lies under them."""
    import pandas as pd

    from dashboard.features.lab import figures_lab

    models = [("rnn", "identity", True), ("rnn", "default", False), ("lstm", "chrono", True),
              ("lstm", "default", False), ("gru", "chrono", True), ("gru", "default", False)]  # fmt: skip
    frame = pd.DataFrame([{"distance": d, "cell": cell, "init": init, "fair": fair, "accuracy": 1.0, "seed": 42}
                          for cell, init, fair in models for d in (5, 50)])  # fmt: skip
    shares = {f"{cell} ({init})": {"cell": cell, "fair": fair, "shares": np.full(51, 1 / 51)}
              for cell, init, fair in models}  # fmt: skip
    for figure in (figures_lab.accuracy_by_distance(frame), figures_lab.lookback_lines(shares, 50)):
        lines = [trace for trace in figure.data if not trace.name.startswith("chance")]
        assert len(lines) == 6
        markers = "markers" in lines[0].mode
        styles = [(trace.line.dash, trace.line.width, trace.marker.symbol if markers else None) for trace in lines]
        assert len(set(styles)) == 6, styles  # no two models drawn alike
        cells = [trace.line.color for trace in lines]
        for one in range(6):
            for other in range(one):
                if cells[one] != cells[other]:  # another cell: another dash (and marker), not only another colour
                    assert styles[one][0] != styles[other][0] and (not markers or styles[one][2] != styles[other][2])
        fair = [trace for trace in lines if trace.line.width == max(t.line.width for t in lines)]
        assert [trace.line.dash for trace in fair] == ["solid", "dash", "dot"]  # the gapped lines drawn on top


@pytest.mark.parametrize("presentation", [False, True])
def test_the_gradient_charts_title_clears_its_panels_titles_and_symbols_have_subscripts(presentation):
    """Issue 22 (6): the title overlapped the first panel's title (in presentation mode), and "‖∂h_T/∂h_t‖"
    showed its underscores. Plotly puts the title's baseline halfway down the top margin; the panel titles sit `yshift`
    above the plot: with a line at 1.2 times the font size, the two must not meet."""
    from dashboard import figures, ui
    from dashboard.features.lab import figures_lab

    flows = {f"{cell} (chrono), accuracy 100%": {"cell": cell, "trained": np.geomspace(1, 1e-3, 7),
                                                 "initial": np.geomspace(1, 1e-5, 7)} for cell in ("rnn", "lstm")}
    panels = figures_lab.gradient_panels(flows, "‖∂h_T/∂h_t‖", "‖∂h_T/∂h_t‖: how much reaches")
    figure = figures.styled(panels, presentation=presentation)
    layout = figure.layout
    title_size = layout.title.font.size or layout.template.layout.title.font.size  # styled(): the look's template
    title_bottom = layout.margin.t / 2 + 0.3 * title_size  # the baseline, then the descenders
    for note in layout.annotations:
        assert note.y == 1 and note.yanchor == "bottom"  # a panel's title, above the plot
        assert title_bottom <= layout.margin.t - note.yshift - 1.2 * note.font.size
    assert layout.title.text == "‖∂h<sub>T</sub>/∂h<sub>t</sub>‖: how much reaches"
    assert layout.yaxis.title.text == "‖∂h<sub>T</sub>/∂h<sub>t</sub>‖"
    simulation = figures_lab.simulation_lines(np.arange(5), {"linear": np.ones(5)}, 0.9)
    assert simulation.layout.yaxis.title.text == "‖∂h<sub>T</sub>/∂h<sub>T−k</sub>‖"
    assert ui.maths("‖∂h_T/∂h_(T−k)‖") == r"$\Vert \partial h_{T}/\partial h_{T-k}\Vert $"  # captions, labels
    assert ui.with_maths("carried by c_t (∂c_t/∂c_(t-1) = diag(f_t)), not by W_hh alone") == (
        "carried by $c_{t}$ (∂$c_{t}$/∂$c_{t-1}$ = diag($f_{t}$)), not by $W_{hh}$ alone")  # the pipelines' prose


def test_any_texts_gradients_draw_each_quantity_in_its_own_style_and_name_it():
    """Issue 22 (6): ‖∂L/∂h_t‖ and ‖∂h_T/∂h_t‖, trained, were two identical solid lines."""
    from dashboard.features.lab import figures_lab

    figure = figures_lab.token_gradients(["it", "was", "good"], np.ones(3), np.ones(3), np.ones(3), "#3558d6", "GRU")
    styles = {(trace.line.dash, trace.marker.symbol) for trace in figure.data}
    assert len(figure.data) == 3 and len(styles) == 3
    names = [trace.name for trace in figure.data]
    assert all("<sub>" in name and "_" not in name for name in names) and len(set(names)) == 3
    assert "∂L/∂h<sub>t</sub>" in names[0] and "∂h<sub>T</sub>/∂h<sub>t</sub>" in names[2]
