"""Token attributions: how much each word moved the model towards a class.

One class per method, one call shape (after Captum's `attr` package, which does
the maths):

    method = IntegratedGradients(model, steps=32)
    result = method.attribute(token_ids, lengths, target=1)  # scores (batch, time), delta (batch,)

What is explained. F is the log-odds of the target class,
log(P / (1 - P)) = z_target - logsumexp(other logits); for two classes simply
the difference of the two logits. Every method's scores are in its units:
+1.5 means "this word moved the odds of the class about e^1.5 = 4.5 times
up", and Integrated Gradients' scores add up to F(text) - F(all padding).
Why not the probability itself: a trained model is usually confident, its
softmax is saturated, and there the probability hardly moves when one word
goes: Occlusion then scores two redundant polar words 0 each, gradients
vanish, and the Integrated Gradients path crosses a cliff that 32 steps
cannot follow. Log-odds add up word by word instead. (The page shows the
probabilities themselves in the prediction and the trajectory.)

The model is cut at its embedding layer (`forward_embedded`): a method
attributes to each embedding dimension and a token's score is the sum over its
dimensions (Saliency: the sum of their absolute values, see there). Scores at
padding are zero.

The baseline ("no words") of Integrated Gradients, DeepLift and Occlusion is
padding: every token's embedding replaced by PAD's. PyTorch keeps that row at
zero (the usual all-zeros embedding baseline) and the Keras converter writes
zeros there too; we still read the row rather than assume it. PAD is the token
the model saw after every text in training, the closest thing it knows to
"nothing here".

Recurrent kernels and gradients: cuDNN computes an RNN's backward pass only in
training mode. Every method runs inside `attribution_pass`, which keeps the
model in eval mode (dropout off: the scores explain the model's actual
prediction) and switches cuDNN off instead, so PyTorch uses its native kernels
on the GPU; on the CPU that changes nothing.
"""

from __future__ import annotations

import copy
import threading
import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import ClassVar, Iterator, Sequence

import numpy as np
import torch
from captum import attr as captum
from torch import nn

from ..data.text import PAD_ID
from ..models.torch_zoo import RecurrentClassifier, time_mask
from ..threads import single_thread

# Methods register hooks on the model (DeepLift) and switch its weights' gradients
# off for a while; a page may explain with one cached model from several threads.
_MODEL_LOCK = threading.RLock()
IG_STEPS = range(1, 1025)  # Integrated Gradients' path points: at least one, at most 1024
# Integrated Gradients with a tolerance first tries these two Gauss-Legendre rules (12 path points in all) and keeps
# the finer one when the two agree; otherwise it takes the full step count (see IntegratedGradients).
TRIAL_STEPS = (4, 8)
IG_TOLERANCE = 0.01  # the default: 1% of the largest score, and 1% of the change the scores must add up to


