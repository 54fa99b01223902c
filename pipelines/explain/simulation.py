"""Seed 001's vanishing-gradient simulation, live: a random RNN whose W_hh has a chosen spectral radius.

    curves = simulate(radius=0.9, steps=50)   # milliseconds: a slider can move it
    curves.linear    # ‖∂h_T/∂h_(T-k)‖ for k = 0..steps with h_t = W h_(t-1) + x_t: exactly radius^k
    curves.tanh      # the same for h_t = tanh(W h_(t-1) + x_t): tanh' ≤ 1 shrinks it further

The course's simulation multiplies a scalar by w at every step (0.9: vanishing,
1.0: stable, 1.1: exploding). Here the same story runs on a real, if random,
recurrent network: W is a random orthogonal matrix times the radius, so every
eigenvalue has modulus `radius` and ‖W^k‖ = radius^k exactly for the linear
network; the tanh network feeds random inputs, and its Jacobian product
∏ diag(1 - h_t²) W is computed step by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_STEPS = 1000
MAX_UNITS = 256


@dataclass(frozen=True)
class Simulation:
    radius: float
    steps: int
    units: int
    linear: np.ndarray  # (steps + 1,) ‖∂h_T/∂h_(T-k)‖₂, k = 0 .. steps
    tanh: np.ndarray  # (steps + 1,)
    saturation: float  # mean tanh'(·) = mean(1 - h²) over the run: below 1 it shrinks gradients on top of W


def simulate(radius: float, steps: int = 50, units: int = 32, input_scale: float = 1.0, seed: int = 0) -> Simulation:
    """Gradient norms k steps back through a random RNN with spectral radius `radius`."""
    if not 0 < radius <= 10:
        raise ValueError(f"the spectral radius must be in (0, 10], got {radius}")
    if not 1 <= steps <= MAX_STEPS or not 1 <= units <= MAX_UNITS:
        raise ValueError(f"steps must be 1 to {MAX_STEPS} and units 1 to {MAX_UNITS}")
    rng = np.random.default_rng(seed)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((units, units)))
    weights = radius * orthogonal  # every eigenvalue has modulus `radius`
    # The linear network: ∂h_T/∂h_(T-k) = W^k, whose norm is radius^k for a scaled orthogonal W.
    linear = radius ** np.arange(steps + 1, dtype=np.float64)
    # The tanh network: run it forwards, then multiply the step Jacobians diag(1 - h_t²) W from the end.
    h = np.zeros(units)
    derivatives = []
    for _ in range(steps):
        h = np.tanh(weights @ h + input_scale * rng.standard_normal(units))
        derivatives.append(1 - h**2)
    chain = np.eye(units)
    tanh = [1.0]
    for derivative in reversed(derivatives):
        chain = chain @ (derivative[:, None] * weights)
        tanh.append(np.linalg.norm(chain, 2))
    tiny = np.finfo(np.float64).tiny
    return Simulation(radius, steps, units, np.maximum(linear, tiny), np.maximum(np.array(tanh), tiny),
                      float(np.mean(derivatives)))  # fmt: skip
