"""The `deploy` command: what a finished PyTorch run costs to serve, as float32, dynamic int8 and ONNX Runtime.

    from pipelines.deploy.deployment import deploy_run      # imports torch and ONNX Runtime
    report = deploy_run(Store(), "torch-gru-bi-1x64-mean-7deb1978")
    print(format_report(report))

For each variant (`variants.py`): its size, single-text latency (p50/p95, one
thread), batch throughput (every thread), accuracy and macro F1 on the test
split, the largest probability difference to the float model and the share of
texts on which it predicts the same class, and its speed-up and size ratio
against the float model (`measure.py`). The report (`report.py`) is kept in the
run's folder (`deploy.json`) with the settings it was measured with; the same
settings read it back instead of measuring again. Keras runs are refused:
quantisation and ONNX export here are PyTorch's.

This package's own import is light (the report records only), so a page that
only reads reports never imports a framework.
"""

from .report import DEPLOY_FILE, DeployReport, DeploySettings, VariantReport, cached_report, format_report, megabytes

__all__ = ["DEPLOY_FILE", "DeployReport", "DeploySettings", "VariantReport", "cached_report", "format_report",
           "megabytes"]  # fmt: skip
