"""An encoder-decoder's decoder step against the NumPy reference: what `verify --run RUN` does for a seq2seq run.

    report = verify_translator(Store(), "torch-gru-additive-uni-64-3f9a1c2e", limit=100)
    report.max_abs_difference, report.differing_outputs, report.agree

For each test source the model decodes greedily in PyTorch; the reference
(`models/seq2seq_reference.py`, float64) starts from the same encoder states and
the same first decoder state, reads the same previous symbols, and computes
every step again on its own: its own states carried from step to step. They
agree when no probability or attention weight differs by more than `TOLERANCE`
and the reference's likeliest symbol is the model's at every step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..data.seq2seq import START_ID, Pair
from ..models.seq2seq_reference import DecoderStep, DecoderWeights, decoder_step, decoder_weights_from_torch
from ..records import Record
from ..store import Store
from ..tasks import require_seq2seq
from ..threads import single_thread
from .pairs import decoding_steps
from .runs import LoadedTranslator, load_translator

TOLERANCE = 1e-5  # float32 against float64, as the classifiers' verify
DEFAULT_LIMIT = 200  # test sources checked, step by step


class TranslatorVerifyReport(Record):
    run_id: str
    dataset: str
    label: str
    examples: int
    examples_total: int
    steps: int  # decoder steps compared
    tolerance: float
    max_abs_difference: float  # probabilities
    max_attention_difference: float
    differing_outputs: int  # steps where the likeliest symbol differs
    seconds: float
    agree: bool


@dataclass
class StepComparison:
    framework_probabilities: np.ndarray  # (steps, symbols)
    reference_probabilities: np.ndarray
    framework_attention: np.ndarray | None  # (steps, source)
    reference_attention: np.ndarray | None


def compare_source(model, source_ids: np.ndarray, previous: list[int] | None = None,
                   weights: DecoderWeights | None = None) -> StepComparison:  # fmt: skip
    """PyTorch's decoder and the reference, step by step over one source; `previous` are the symbols each step
    reads after START (default: PyTorch's own greedy output); `weights` the reference's (default: the model's)."""
    model.eval()
    dtype = next(model.parameters()).dtype
    source = torch.from_numpy(source_ids)[None, :]
    with torch.no_grad():
        memory, state = model.encode(source, torch.tensor([len(source_ids)]))
        if previous is None:
            decoded = model.greedy(source, torch.tensor([len(source_ids)]), decoding_steps(model, len(source_ids)))
            previous = decoded.ids[0].tolist()[:-1]
        inputs = [START_ID, *previous]
        weights = weights or decoder_weights_from_torch(model.spec, model.state_dict())
        states = memory.states[0].double().numpy()
        last = memory.last[0].double().numpy()
        hidden = (state[0] if isinstance(state, tuple) else state)[0].double().numpy()
        cell = state[1][0].double().numpy() if isinstance(state, tuple) else None
        framework, reference, framework_attention, reference_attention = [], [], [], []
        for symbol in inputs:
            logits, state, attention = model.step(torch.tensor([symbol]), state, memory)
            framework.append(torch.softmax(logits.to(dtype), -1)[0].double().numpy())
            if attention is not None:
                framework_attention.append(attention[0].double().numpy())
            step: DecoderStep = decoder_step(weights, symbol, hidden, cell, states, last)
            hidden, cell = step.hidden, step.cell
            reference.append(step.probabilities)
            if step.attention is not None:
                reference_attention.append(step.attention)
    stack = lambda rows: np.array(rows) if rows else None  # noqa: E731
    return StepComparison(np.array(framework), np.array(reference), stack(framework_attention),
                          stack(reference_attention))  # fmt: skip


def verify_translator(store: Store, run_id: str, dataset: str | None = None, limit: int | None = DEFAULT_LIMIT,
                      run: LoadedTranslator | None = None) -> TranslatorVerifyReport:  # fmt: skip
    """The reference against PyTorch on (a seeded sample of `limit`) test sources of the run's task."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1 test source, got {limit}")
    if run is None:
        record = store.find_run(run_id, dataset)
        require_seq2seq(record, "verify")
        run = load_translator(store, record.dataset, run_id)
    frame = store.read_test_examples(run.dataset)
    total = len(frame)
    if limit is not None and limit < total:
        frame = frame.sample(n=limit, random_state=0).sort_index()
    pairs = [Pair(str(row.id), str(row.text), str(row.target)) for row in frame.itertuples()]
    started = time.perf_counter()
    largest, largest_attention, differing, steps = 0.0, 0.0, 0, 0
    weights = decoder_weights_from_torch(run.spec, run.model.state_dict())
    for pair in pairs:
        with single_thread():  # one source, one step at a time (pipelines/threads.py)
            comparison = compare_source(run.model, run.symbols.encode(pair.source), weights=weights)
        largest = max(largest, float(np.abs(comparison.framework_probabilities
                                            - comparison.reference_probabilities).max()))  # fmt: skip
        if comparison.framework_attention is not None:
            largest_attention = max(largest_attention, float(np.abs(comparison.framework_attention
                                                                    - comparison.reference_attention).max()))
        differing += int((comparison.framework_probabilities.argmax(1)
                          != comparison.reference_probabilities.argmax(1)).sum())  # fmt: skip
        steps += len(comparison.framework_probabilities)
    return TranslatorVerifyReport(
        run_id=run.run_id, dataset=run.dataset, label=run.label, examples=len(pairs), examples_total=total,
        steps=steps, tolerance=TOLERANCE, max_abs_difference=largest, max_attention_difference=largest_attention,
        differing_outputs=differing, seconds=time.perf_counter() - started,
        agree=largest <= TOLERANCE and largest_attention <= TOLERANCE and differing == 0,
    )  # fmt: skip


def format_translator_report(report: TranslatorVerifyReport) -> str:
    return "\n".join([
        f"{report.run_id}  ({report.label}, {report.dataset}, {report.examples:,} of {report.examples_total:,} "
        f"test sources, {report.steps:,} decoder steps)",
        f"  max |p_framework - p_reference|  {report.max_abs_difference:.2e}  (tolerance {report.tolerance:.0e})",
        f"  max |attention difference|       {report.max_attention_difference:.2e}",
        f"  steps with another likeliest symbol  {report.differing_outputs}",
        f"  time                             {report.seconds:.2f} s",
        "  AGREE" if report.agree else "  DISAGREE",
    ])  # fmt: skip
