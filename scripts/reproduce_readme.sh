#!/usr/bin/env bash
# Measure again, on the commit checked out, every figure README.md quotes ("What it shows, measured on main"):
# forecasting on co2, the memory lab (one seed, then three at 50/100/200 steps), the quick zoo on rt-polarity and
# `verify` on its runs and on its Keras twins, the server's CPU per student action and a hall at the server, the
# encoder-decoders (dates, reverse-60 with 900 s each, NusaX id -> en), the behavioural tests, the hidden units'
# names and the class wall with 60 phones. Scores are seeded and do not depend on the machine's load; times do (the
# log records it), and the reverse-60 and NusaX scores depend on how many epochs the fixed training time buys: run it
# on a quiet machine (about three hours on 2 cores; the real data sets in $RNNLENS_DATA_DIR).
#
#   bash scripts/reproduce_readme.sh [OUT_FOLDER]     # default: /tmp/rnnlens-reproduce-<commit>
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
out=${1:-/tmp/rnnlens-reproduce-$(git rev-parse --short HEAD)}
mkdir -p "$out"
log="$out/reproduce.log"
# The commit is read at every step: a step is the commit checked out when it started.
stamp() { echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'); load $(cut -d' ' -f1-3 /proc/loadavg): $*" | tee -a "$log"; }
run() { stamp "$*"; /usr/bin/time -f "wall %e s, cpu %U s user + %S s system" "$@" 2>&1 | tee -a "$log"; }

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}  # as BENCHMARKS.md's sections measured them
run "$PYTHON" scripts/benchmark_forecasting.py --dataset co2 --zoo forecast --steps 1 12 52 --artifacts "$out/forecast"
run "$PYTHON" scripts/benchmark_lab.py --store "$out/lab"
run "$PYTHON" -m pipelines --artifacts "$out/lab-seeds" lab --distances 50 100 200 --seeds 3 --quiet
unset OMP_NUM_THREADS
run "$PYTHON" -m pipelines --artifacts "$out/sentiment" train --dataset rt-polarity --zoo quick --quiet
for run_id in $("$PYTHON" -m pipelines --artifacts "$out/sentiment" list --json | "$PYTHON" -c \
    "import json, sys; print(' '.join(r['run_id'] for r in json.load(sys.stdin) if r['task'] == 'classification'))"); do
  run "$PYTHON" -m pipelines --artifacts "$out/sentiment" verify --run "$run_id"
done
run "$PYTHON" -m pipelines --artifacts "$out/sentiment" list
# The Keras twins and `verify` on each, in a store of their own (the sentiment store stays PyTorch's, as measured)
run "$PYTHON" -m pipelines --artifacts "$out/keras" train --dataset rt-polarity --zoo quick --framework keras \
    --no-baselines --quiet
for run_id in $("$PYTHON" -m pipelines --artifacts "$out/keras" list --json | "$PYTHON" -c \
    "import json, sys; print(' '.join(r['run_id'] for r in json.load(sys.stdin) if r['task'] == 'classification'))"); do
  run "$PYTHON" -m pipelines --artifacts "$out/keras" verify --run "$run_id"
done
# What a student's action costs the server, and a hall at the server (issue 25), on the rt-polarity store just trained
# (a lecture's store from `prepare-lecture` measures every page; pages whose data set is missing are skipped, said so)
run "$PYTHON" scripts/benchmark_server_cost.py --artifacts "$out/sentiment" --server-cpus 0 --browser-cpus 1 \
    --out "$out/server-cost.json"
run "$PYTHON" scripts/load_test_protocol.py --artifacts "$out/sentiment" --sessions 30 60 100 --server-cpus 0 \
    --client-cpus 1
# The encoder-decoders (issue 24): dates and reverse-60 (900 s each, about 35 minutes), NusaX id -> en (240 s each)
run "$PYTHON" scripts/benchmark_seq2seq.py --seconds 900 --store "$out/seq2seq"
run "$PYTHON" scripts/benchmark_nusax.py --seconds 240
# The students' side (issue 23): the behavioural tests on rt-polarity (the store above), NusaX and IMDb (2,000 reviews),
# the hidden units' names on NusaX, and the class wall with 60 phones for five minutes on a copy of rt-polarity
run "$PYTHON" -m pipelines --artifacts "$out/sentiment" train --dataset nusax --zoo quick --framework torch --quiet
run "$PYTHON" -m pipelines --artifacts "$out/sentiment" train --dataset imdb --limit 2000 --zoo quick \
    --only 'gru-uni-1x64*' --epochs 2 --framework torch --quiet
run "$PYTHON" scripts/benchmark_checklist.py --artifacts "$out/sentiment" --datasets rt-polarity nusax imdb-limit2000
run "$PYTHON" scripts/benchmark_unit_words.py --artifacts "$out/sentiment" --dataset nusax --repeats 3
mkdir -p "$out/wall" && cp -r "$out/sentiment/rt-polarity" "$out/wall/"
run "$PYTHON" scripts/load_test_wall.py --artifacts "$out/wall" --sessions 60 --minutes 5 --seed 2
stamp "done"
