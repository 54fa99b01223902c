"""Gradients through time, from a run's real weights: why a plain RNN forgets and a gated cell does not.

    flow = gradient_flow(run, "left mango pebble ... river")   # also: run.gradients(text)
    flow.trained[0].loss_gradient     # (tokens,) ‖∂L/∂h_t‖: how much the loss still "hears" of step t
    flow.trained[0].jacobian          # (tokens,) ‖∂h_T/∂h_t‖₂: how much of h_t reaches the last state
    flow.initial                      # the same at the run's initial weights (its seed, untrained)
    flow.matrices                     # the recurrent matrices' spectral radius, trained and initial

Backpropagation through time multiplies one Jacobian per step (Seed 001, 7.2.3):

    ∂L/∂h_t = ∂L/∂h_T · ∏_{k=t+1..T} ∂h_k/∂h_{k-1},   ∂h_k/∂h_{k-1} = diag(tanh'(·)) W_hh  (plain RNN)

so for a plain RNN ‖∂h_T/∂h_t‖ ≤ σ_max(W_hh)^(T-t): below 1, the gradient
vanishes geometrically (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov &
Bengio 2013, "On the difficulty of training recurrent neural networks",
https://arxiv.org/abs/1211.5063). An LSTM's cell state is carried by its forget
gate, ∂c_k/∂c_{k-1} = diag(f_k) (the "constant error carousel"), and a GRU's
state by its update gate, so with those gates near 1 the product does not
shrink.

How: every layer and direction is unrolled step by step with the cells'
equations (`internals.unroll`, the same code the Inside page draws from), in
float64, and each step's h_t (and an LSTM's c_t) is a node of the graph. The
gradient autograd leaves on that node is the *total* derivative: every path
from h_t to the loss (the next step's recurrence and, in a stack, the layer
above), not only the direct one. The loss is the cross-entropy of the target
class (the true class for test texts; the predicted one for a typed text).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np
import torch
from torch import nn

from ..models.cells import WEIGHT_BLOCKS
from ..models.convert import TORCH_GATE_ORDER
from ..models.torch_zoo import RecurrentClassifier, pool
from ..threads import single_thread
from .explanation import ExplainableRun
from .internals import cell_of, gru_step, lstm_step, project_inputs, rnn_step, unroll

KEEP_GATE = {"lstm": "forget", "gru": "update"}  # the gate that carries the old state on
TINY = np.finfo(np.float64).tiny  # the smallest positive float64: a gradient below it reads as this, not 0


class GradientRun(ExplainableRun, Protocol):
    """What gradient flow needs of a loaded run; `pipelines.runs.LoadedRun` is one."""

    def initial_torch_model(self) -> RecurrentClassifier: ...


@dataclass
class StateGradients:
    """One direction of one layer, one value per token read (in the text's order)."""

    layer: int  # 0 = the layer reading the embeddings
    direction: str  # forward | backward
    loss_gradient: np.ndarray  # (tokens,) ‖∂L/∂h_t‖₂, every path from h_t to the loss
    jacobian: np.ndarray  # (tokens,) ‖∂h_last/∂h_t‖₂ (spectral norm); last = the direction's final step
    cell_loss_gradient: np.ndarray | None = None  # (tokens,) ‖∂L/∂c_t‖₂: an LSTM's memory cell
    cell_jacobian: np.ndarray | None = None  # (tokens,) ‖∂c_last/∂c_t‖₂
    keep_gate: float | None = None  # mean forget (LSTM) or update (GRU) gate over the text: the carry factor

    def steps_back(self, values: np.ndarray) -> np.ndarray:
        """`values` re-indexed by steps before this direction's final step (index 0 = the final step)."""
        return values[::-1] if self.direction == "forward" else values

    def to_json(self) -> dict:
        return {key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in asdict(self).items()}


@dataclass(frozen=True)
class RecurrentMatrix:
    """One block of a recurrent weight matrix W_hh and what its size implies for gradients."""

    layer: int
    direction: str
    block: str  # the gate or candidate it drives ("hidden" for a plain RNN)
    spectral_radius: float  # max |eigenvalue|
    largest_singular_value: float  # the most one step can stretch a state

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class GradientFlow:
    run_id: str
    label: str
    cell: str
    tokens: list[str]  # what the model read (the first maxlen tokens)
    classes: list[str]
    target: int  # the class whose cross-entropy is the loss
    loss: float  # at the trained weights
    initial_loss: float
    trained: list[StateGradients]
    initial: list[StateGradients]  # the same model at its initial weights (the run's seed)
    matrices: dict[str, list[RecurrentMatrix]]  # "trained" / "initial" -> every layer, direction and block

    @property
    def target_class(self) -> str:
        return self.classes[self.target]

    def meaning(self) -> str:
        """What the recurrent matrices imply, in words, for the first layer's forward direction."""
        return spectral_meaning(self.cell, self.matrices["trained"], self.trained[0].keep_gate, len(self.tokens))

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "label": self.label, "cell": self.cell, "tokens": list(self.tokens),
            "classes": list(self.classes), "target": self.target, "loss": self.loss,
            "initial_loss": self.initial_loss,
            "trained": [states.to_json() for states in self.trained],
            "initial": [states.to_json() for states in self.initial],
            "matrices": {name: [matrix.to_json() for matrix in matrices] for name, matrices in self.matrices.items()},
            "meaning": self.meaning(),
        }  # fmt: skip


