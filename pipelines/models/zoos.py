"""Named zoos: the sets of architectures the pipelines train together.

- quick: CPU-sized, every cell in both directions plus a stacked model, so the
  dashboard has RNN vs LSTM vs GRU and uni vs bi after a few minutes.
- full: GPU-sized, the seeds' configurations, incl. seed 000's stacked BiLSTM
  with a dense head and batch norm, and the same shape for GRU and RNN.
- sweep: seed 002's studies for each cell: depth 1/2/3, width 32/64/128 and
  uni vs bi, each varying one factor from a shared base.
"""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatch

from .spec import CELLS, ModelSpec

SWEEP_BASE = ModelSpec(layers=1, hidden_size=64, embedding_size=64, pooling="mean", dropout=0.5)
SWEEP_STUDIES = {
    "depth": ("layers", (1, 2, 3)),
    "width": ("hidden_size", (32, 64, 128)),
    "direction": ("bidirectional", (False, True)),
}


def quick_zoo() -> list[ModelSpec]:
    base = ModelSpec(hidden_size=64, embedding_size=64, pooling="mean", dropout=0.5)
    specs = [replace(base, cell=cell, bidirectional=bi) for cell in CELLS for bi in (False, True)]
    return specs + [replace(base, cell="lstm", layers=2)]


def full_zoo() -> list[ModelSpec]:
    seed_000 = ModelSpec(
        bidirectional=True, layers=3, hidden_size=256, embedding_size=128,
        dropout=0.3, pooling="max", head=(256, 128), batch_norm=True,
    )  # fmt: skip
    specs = []
    for cell in CELLS:
        specs.append(replace(seed_000, cell=cell))
        # Mean pooling and dropout 0.5: on IMDb this BiGRU reached 0.877 test accuracy, with max pooling
        # (and lr 0.001) 0.865 (BENCHMARKS.md).
        specs.append(ModelSpec(cell=cell, bidirectional=True, hidden_size=128, embedding_size=128, pooling="mean",
                               dropout=0.5))  # fmt: skip
        specs.append(ModelSpec(cell=cell, layers=2, hidden_size=128, embedding_size=128, pooling="last"))
    return specs


def sweep_zoo() -> list[ModelSpec]:
    specs: list[ModelSpec] = []
    for cell in CELLS:
        for field_name, values in SWEEP_STUDIES.values():
            for value in values:
                spec = replace(SWEEP_BASE, cell=cell, **{field_name: value})
                if spec not in specs:  # the base appears in every study; train it once
                    specs.append(spec)
    return specs


# The memory lab: one way, one layer, the final state only (pooling "last"), no dropout (it would hide the
# marker itself). Each cell starts as fairly as it can (FAIR_INIT), and from PyTorch's default start too:
# that comparison is the lab's second lesson (the gates make memory possible, their start makes it learnable).
MEMORY_BASE = ModelSpec(hidden_size=64, embedding_size=32, pooling="last", dropout=0.0)
FAIR_INIT = {"rnn": "identity", "lstm": "chrono", "gru": "chrono"}


def memory_zoo() -> list[ModelSpec]:
    fair = [replace(MEMORY_BASE, cell=cell, init=FAIR_INIT[cell]) for cell in CELLS]
    return fair + [replace(MEMORY_BASE, cell=cell) for cell in CELLS]


ZOOS = {"quick": quick_zoo, "full": full_zoo, "sweep": sweep_zoo, "memory": memory_zoo}


def zoo(name: str, only: list[str] | None = None) -> list[ModelSpec]:
    """The specs of a zoo; `only` keeps those whose short name matches a glob, e.g. 'gru-bi-*'."""
    if name not in ZOOS:
        raise ValueError(f"unknown zoo {name!r}; choose one of: {', '.join(ZOOS)}")
    return matching(name, ZOOS[name](), only)


def matching(name: str, specs: list, only: list[str] | None) -> list:
    """The specs of zoo `name` whose short name matches a glob of `only` (all of them without `only`)."""
    if not only:
        return specs
    kept = [spec for spec in specs if any(fnmatch(spec.short_name(), pattern) for pattern in only)]
    if not kept:
        names = ", ".join(spec.short_name() for spec in specs)
        raise ValueError(f"--only {' '.join(only)} matches nothing in the {name} zoo; its models: {names}")
    return kept


def sweep_study_of(spec: ModelSpec) -> list[tuple[str, object]]:
    """The (study, value) pairs a spec belongs to, e.g. [('depth', 2)]; empty if none."""
    memberships = []
    for study, (field_name, values) in SWEEP_STUDIES.items():
        value = getattr(spec, field_name)
        base_for_cell = replace(SWEEP_BASE, cell=spec.cell, **{field_name: value})
        comparable = replace(spec, vocab_size=0, num_classes=0)
        if value in values and comparable == base_for_cell:
            memberships.append((study, value))
    return memberships