def check_ig_steps(steps: int) -> int:
    """`steps` if Integrated Gradients can take that many path points; a ValueError that says so otherwise."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps not in IG_STEPS:
        raise ValueError(f"Integrated Gradients needs {IG_STEPS.start} to {IG_STEPS.stop - 1} steps, got {steps!r}")
    return int(steps)


@dataclass
class AttributionResult:
    scores: np.ndarray  # (batch, time) float32, aligned to the tokens read; 0 at padding
    delta: np.ndarray | None  # (batch,) convergence delta: sum(scores) - (F(text) - F(baseline)), if the method has one
    steps: int | None = None  # Integrated Gradients: the path points the kept result used


class LogOddsModel(nn.Module):
    """The classifier from embeddings to each class's log-odds: the F every method explains."""

    def __init__(self, model: RecurrentClassifier):
        super().__init__()
        self.model = model

    def forward(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return log_odds(self.model.forward_embedded(embedded, lengths))  # (batch, classes)


def log_odds(logits: torch.Tensor) -> torch.Tensor:
    """log(P_c / (1 - P_c)) from logits (batch, classes): z_c - logsumexp of the other classes' logits."""
    classes = logits.shape[-1]
    others = logits.unsqueeze(1).expand(-1, classes, -1)  # (batch, class, other class)
    own = torch.eye(classes, dtype=torch.bool, device=logits.device)
    return logits - torch.logsumexp(others.masked_fill(own, float("-inf")), dim=-1)


@contextmanager
def attribution_pass(model: RecurrentClassifier) -> Iterator[None]:
    """Gradients through an eval-mode model, on the CPU or with cuDNN (which refuses that) switched off.

    The weights' own gradients are switched off for the pass (nothing here
    needs them, and autograd skips them where the kernel allows); the model's
    training flag and its weights' flags are restored afterwards. On the CPU
    the pass runs on one thread (`pipelines.threads`): even the batches of the
    per-run word statistics ran 5-10 times slower on two threads of our busy
    2-core machine.
    """
    with _MODEL_LOCK, ExitStack() as stack:
        was_training = model.training
        needed_grad = [parameter.requires_grad for parameter in model.parameters()]
        model.eval()
        model.requires_grad_(False)
        stack.callback(lambda: [p.requires_grad_(flag) for p, flag in zip(model.parameters(), needed_grad)])
        stack.callback(model.train, was_training)
        device = next(model.parameters()).device
        if device.type == "cuda":
            stack.enter_context(torch.backends.cudnn.flags(enabled=False))
        stack.enter_context(single_thread(device.type == "cpu"))
        stack.enter_context(torch.enable_grad())
        yield


def _sharing_weights(model: RecurrentClassifier) -> RecurrentClassifier:
    """A copy of `model`'s modules that holds the very same parameter and buffer tensors (no weights copied)."""
    shared = {id(tensor): tensor for tensor in (*model.parameters(), *model.buffers())}
    return copy.deepcopy(model, memo=shared)


def padding_baseline(model: RecurrentClassifier, embedded: torch.Tensor) -> torch.Tensor:
    """Every position's embedding replaced by PAD's (batch, time, embedding)."""
    return model.embedding.weight[PAD_ID].detach().expand_as(embedded).contiguous()


class TokenAttribution:
    """Base of every method: checks the inputs, embeds them, reduces to one score per token.

    Subclasses set `name`, `title`, `paper`, and implement `_attribute`, which
    returns attributions per embedding dimension (batch, time, embedding) and
    a convergence delta (batch,) or None.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    paper: ClassVar[str]
    signed: ClassVar[bool] = True  # False: scores are magnitudes (>= 0), not directions

    def __init__(self, model: RecurrentClassifier):
        if not isinstance(model, RecurrentClassifier):
            raise ValueError(f"{self.title} explains a RecurrentClassifier, got {type(model).__name__}")
        self.model = model
        # Captum hangs hooks on the modules it is given (DeepLift: on every ReLU); a private copy of the module
        # tree, sharing the weights, keeps them away from other sessions' predictions through the shared model.
        self.forward_function = LogOddsModel(_sharing_weights(model))

    def attribute(
        self, token_ids: torch.Tensor, lengths: torch.Tensor, target: int | Sequence[int]
    ) -> AttributionResult:
        """Scores (batch, time) for `token_ids` (batch, time), post-padded with 0, `lengths` (batch,) real tokens.

        `target`: the class whose log-odds are explained, one for all texts or one per text.
        """
        token_ids, lengths, targets = self._checked(token_ids, lengths, target)
        with attribution_pass(self.model):
            embedded = self.model.embedding(token_ids).detach().requires_grad_()  # (batch, time, embedding)
            baseline = padding_baseline(self.model, embedded)
            attributions, delta = self._attribute(embedded, baseline, lengths, targets)
        scores = self._scores(attributions, lengths).float().cpu().numpy()
        return AttributionResult(scores, None if delta is None else delta.detach().float().cpu().numpy(),
                                 getattr(self, "steps_taken", None))  # fmt: skip

    def _scores(self, attributions: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """One score per token (batch, time), 0 at padding."""
        return self._per_token(attributions.detach()) * time_mask(lengths, attributions.shape[1])

    def _per_token(self, attributions: torch.Tensor) -> torch.Tensor:
        return attributions.sum(dim=-1)  # (batch, time)

    def _checked(self, token_ids, lengths, target) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        device = self.model.embedding.weight.device
        token_ids = torch.as_tensor(token_ids, device=device)
        lengths = torch.as_tensor(lengths, device=device)
        if token_ids.dim() != 2 or token_ids.shape[1] == 0 or token_ids.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"token_ids must be integer ids (batch, time), time >= 1; got {tuple(token_ids.shape)}")
        if int(token_ids.min()) < 0 or int(token_ids.max()) >= self.model.spec.vocab_size:
            raise ValueError(f"token ids must lie in [0, {self.model.spec.vocab_size}) (the run's vocabulary)")
        if lengths.shape != token_ids.shape[:1] or int(lengths.min()) < 1 or int(lengths.max()) > token_ids.shape[1]:
            raise ValueError("lengths must give each text's real token count, between 1 and the padded width")
        classes = self.model.spec.num_classes
        targets = torch.as_tensor(target, device=device).long().reshape(-1)
        if targets.numel() == 1:
            targets = targets.expand(len(token_ids))
        if targets.numel() != len(token_ids) or int(targets.min()) < 0 or int(targets.max()) >= classes:
            raise ValueError(f"target must be a class index in [0, {classes}), one for all texts or one per text")
        return token_ids.long(), lengths.long(), targets.contiguous()

    def _attribute(self, embedded, baseline, lengths, targets) -> tuple[torch.Tensor, torch.Tensor | None]:
        raise NotImplementedError


class IntegratedGradients(TokenAttribution):
    """Integrated Gradients: gradients averaged along the straight path from the baseline to the text.

    Sundararajan, Taly & Yan (2017), "Axiomatic Attribution for Deep Networks",
    https://arxiv.org/abs/1703.01365. Completeness: the scores add up to
    F(text) - F(baseline); the reported delta is how far the `steps`-point
    Gauss-Legendre quadrature misses that (0 for the exact integral).

    With a `tolerance`, fewer steps are taken where they are as good: the
    integral is first computed with 4 and with 8 Gauss-Legendre points (12
    path points, against 32), and the 8-point result is kept when every token's
    score moved by at most `tolerance` x the largest score between the two
    rules and its delta is within `tolerance` x |F(text) - F(baseline)|; the
    difference between successive rules bounds the coarser one's error, so the
    kept scores are within that of the exact integral. Otherwise the full
    `steps` are taken, as without a tolerance, and so they are at once for a
    max-pooled model, whose path has a kink wherever the maximum changes hands.
    A mean- or last-pooled model's path is smooth and usually passes; a
    saturating one does not (BENCHMARKS.md).

        IntegratedGradients(model, steps=32).attribute(ids, lengths, target=1)
        IntegratedGradients(model, steps=32, tolerance=0.01)   # 8 steps when they agree to 1%
    """

    name = "integrated_gradients"
    title = "Integrated Gradients"
    paper = "Sundararajan et al. 2017, https://arxiv.org/abs/1703.01365"

    def __init__(self, model: RecurrentClassifier, steps: int = 32, tolerance: float | None = None):
        super().__init__(model)
        self.steps = check_ig_steps(steps)
        if tolerance is not None and not 0 < tolerance < 1:
            raise ValueError(f"the Integrated Gradients tolerance must lie between 0 and 1, got {tolerance!r}")
        self.tolerance = tolerance
        self.steps_taken = self.steps

    def _attribute(self, embedded, baseline, lengths, targets):
        # Max pooling bends the path wherever another token takes the maximum: the trial rules hardly ever agree
        # there (an untrained BiLSTM: 6e-3 error at 32 steps), so such a model goes straight to the full steps.
        smooth = self.model.spec.pooling != "max"
        if self.tolerance is not None and self.steps > TRIAL_STEPS[-1] and smooth:
            coarse, fine = (self._integral(embedded, baseline, lengths, targets, steps) for steps in TRIAL_STEPS)
            if self._agree(coarse, fine, lengths):
                self.steps_taken = TRIAL_STEPS[-1]
                return fine
        self.steps_taken = self.steps
        return self._integral(embedded, baseline, lengths, targets, self.steps)

    def _integral(self, embedded, baseline, lengths, targets, steps: int):
        method = captum.IntegratedGradients(self.forward_function)
        return method.attribute(
            embedded, baselines=baseline, target=targets, additional_forward_args=(lengths,), n_steps=steps,
            method="gausslegendre", return_convergence_delta=True,
        )  # fmt: skip

    def _agree(self, coarse, fine, lengths) -> bool:
        """Whether the finer rule's scores are within the tolerance of the exact integral, for every text."""
        coarse_scores, fine_scores = self._scores(coarse[0], lengths), self._scores(fine[0], lengths)
        largest = fine_scores.abs().amax(dim=1)  # (batch,)
        moved = (fine_scores - coarse_scores).abs().amax(dim=1)
        change = (fine_scores.sum(dim=1) - fine[1]).abs()  # F(text) - F(baseline), from the completeness identity
        return bool(((moved <= self.tolerance * largest) & (fine[1].abs() <= self.tolerance * change)).all())


class Saliency(TokenAttribution):
    """Saliency: how sensitive the output is to each word, |∂F/∂embedding| summed over dimensions.

    Simonyan, Vedaldi & Zisserman (2014), "Deep Inside Convolutional Networks",
    https://arxiv.org/abs/1312.6034. A magnitude, not a direction: scores are
    >= 0 (the L1 norm of the gradient), so draw them on a one-sided scale.
    """

    name = "saliency"
    title = "Saliency"
    paper = "Simonyan et al. 2014, https://arxiv.org/abs/1312.6034"
    signed = False

    def _attribute(self, embedded, baseline, lengths, targets):
        gradients = captum.Saliency(self.forward_function).attribute(
            embedded, target=targets, abs=True, additional_forward_args=(lengths,)
        )
        return gradients, None


class InputXGradient(TokenAttribution):
    """Input x Gradient: each embedding dimension times the output's gradient along it.

    Shrikumar, Greenside, Shcherbina & Kundaje (2016), "Not Just a Black Box",
    https://arxiv.org/abs/1605.01713. A first-order estimate of what removing
    the word (zeroing its embedding) would do; cheap, one backward pass.
    """

    name = "input_x_gradient"
    title = "Input × Gradient"
    paper = "Shrikumar et al. 2016, https://arxiv.org/abs/1605.01713"

    def _attribute(self, embedded, baseline, lengths, targets):
        method = captum.InputXGradient(self.forward_function)
        return method.attribute(embedded, target=targets, additional_forward_args=(lengths,)), None


class DeepLift(TokenAttribution):
    """DeepLIFT (Rescale rule): differences from the baseline propagated backwards.

    Shrikumar, Greenside & Kundaje (2017), "Learning Important Features Through
    Propagating Activation Differences", https://arxiv.org/abs/1704.02685.
    Captum applies the Rescale rule to elementwise nonlinearity modules (the
    head's ReLUs) and the plain gradient everywhere else:
    the gates inside the fused RNN kernels are not modules it can see, so the
    scores only approximately add up to F(text) - F(baseline); the delta says
    by how much.
    """

    name = "deeplift"
    title = "DeepLift"
    paper = "Shrikumar et al. 2017, https://arxiv.org/abs/1704.02685"

    def _attribute(self, embedded, baseline, lengths, targets):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Setting forward, backward hooks")  # it says so each call
            return captum.DeepLift(self.forward_function).attribute(
                embedded, baselines=baseline, target=targets, additional_forward_args=(lengths,),
                return_convergence_delta=True,
            )  # fmt: skip


class Occlusion(TokenAttribution):
    """Occlusion: F(text) - F(text with this one token replaced by padding).

    Zeiler & Fergus (2014), "Visualizing and Understanding Convolutional
    Networks", https://arxiv.org/abs/1311.2901, with a window of one token.
    We replace the token by PAD rather than delete it, so every other word keeps
    its position, and PAD is the same baseline Integrated Gradients and DeepLift
    use. Costs one forward pass per token (batched).
    """

    name = "occlusion"
    title = "Occlusion"
    paper = "Zeiler & Fergus 2014, https://arxiv.org/abs/1311.2901"

    def _attribute(self, embedded, baseline, lengths, targets):
        batch, time, features = embedded.shape
        per_pass = max(1, min(time, 4096 // (batch * time)))  # occluded copies per forward pass
        with torch.no_grad():  # forward passes only
            attributions = captum.Occlusion(self.forward_function).attribute(
                embedded, sliding_window_shapes=(1, features), strides=(1, features), baselines=baseline,
                target=targets, additional_forward_args=(lengths,), perturbations_per_eval=per_pass,
            )  # fmt: skip
        return attributions, None

    def _per_token(self, attributions: torch.Tensor) -> torch.Tensor:
        return attributions.mean(dim=-1)  # Captum gives every dimension of the window the whole difference


METHODS: dict[str, type[TokenAttribution]] = {
    method.name: method for method in (IntegratedGradients, Saliency, InputXGradient, DeepLift, Occlusion)
}


def unit_contributions(
    model: RecurrentClassifier, token_ids: torch.Tensor, lengths: torch.Tensor, target: int
) -> list[torch.Tensor]:
    """For one text (1, time): per layer, Σ_t h_j(t) · ∂F/∂h_j(t) for each unit j (directions*hidden,).

    F is the target's log-odds. Gradient x activation (Shrikumar et al. 2016) at
    the level of hidden units: positive for units that pushed towards the
    target class. The states are the model's own layer outputs (`forward_layers`;
    no hooks, which would catch other sessions' passes through a shared model).
    """
    assert token_ids.shape[0] == 1, "one text at a time"
    with attribution_pass(model):
        logits, outputs = model.forward_layers(model.embedding(token_ids).requires_grad_(), lengths)
        gradients = torch.autograd.grad(log_odds(logits)[:, target].sum(), outputs)
    return [(output * gradient).sum(dim=1).detach()[0] for output, gradient in zip(outputs, gradients)]