def gradient_flow(run: GradientRun, text: str, target: int | str | None = None, jacobians: bool = True) -> GradientFlow:
    """‖∂L/∂h_t‖ and ‖∂h_T/∂h_t‖ for every token, layer and direction of one text, trained and at initialisation.

    Args:
        run: a loaded recurrent classifier (any framework; Keras runs through their PyTorch twin).
        text: what to read (the first maxlen tokens are read).
        target: the class whose cross-entropy is differentiated, by index or name; the predicted one by default.
        jacobians: also the Jacobian norms (one backward pass per state unit, all steps at once).

    Raises ValueError for a text without tokens or an unknown class.

        flow = gradient_flow(run, "Not bad at all.")
        flow.trained[0].loss_gradient   # (tokens,)
    """
    ids = run.vocabulary.encode(text) if isinstance(text, str) else None
    if not ids:
        raise ValueError("there is nothing to differentiate: the text has no words or symbols; type a sentence")
    with single_thread():  # one step of a small recurrence is microseconds: a second thread only waits (threads.py)
        trained, initial = _double(run.torch_model()), _double(run.initial_torch_model())
        target_index = _target(trained, ids, target, run.classes)
        gradients, losses = state_gradients(trained, [ids], [target_index], jacobians)
        initial_gradients, initial_losses = state_gradients(initial, [ids], [target_index], jacobians)
    tokens = [run.vocabulary.tokens[i] for i in ids]
    return GradientFlow(run.run_id, run.label, run.spec.cell, tokens, list(run.classes), target_index, losses[0],
                        initial_losses[0], [g.text(0) for g in gradients], [g.text(0) for g in initial_gradients],
                        {"trained": recurrent_matrices(trained), "initial": recurrent_matrices(initial)})  # fmt: skip


@dataclass
class BatchGradients:
    """One direction of one layer for a batch of equally long texts: arrays (texts, tokens) in the text's order."""

    layer: int
    direction: str
    loss_gradient: np.ndarray
    jacobian: np.ndarray
    cell_loss_gradient: np.ndarray | None
    cell_jacobian: np.ndarray | None
    keep_gate: np.ndarray | None  # (texts,) mean forget/update gate over each text

    def text(self, index: int) -> StateGradients:
        def row(values):
            return None if values is None else values[index]

        keep = None if self.keep_gate is None else float(self.keep_gate[index])
        return StateGradients(self.layer, self.direction, self.loss_gradient[index], self.jacobian[index],
                              row(self.cell_loss_gradient), row(self.cell_jacobian), keep)  # fmt: skip


