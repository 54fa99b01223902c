"""Ray's own multi-node test cluster (two nodes on this machine): a node killed mid-sweep loses no run.

The worker node is killed while it trains a run; Ray runs that task again on
the head node, and every run of the zoo ends done exactly once, with all its
files, in the driver's store.
"""

from __future__ import annotations

import threading
import time

import pytest

from pipelines.store import Store
from pipelines.training.train import train_zoo

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

LOCK = "ray"  # one Ray instance on the machine at a time, whichever xdist worker runs this module
pytestmark = pytest.mark.usefixtures("one_at_a_time")

# Long enough (tens of epochs on tiny data) that the worker node is caught training.
SETTINGS = {"epochs": 30, "patience": 30}


@pytest.fixture
def two_nodes():
    ray.shutdown()  # a Ray session another test module left behind
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False,
                                                            "object_store_memory": 100 * 1024**2})  # fmt: skip
    worker = cluster.add_node(num_cpus=1, object_store_memory=100 * 1024**2)
    ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
    yield cluster, worker
    ray.shutdown()
    cluster.shutdown()


def test_a_node_killed_mid_sweep_leaves_every_run_done_once(tmp_path, rt_data_dir, two_nodes):
    cluster, worker = two_nodes
    store = Store(tmp_path / "store")
    finished = {}

    def sweep():
        try:
            finished["outcomes"] = train_zoo(store, "rt-polarity", "quick", ["torch"], overrides=SETTINGS,
                                             data_dir=rt_data_dir, only=["rnn-*", "gru-*"], show_progress=False,
                                             words=False, baselines=False, executor="ray")  # fmt: skip
        except BaseException as error:  # surfaced by the assertions below
            finished["error"] = error

    driver = threading.Thread(target=sweep)
    driver.start()
    on_worker = worker.node_id[:8]
    deadline = time.monotonic() + 240
    caught = None
    while caught is None:
        assert driver.is_alive() and time.monotonic() < deadline, finished or "the worker node never trained a run"
        caught = next((record.run_id for record in store.runs() if record.state == "running" and record.status.node
                       and record.status.node.endswith(on_worker)), None)  # fmt: skip
        time.sleep(0.2)
    cluster.remove_node(worker, allow_graceful=False)
    driver.join(timeout=300)
    assert not driver.is_alive() and "error" not in finished, finished

    outcomes = finished["outcomes"]
    assert sorted(o.run_id for o in outcomes) == sorted(store.run_ids("rt-polarity"))  # each run reported once
    assert [o.result for o in outcomes] == ["trained"] * 4, outcomes
    records = {record.run_id: record for record in store.runs("rt-polarity")}
    assert {record.state for record in records.values()} == {"done"}  # all files there, status written last
    assert not records[caught].status.node.endswith(on_worker)  # the killed node's run was trained again elsewhere
    assert records[caught].metrics.epochs_trained == SETTINGS["epochs"]
