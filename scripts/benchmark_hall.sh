#!/usr/bin/env bash
# Issue 13's figures in one go, for BENCHMARKS.md section 5: the quick zoo on rt-polarity (the store the
# dashboard serves), the explanation benchmark (with the step tolerance checked on those trained runs), and the
# load test with 10, 30 and 60 browser sessions. On the shared machine run it under the benchmark lock:
#
#     flock /work/bench.lock scripts/benchmark_hall.sh [STORE] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${1:-artifacts}
OUT=${2:-benchmark-hall}
PYTHON=${PYTHON:-python}
mkdir -p "$OUT"
echo "start $(date -Is) $(uptime)"
$PYTHON -m pipelines --artifacts "$STORE" train --dataset rt-polarity --zoo quick --quiet
echo "trained $(date -Is) $(uptime)"
$PYTHON scripts/benchmark_explain.py --skip-top-words --artifacts "$STORE" --texts-per-run 20 > "$OUT/explain.txt" 2>&1
echo "explained $(date -Is) $(uptime)"
$PYTHON scripts/load_test.py --artifacts "$STORE" --sessions 10 30 60 > "$OUT/load.txt" 2>&1
echo "loaded $(date -Is) $(uptime)"