def state_gradients(model: RecurrentClassifier, ids: list[list[int]], targets: list[int],
                    jacobians: bool = True) -> tuple[list[BatchGradients], list[float]]:  # fmt: skip
    """Per-step gradient norms of a batch of equally long texts (token ids), every layer and direction.

    The loss is the sum of the texts' cross-entropies, so each text's states get that text's own gradient.
    Returns the gradients and each text's loss. `model` is used as given (`gradient_flow` passes a float64 copy).
    """
    device = model.embedding.weight.device
    token_ids = torch.as_tensor(ids, device=device)  # (texts, time)
    assert token_ids.dim() == 2, "a batch of equally long texts"
    traced = []  # (layer, direction, rnn, inputs read, states, cells, values) per direction, in the model's order
    with torch.enable_grad():
        # The graph starts at the embeddings (the weights' own gradients are not needed): (time, texts, embedding)
        inputs = model.embedding(token_ids).detach().transpose(0, 1).requires_grad_()
        for index, layer in enumerate(model.encoder.layers):
            outputs = []
            for direction, rnn in (("forward", layer.forward_rnn), ("backward", layer.backward_rnn)):
                if rnn is None:
                    continue
                states, cells = [], []
                read = inputs if direction == "forward" else inputs.flip(0)  # a backward direction starts at the end
                values = unroll(rnn, read, states, cells)
                traced.append((index, direction, rnn, read, states, cells, values))
                hidden = values["hidden"]  # (time, texts, hidden), in reading order
                outputs.append(hidden if direction == "forward" else hidden.flip(0))
            inputs = torch.cat(outputs, dim=-1)  # (time, texts, directions*hidden): the next layer reads this
        lengths = torch.full((len(ids),), token_ids.shape[1], device=device)
        pooled = pool(inputs.transpose(0, 1), lengths, model.spec.pooling, model.spec.hidden_size)
        losses = nn.functional.cross_entropy(model.head(pooled), torch.as_tensor(targets, device=device),
                                             reduction="none")  # fmt: skip
        nodes = [node for *_, states, cells, _ in traced for node in (*states, *cells)]
        grads = torch.autograd.grad(losses.sum(), nodes, allow_unused=True)
    grad_of = {id(node): grad for node, grad in zip(nodes, grads)}
    results = []
    for index, direction, rnn, read, states, cells, values in traced:
        order = slice(None) if direction == "forward" else slice(None, None, -1)  # back to the text's order
        hidden_chain, cell_chain = jacobian_chain(rnn, read, states, cells) if jacobians else (None, None)
        blank = np.zeros((len(ids), len(states)))
        keep = values[KEEP_GATE[cell_of(rnn)]].detach().mean(dim=(0, 2)).cpu().numpy() if cell_of(rnn) in KEEP_GATE \
            else None  # fmt: skip
        results.append(BatchGradients(
            index, direction, _norms(states, grad_of)[:, order],
            hidden_chain[:, order] if jacobians else blank,
            _norms(cells, grad_of)[:, order] if cells else None,
            (cell_chain[:, order] if jacobians else blank) if cells else None,
            keep,
        ))  # fmt: skip
    return results, [float(loss) for loss in losses.detach()]


def summarise(batches: list[list[BatchGradients]]) -> list[StateGradients]:
    """Many texts' gradients as one typical text: by steps before each direction's final step, the geometric mean
    over the texts that reach that far (gradients span many orders of magnitude; their logs average fairly).

    `batches` holds `state_gradients` results of texts grouped by length; the arrays of the result are indexed
    by steps back (0 = the final step), which `StateGradients.steps_back` leaves as it is for a summary.
    """
    summary = []
    for position, first in enumerate(batches[0]):
        def pooled(name):
            arrays = [getattr(batch[position], name) for batch in batches]
            if arrays[0] is None:
                return None
            back = [values[:, ::-1] if first.direction == "forward" else values for values in arrays]  # steps back
            longest = max(values.shape[1] for values in back)
            logs = np.full((sum(len(values) for values in back), longest), np.nan)
            row = 0
            for values in back:
                logs[row : row + len(values), : values.shape[1]] = np.log10(values)
                row += len(values)
            mean = 10 ** np.nanmean(logs, axis=0)
            return mean[::-1] if first.direction == "forward" else mean  # steps_back() reads it back

        keeps = [batch[position].keep_gate for batch in batches if batch[position].keep_gate is not None]
        summary.append(StateGradients(first.layer, first.direction, pooled("loss_gradient"), pooled("jacobian"),
                                      pooled("cell_loss_gradient"), pooled("cell_jacobian"),
                                      float(np.mean(np.concatenate(keeps))) if keeps else None))  # fmt: skip
    return summary


