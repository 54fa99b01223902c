"""Fault injection: training killed with SIGKILL at 20 seeded random moments; the store stays consistent.

A server process imports the pipeline once and forks a trainer per round (so a round costs the training, not
PyTorch's import); the test kills each trainer at a random moment of its work. After every kill: no run is done
without all its files and their recorded checksums, nothing reads as corrupt, and the data set's card, vocabulary
and test texts agree. At the end one more `train` redoes every interrupted run and trains nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from conftest import write_rt_corpus
from pipelines.files import read_json
from pipelines.store import Store
from pipelines.tasks import task_of

KILLS = 20
SEED = 13
ZOO = ["rnn-uni-*", "gru-bi-*"]  # two quick-zoo shapes: one way and both ways
RUNS = len(ZOO) + 2  # and the data set's two baselines, trained (and killed) first

SERVER = """
import json, os, random, shutil, signal, sys, time
from pipelines.store import Store
from pipelines.training.train import train_zoo
import pipelines.training.torch_loop, pipelines.explain.aggregate  # imported once here, not in every trainer
import torch
torch.set_num_threads(1)  # one thread: no OpenMP pool exists when the server forks, so forking is safe
torch.nn.LSTM(4, 4)(torch.zeros(1, 3, 4, requires_grad=True))[0].sum().backward()  # kernels ready before forking

root, data, seed, kills, only = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
store, rng = Store(root), random.Random(seed)

def train():
    outcomes = train_zoo(store, "rt-polarity", "quick", ["torch"], device="cpu",
                         overrides={"epochs": 1, "batch_size": 8},
                         data_dir=data, limit=16, only=only, show_progress=False)  # top words too: kills land there
    return [(o.run_id, o.result) for o in outcomes]

def in_child(function):
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the trainer's own lines stay off the server's pipe
        try:
            result = function()
            with open(os.path.join(root, ".result.json"), "w") as handle:
                json.dump(result, handle)
        finally:
            os._exit(0)
    return pid

started = time.monotonic()  # a first, unkilled round: how long the whole zoo takes
os.waitpid(in_child(train), 0)
whole = time.monotonic() - started
shutil.rmtree(os.path.join(root, "rt-polarity-limit16"))
print(json.dumps({"whole_seconds": whole}), flush=True)
for round in range(kills):
    runs = [r for r in store.runs() if r.state == "done"]
    if len(runs) == len(only) + 2:  # all trained (the baselines too): start again from nothing, so every round has work
        for record in runs:
            shutil.rmtree(record.path)
    moment = rng.uniform(0.0, whole)
    pid = in_child(train)
    time.sleep(moment)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"round": round, "moment": moment, "killed": os.WIFSIGNALED(status)}), flush=True)
    sys.stdin.readline()  # the test checks the store, then lets the next round start
os.waitpid(in_child(train), 0)  # the last, unkilled train
print(json.dumps({"final": json.load(open(os.path.join(root, ".result.json")))}), flush=True)
"""


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_consistent(store: Store) -> dict[str, int]:
    states: dict[str, int] = {}
    for record in store.runs():
        states[record.state] = states.get(record.state, 0) + 1
        assert record.state in ("done", "interrupted"), (record.run_id, record.state, record.problem)
        if record.state == "done":
            files = read_json(record.path / "status.json")["files"]
            assert {*task_of(record).files_when_done, "weights.safetensors"} <= set(files), record.run_id
            for name, expected in files.items():
                assert sha256(record.path / name) == expected["sha256"], (record.run_id, name)
    for dataset in store.datasets():
        summary, vocabulary = store.read_dataset(dataset), store.read_vocabulary(dataset)
        assert summary.vocabulary.fingerprint == vocabulary.fingerprint()
        assert len(store.read_test_examples(dataset)) == summary.split_size("test")
    return states


def test_training_killed_at_random_moments_leaves_a_consistent_store(tmp_path):
    data = tmp_path / "data"
    write_rt_corpus(data)
    store = Store(tmp_path / "store")
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(store.root), str(data), str(SEED), str(KILLS), *ZOO],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})  # fmt: skip
    try:
        assert json.loads(server.stdout.readline())["whole_seconds"] > 0
        killed, seen = 0, {}
        for _ in range(KILLS):
            line = json.loads(server.stdout.readline())
            killed += line["killed"]
            for state, count in check_consistent(store).items():
                seen[state] = seen.get(state, 0) + count
            server.stdin.write("\n")
            server.stdin.flush()
        final = dict(json.loads(server.stdout.readline())["final"])
        assert server.wait(timeout=120) == 0
    finally:
        server.kill()
    assert killed >= KILLS // 2, f"only {killed} rounds were killed before they finished"
    assert seen.get("interrupted", 0) > 0  # the kills landed mid-training
    assert check_consistent(store) == {"done": RUNS}
    # The last train redid what was interrupted and trained no finished run again.
    assert set(final.values()) <= {"trained", "skipped"} and len(final) == RUNS
    print(f"{killed} of {KILLS} rounds killed mid-training; states seen after kills: {seen}")
