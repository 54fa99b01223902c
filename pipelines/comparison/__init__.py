"""Honest comparisons: seed spreads, and whether a difference between runs is real.

- seeds.py: runs that differ only in their seed, grouped; mean, standard deviation, t interval; Welch's t-test
- significance.py: McNemar's exact test and paired bootstrap intervals for two runs; every pair of a
  selection, Holm-adjusted; a sentence in plain words per pair; one run's score with its bootstrap interval
"""

from .seeds import SeedComparison, SeedGroup, Spread, across_seeds, seed_groups, spread, versus
from .significance import (
    Interval, McNemar, NotComparable, PairComparison, PairwiseTable, ScoreInterval, compare_pair, compare_runs,
    mcnemar_exact, paired_bootstrap, score_bootstrap, score_intervals,
)  # fmt: skip

__all__ = [
    "Interval", "McNemar", "NotComparable", "PairComparison", "PairwiseTable", "ScoreInterval", "SeedComparison",
    "SeedGroup", "Spread", "across_seeds", "compare_pair", "compare_runs", "mcnemar_exact", "paired_bootstrap",
    "score_bootstrap", "score_intervals", "seed_groups", "spread", "versus",
]  # fmt: skip