def recurrent_matrices(model: RecurrentClassifier) -> list[RecurrentMatrix]:
    """The spectral radius and largest singular value of every block of every W_hh."""
    matrices = []
    for index, layer in enumerate(model.encoder.layers):
        for direction, rnn in (("forward", layer.forward_rnn), ("backward", layer.backward_rnn)):
            if rnn is None:
                continue
            weights = rnn.weight_hh_l0.detach().double().cpu().numpy()  # (blocks*hidden, hidden)
            cell, size = cell_of(rnn), rnn.hidden_size
            for position, block in enumerate(TORCH_GATE_ORDER[cell]):  # PyTorch's packing of weight_hh
                matrix = weights[position * size : (position + 1) * size]
                matrices.append(RecurrentMatrix(index, direction, block, float(np.abs(np.linalg.eigvals(matrix)).max()),
                                                float(np.linalg.norm(matrix, 2))))  # fmt: skip
    assert {m.block for m in matrices} <= set(WEIGHT_BLOCKS[model.spec.cell]), "the cells' table and PyTorch agree"
    return matrices


def spectral_meaning(cell: str, matrices: list[RecurrentMatrix], keep_gate: float | None, steps: int) -> str:
    """What the first layer's forward W_hh (and, for gated cells, the keep gate) implies for gradients."""
    first = [m for m in matrices if m.layer == 0 and m.direction == "forward"]
    if cell == "rnn":
        (matrix,) = first
        sigma, radius = matrix.largest_singular_value, matrix.spectral_radius
        if sigma < 1:
            return (f"Largest singular value {sigma:.2f} < 1: each step can only shrink the gradient (tanh' ≤ 1), "
                    f"so after {steps - 1} steps at most {sigma:.2f}^{steps - 1} = {sigma ** (steps - 1):.1e} of it is "
                    "left: the gradient vanishes and the first words cannot be learned from.")  # fmt: skip
        if radius > 1:
            return (f"Spectral radius {radius:.2f} > 1: along its leading direction W_hh stretches the state, so "
                    "gradients can grow from step to step (explode) until tanh saturates; gradient clipping keeps "
                    "training stable. A trained RNN often keeps what it remembers in saturated units (an attractor: "
                    "tanh' ≈ 0), where a small change dies out at once: the stored bit survives, but the gradient "
                    "vanishes anyway (Bengio, Simard & Frasconi 1994), which is why it cannot learn from far back.")
        return (f"Spectral radius {radius:.2f} ≤ 1 but largest singular value {sigma:.2f} ≥ 1: a few steps can "
                "stretch the gradient, many steps shrink it; with tanh' ≤ 1 it still fades over long distances.")
    gate = KEEP_GATE[cell]
    carried = "c_t (∂c_t/∂c_(t-1) = diag(f_t))" if cell == "lstm" else "h_t (∂h_t/∂h_(t-1) ⊇ diag(z_t))"
    text = f"A gated cell's memory is carried by its {gate} gate: {carried}, not by W_hh alone. "
    if keep_gate is not None:
        text += (f"The mean {gate} gate on this text is {keep_gate:.2f}; kept for {steps - 1} steps that leaves "
                 f"{keep_gate:.2f}^{steps - 1} = {keep_gate ** (steps - 1):.1e} of a unit's memory, "
                 "and a unit whose gate sits at 1 keeps all of it.")  # fmt: skip
    return text


# ----------------------------------------------------------------------------


def _double(model: RecurrentClassifier) -> RecurrentClassifier:
    """A float64 copy in eval mode: gradients a hundred orders of magnitude apart stay distinct."""
    return copy.deepcopy(model).double().eval().requires_grad_(False)


def _target(model: RecurrentClassifier, ids: list[int], target, classes: list[str]) -> int:
    if target is None:
        with torch.inference_mode():
            token_ids = torch.as_tensor([ids], device=model.embedding.weight.device)
            return int(model(token_ids).argmax())
    if isinstance(target, str) and target in classes:
        return list(classes).index(target)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and 0 <= target < len(classes):
        return int(target)
    raise ValueError(f"unknown target class {target!r}; choose one of {', '.join(classes)} or its index")


