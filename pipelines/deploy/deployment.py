"""Measuring a run's deployment report: loading it, building its variants, scoring and timing them.

    report = deploy_run(Store(), "torch-gru-bi-1x64-mean-7deb1978")    # a DeployReport, cached in deploy.json
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
import torch
from tqdm import tqdm

from ..data import Example
from ..encoding import EncodedSplit
from ..records import RunRecord
from ..store import Store
from ..tasks import require_recurrent_classifier
from .measure import batch_throughput, probabilities, scores, single_text_latency
from .report import DEPLOY_FILE, DeployReport, DeploySettings, VariantReport, cached_report
from .variants import ExportError, Variant, float_variant, int8_variant, onnx_variant


def require_deployable(record: RunRecord) -> None:
    """Refuse, in words, a run that is not a PyTorch recurrent classifier."""
    require_recurrent_classifier(record, "deploy")
    if record.framework != "torch":
        raise ValueError(f"deploy measures PyTorch runs (dynamic int8 quantisation and the ONNX export are PyTorch "
                         f"tools); {record.run_id} is a {record.framework} run: train the same model with "
                         "--framework torch and deploy that")  # fmt: skip


def deploy_run(store: Store, run_id: str, dataset: str | None = None, settings: DeploySettings | None = None,
               refresh: bool = False, show_progress: bool = False) -> DeployReport:  # fmt: skip
    """Measure (or, measured before with the same settings, read back) a run's deployment report."""
    settings = settings or DeploySettings()
    _check(settings)
    record = store.find_run(run_id, dataset)
    require_deployable(record)
    if not refresh and (cached := cached_report(store, record, settings)) is not None:
        return cached
    from ..runs import load_run  # imports the model code only when something is measured

    run = load_run(store, record.dataset, record.run_id)
    started = time.perf_counter()
    split = _test_split(store, record, run.vocabulary, settings)
    bar = tqdm(total=5, desc=f"deploy {record.run_id}", unit="step", disable=not show_progress)
    model = run.torch_model()
    variants = [float_variant(model, (record.path / run.backend.weights_file).stat().st_size)]
    unavailable = {}
    for name, build in (("int8", int8_variant), ("onnx", onnx_variant)):
        try:
            variants.append(build(model))
        except (ImportError, ExportError) as error:
            unavailable[name] = str(error)
    bar.update(1)

    measured = {}
    reference = probabilities(variants[0], split, settings.batch_size)
    for variant in variants:
        found = reference if variant is variants[0] else probabilities(variant, split, settings.batch_size)
        measured[variant.name] = scores(found, reference, split.labels, record.classes)
    bar.update(2)
    rng = np.random.default_rng(settings.seed)
    latency_texts = rng.choice(len(split), min(settings.latency_texts, len(split)), replace=False)
    latencies = single_text_latency(variants, split, latency_texts)
    bar.update(1)
    throughput_texts = rng.choice(len(split), min(settings.throughput_texts, len(split)), replace=False)
    throughputs = batch_throughput(variants, split, throughput_texts, settings.batch_size, settings.rounds)
    bar.update(1)
    bar.close()

    reports = [_variant_report(variant, measured[variant.name], latencies[variant.name], throughputs[variant.name],
                               variants[0], latencies["float"]) for variant in variants]  # fmt: skip
    reports += [VariantReport(name=name, title=_TITLES[name], available=False, problem=problem)
                for name, problem in unavailable.items()]  # fmt: skip
    report = DeployReport(
        run_id=record.run_id, dataset=record.dataset, label=record.model_spec.label(), cell=record.model_spec.cell,
        settings=settings, examples=len(split), variants=sorted(reports, key=lambda r: list(_TITLES).index(r.name)),
        machine=_machine(), versions=_versions(), created_at=time.time(), seconds=time.perf_counter() - started,
    )  # fmt: skip
    try:
        store.write_derived_json(record.dataset, record.run_id, DEPLOY_FILE, report.to_json())
    except OSError:
        pass  # a read-only store: the report is still returned, just not kept
    return report


_TITLES = {"float": "PyTorch float32 (eager)", "int8": "PyTorch dynamic int8", "onnx": "ONNX Runtime float32"}


def _variant_report(variant: Variant, measured: dict, seconds: np.ndarray, throughput: float, baseline: Variant,
                    baseline_seconds: np.ndarray) -> VariantReport:  # fmt: skip
    """One variant's figures; speed-up and size ratio are against the float model (`baseline`)."""
    p50 = float(np.percentile(seconds, 50) * 1000)
    return VariantReport(
        name=variant.name, title=variant.title, notes=variant.notes, size_bytes=variant.size_bytes,
        latency_p50_ms=p50, latency_p95_ms=float(np.percentile(seconds, 95) * 1000), throughput=throughput,
        speedup=float(np.percentile(baseline_seconds, 50) * 1000) / p50 if p50 > 0 else None,
        size_ratio=baseline.size_bytes / variant.size_bytes if variant.size_bytes else None, **measured,
    )  # fmt: skip


def _check(settings: DeploySettings) -> None:
    if settings.limit is not None and settings.limit < 1:
        raise ValueError(f"--limit must be at least 1, got {settings.limit}")
    if settings.latency_texts < 1 or settings.batch_size < 1 or settings.throughput_texts < 1 or settings.rounds < 1:
        raise ValueError("--latency-texts and --batch-size must be at least 1 (and so must the texts and rounds "
                         "of throughput)")  # fmt: skip


def _test_split(store: Store, record: RunRecord, vocabulary, settings: DeploySettings) -> EncodedSplit:
    """The run's test split (or a seeded sample of `limit` texts of it), as the model reads it."""
    frame = store.read_test_examples(record.dataset)
    if settings.limit is not None and settings.limit < len(frame):
        frame = frame.sample(settings.limit, random_state=settings.seed).sort_index()
    examples = [Example(str(row.id), str(row.text), int(row.label)) for row in frame.itertuples(index=False)]
    return EncodedSplit.encode(examples, vocabulary)


def _machine() -> dict:
    processor = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            processor = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"processor": processor, "cores": os.cpu_count(), "threads": torch.get_num_threads(),
            "load_average": round(os.getloadavg()[0], 2)}  # fmt: skip


def _versions() -> dict:
    try:
        import onnxruntime

        runtime = onnxruntime.__version__
    except ImportError:
        runtime = None
    return {"torch": torch.__version__, "onnxruntime": runtime}