def _norms(nodes: list[torch.Tensor], grad_of: dict) -> np.ndarray:
    """‖gradient‖₂ of each node (texts, steps), 0 where the loss does not depend on it, floored at TINY."""
    norms = [torch.zeros(node.shape[0]) if grad_of[id(node)] is None else grad_of[id(node)].norm(dim=-1)
             for node in nodes]  # fmt: skip
    return np.maximum(torch.stack(norms, dim=1).detach().cpu().numpy(), TINY)


def jacobian_chain(rnn: nn.RNNBase, inputs: torch.Tensor, states: list[torch.Tensor],
                   cells: list[torch.Tensor]) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """‖∂h_last/∂h_t‖₂ for every step t of one direction (and ‖∂c_last/∂c_t‖₂ for an LSTM): (texts, steps),
    in reading order, for the batch of texts `inputs` (time, texts, features) read into `states` (and `cells`).

    Each step's own Jacobian J_k = ∂s_k/∂s_(k-1) comes from autograd on the cell's one-step equations
    (`internals.*_step`), every step of every text at once (one backward pass per state unit); the chain
    J_last ··· J_(t+1) is then one matrix product per step, the backpropagation-through-time product itself.
    An LSTM's state s is [h ; c]. h_t feeds nothing of c_t, so ∂h_last/∂h_t is the chain's h-to-h block;
    c_t also feeds h_t (h_t = o_t tanh(c_t)), a path ∂c_last/∂c_t includes, as autograd on the node c_t would.
    """
    size, cell = rnn.hidden_size, cell_of(rnn)
    x = project_inputs(rnn, inputs.detach()).detach()  # (time, texts, blocks*hidden)
    s = torch.stack([node.detach() for node in states])  # (time, texts, hidden)
    if cell == "lstm":
        s = torch.cat([s, torch.stack([node.detach() for node in cells])], dim=-1)  # (time, texts, 2*hidden)
    previous = s[:-1].clone().requires_grad_()  # (time-1, texts, state): the state each later step starts from
    with torch.enable_grad():
        if cell == "lstm":
            h, c, _, _ = lstm_step(rnn, x[1:], previous[..., :size], previous[..., size:])
            after = torch.cat([h, c], dim=-1)
        else:
            after = rnn_step(rnn, x[1:], previous) if cell == "rnn" else gru_step(rnn, x[1:], previous)[0]
        rows = [torch.autograd.grad(after[..., unit].sum(), previous, retain_graph=True)[0]
                for unit in range(after.shape[-1])]  # fmt: skip  (steps are independent: row `unit` of every J_k)
    steps = torch.stack(rows, dim=-2)  # (time-1, texts, state, state): J_k = ∂s_k/∂s_(k-1)
    chain = torch.eye(s.shape[-1], dtype=s.dtype, device=s.device).expand(s.shape[1], -1, -1)
    chains = [chain]
    for jacobian in reversed(steps):  # from the last step back: ∂s_last/∂s_(k-1) = ∂s_last/∂s_k · J_k
        chain = chain @ jacobian
        chains.append(chain)
    chains = torch.stack(chains[::-1], dim=1)  # (texts, time, state, state): ∂s_last/∂s_t
    hidden_norms = torch.linalg.matrix_norm(chains[..., :size, :size], ord=2).cpu().numpy()
    if cell != "lstm":
        return np.maximum(hidden_norms, TINY), None
    # ∂c_last/∂c_t = ∂c_last/∂c_t|h_t held + ∂c_last/∂h_t · ∂h_t/∂c_t, with ∂h_t/∂c_t = diag(o_t (1 - tanh² c_t))
    h_before = torch.cat([torch.zeros_like(s[:1, :, :size]), s[:-1, :, :size]])  # h_(t-1); h_(-1) = 0
    output = torch.sigmoid(x[..., 3 * size :] + h_before @ rnn.weight_hh_l0[3 * size :].T)  # o_t (time, texts, H)
    through_h = (output * (1 - torch.tanh(s[..., size:]) ** 2)).transpose(0, 1)  # (texts, time, hidden)
    memory = chains[..., size:, size:] + chains[..., size:, :size] * through_h.unsqueeze(-2)
    memory_norms = torch.linalg.matrix_norm(memory, ord=2).detach().cpu().numpy()
    return np.maximum(hidden_norms, TINY), np.maximum(memory_norms, TINY)
