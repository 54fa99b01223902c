"""`train --executor ray`: each run of a zoo is a Ray task; what it trains comes back to this store.

    with connect(ClusterOptions(address="auto"), ["torch"], "auto", train_run) as executor:
        outcomes = train_planned(store, data, planned, executor, "sweep")

`train_run` (pipelines/training/train.py) is what each task calls: the same
function the local executor calls, handed in so that this module does not
import the module that imports it.

The driver (this process) keeps every guarantee of the store, because it is
the only writer: it claims a run (the store's per-run lock, so two drivers
never train the same run) just before sending it, relays the worker's progress
into the run's status.json, and when the task returns writes the run's files
atomically, status.json last. Workers need nothing of the driver's disk: the
prepared data travels once through Ray's object store, each run trains in a
temporary folder on its worker, and its files (weights, history, metrics,
predictions, spec) come back as the task's result. A worker killed mid-run
leaves nothing in the store; Ray runs the task again elsewhere (`MAX_RETRIES`),
and the run is written once, by whichever attempt finishes. Ctrl-C cancels the
tasks (their workers are killed) and releases the claims, so the unfinished
runs read as interrupted and the next `train` redoes them.
"""

from __future__ import annotations

import hashlib
import json
import platform
import tempfile
import traceback
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import ray
from ray.exceptions import GetTimeoutError, RayError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

import pipelines

from ..backends import backend_for
from ..data import Dataset
from ..files import read_json
from ..store import RunClaim, Store
from .cluster import KERAS_MODULES, WORKER_MODULES, ClusterOptions, describe_missing, gpu_share, worker_check
from .progress import ZooProgress, run_detail

MAX_RETRIES = 3  # attempts after a worker or its node dies; an exception in training is not retried
POLL_SECONDS = 0.5  # how often the driver relays progress while it waits for results
WORKER_CHECK_SECONDS = 180.0  # a node's first worker starts Python and imports torch: slow on a busy machine
DRIVER_FIELDS = ("state", "pid", "updated_at")  # status fields the driver writes itself
# train.py's PlannedRun and PreparedData, and its train_run(run, data, backend, claim, zoo_name).
PlannedRun = PreparedData = Any
TrainOne = Callable[..., dict]


@contextmanager
def connect(options: ClusterOptions, frameworks: list[str], device: str,
            train_one: TrainOne) -> Iterator["RayExecutor"]:  # fmt: skip
    """Reach the cluster (or start a Ray instance here), check it can train the runs, and yield the executor.

    Everything that can be wrong with the cluster is found here, before the
    caller reads or writes anything. A Ray instance started here stops on exit;
    one the caller (or a notebook) had already joined is left as it was.
    """
    options.check()
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(**_init_arguments(options))
        except (ConnectionError, RuntimeError, ValueError, RayError) as error:
            where = options.address or "this machine"
            raise ValueError(f"could not start or reach Ray at {where}: {_first_line(error)}") from None
    try:
        yield RayExecutor(options, frameworks, device, train_one)
    finally:
        if started_here:
            ray.shutdown()


def _init_arguments(options: ClusterOptions) -> dict:
    arguments = dict(address=options.address, logging_level="ERROR", log_to_driver=False)
    if options.address is None:  # "local": a new instance, even where `ray start` runs a cluster
        arguments.update(address="local", num_cpus=options.local_cpus, include_dashboard=False)
    if options.remote:  # nodes on other machines get this exact code, not whatever version they have
        arguments["runtime_env"] = {"py_modules": [str(Path(pipelines.__file__).parent)]}
    return arguments


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


class RayExecutor:
    """Sends planned runs to Ray and writes what comes back; built by `connect`, once the cluster is checked."""

    def __init__(self, options: ClusterOptions, frameworks: list[str], device: str, train_one: TrainOne):
        self.options, self.train_one = options, train_one
        nodes = [node for node in ray.nodes() if node.get("Alive")]
        largest = lambda resource: max(node["Resources"].get(resource, 0) for node in nodes)  # noqa: E731
        if options.cpus_per_run > largest("CPU"):
            raise ValueError(f"each run asks for {options.cpus_per_run:g} CPUs (--cpus-per-run), but the largest "
                             f"node of the cluster has {largest('CPU'):g}")  # fmt: skip
        self.gpus_per_run = gpu_share(options.gpus_per_run, device, largest("GPU"))
        # A run with no GPU share stays on the CPU: Ray may leave the node's GPUs visible to its worker.
        self.device = "cpu" if self.gpus_per_run == 0 else device
        self._check_workers(nodes, WORKER_MODULES + (KERAS_MODULES if "keras" in frameworks else ()))

    def _check_workers(self, nodes: list[dict], modules: tuple[str, ...]) -> None:
        """Every node imports what a run needs, or one line names what is missing where."""
        check = ray.remote(worker_check)
        references = [
            check.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False))
            .remote(modules + ("pipelines.training.train",))
            for node in nodes
        ]  # fmt: skip
        try:
            facts = ray.get(references, timeout=WORKER_CHECK_SECONDS)
        except GetTimeoutError:
            raise ValueError(f"the cluster's workers did not start within {WORKER_CHECK_SECONDS:.0f} s") from None
        except RayError as error:  # e.g. the project's code could not be shipped or unpacked there
            raise ValueError(f"a Ray worker cannot run the project's code: {_first_line(error)}") from None
        problem = describe_missing(facts)
        if problem:
            raise ValueError(problem)

    def slots(self) -> int:
        """How many runs the cluster can train at once with what each asks for."""
        resources = ray.cluster_resources()
        slots = int(resources.get("CPU", 0) // self.options.cpus_per_run)
        if self.gpus_per_run:
            slots = min(slots, int(resources.get("GPU", 0) // self.gpus_per_run))
        return max(slots, 1)

    def train(self, store: Store, data: PreparedData, planned: list[PlannedRun], zoo_name: str | None,
              progress: ZooProgress) -> None:  # fmt: skip
        # Once for all runs: workers read it from the object store (texts stay here; they train on token ids).
        data_reference = ray.put(replace(data, dataset=Dataset(data.dataset.info, [], [], [])))
        board = StatusBoard.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(
            ray.get_runtime_context().get_node_id(), soft=False)).remote()  # fmt: skip
        task = ray.remote(train_remotely).options(
            num_cpus=self.options.cpus_per_run, num_gpus=self.gpus_per_run,
            max_retries=MAX_RETRIES, retry_exceptions=False,
        )  # fmt: skip
        waiting, flights = deque(planned), {}
        try:
            while waiting or flights:
                # Claim a run only when a worker is about to be free (one more waits in Ray's queue, so no
                # worker idles while we write a result): a second driver on this store takes the others.
                while waiting and len(flights) < self.slots() + 1:
                    run = waiting.popleft()
                    flight = Flight.take(store, data.key, run)
                    if flight is None:
                        progress.not_claimed(run.run_id)
                        continue
                    flights[task.remote(self.train_one, run, data_reference, zoo_name, self.device, board)] = flight
                if not flights:
                    break
                ready, _ = ray.wait(list(flights), num_returns=1, timeout=POLL_SECONDS)
                relay(ray.get(board.take.remote()), {f.run.run_id: f for f in flights.values()}, progress)
                for reference in ready:
                    land(reference, flights.pop(reference), progress)
        except BaseException:  # Ctrl-C, or the driver failing: stop every worker still on one of our runs
            for reference in flights:
                ray.cancel(reference, force=True)
            raise
        finally:
            for flight in flights.values():
                flight.release()  # unfinished: reads as interrupted, and the next `train` redoes it
            ray.kill(board)


@dataclass
class Flight:
    """A run claimed in this store while a Ray task trains it."""

    run: PlannedRun
    claim: RunClaim
    lock: ExitStack
    on_step: Callable[[dict], None] | None = None

    @classmethod
    def take(cls, store: Store, dataset: str, run: PlannedRun) -> "Flight | None":
        lock = ExitStack()
        claim = lock.enter_context(store.claim(dataset, run.run_id))
        if claim is None:
            lock.close()
            return None
        claim.set_status("queued")  # waiting for a worker; the lock says a driver holds it
        return cls(run, claim, lock)

    def release(self) -> None:
        self.lock.close()


def relay(statuses: dict[str, dict], flights: dict[str, Flight], progress: ZooProgress) -> None:
    """Write the workers' latest progress into the runs' status.json, and move their bars."""
    for run_id, status in statuses.items():
        flight = flights.get(run_id)
        if flight is None:
            continue  # already written, or a late word from an attempt Ray gave up on
        fields = {name: value for name, value in status.items() if name not in DRIVER_FIELDS}
        flight.claim.set_status("running", **fields)
        if flight.on_step is None:
            flight.on_step = progress.started(run_id)
        if "epochs" in fields and "step" in fields:
            flight.on_step(fields)


def land(reference, flight: Flight, progress: ZooProgress) -> None:
    """Write a finished task's run into the store (status.json last), or say why it failed."""
    run_id = flight.run.run_id
    try:
        try:
            result = ray.get(reference)
        except RayError as error:  # its worker or node died more than MAX_RETRIES times, say
            progress.failed(run_id, flight.claim, f"{type(error).__name__}: {_first_line(error)}")
            return
        if "error" in result:
            progress.failed(run_id, flight.claim, result["error"], result["traceback"])
            return
        metrics = write_returned_run(flight.claim, result)
    finally:
        flight.release()
    progress.trained(run_id, run_detail(metrics))


def write_returned_run(claim: RunClaim, result: dict) -> dict:
    """The files a worker trained into the claimed folder, each atomically, then its `done` status; the metrics.

    Every file's bytes are checked against the size and SHA-256 the worker recorded when it finished the run
    (`pipelines.checksums`), so a file damaged on its way back is refused, never written as a done run.
    """
    recorded = result["status"].get("files") or {}
    for name, content in result["files"].items():
        if Path(name).name != name or name.startswith(".") or name == "status.json":
            raise ValueError(f"a worker returned a file named {name!r}; a run's files are plain names")
        expected = recorded.get(name)
        if expected is not None and (len(content), hashlib.sha256(content).hexdigest()) != (
                expected["bytes"], expected["sha256"]):  # fmt: skip
            raise ValueError(f"{name} came back from the worker with {len(content):,} bytes that do not match "
                             f"the checksum it recorded ({expected['bytes']:,} bytes)")  # fmt: skip
        claim.write_file(name, lambda path, content=content: path.write_bytes(content))
    fields = {name: value for name, value in result["status"].items() if name not in (*DRIVER_FIELDS, "files")}
    claim.set_status("done", **fields)  # records the checksums of the files as written here
    return json.loads(result["files"]["metrics.json"])


# ----------------------------------------------------------------------------
# On the workers


@ray.remote
class StatusBoard:
    """The latest status each worker sent, until the driver takes it (lives on the driver's node)."""

    def __init__(self):
        self.latest: dict[str, dict] = {}

    def report(self, run_id: str, status: dict) -> None:
        self.latest[run_id] = status

    def take(self) -> dict[str, dict]:
        latest, self.latest = self.latest, {}
        return latest


class RelayedClaim(RunClaim):
    """A run's folder on the worker's own disk whose running status is also sent to the driver."""

    def __init__(self, path: Path, board, node: str):
        super().__init__(path)
        self.board, self.node = board, node

    def set_status(self, state: str, **fields) -> None:
        super().set_status(state, node=self.node, **fields)
        if state == "running":  # train_run writes it at most once a second; `done` travels with the result
            self.board.report.remote(self.run_id, read_json(self.path / "status.json"))


def train_remotely(train_one: TrainOne, run: PlannedRun, data: PreparedData, zoo_name: str | None, device: str,
                   board) -> dict:  # fmt: skip
    """A Ray task: train one run in a temporary folder; return its files, or the error that stopped it."""
    node = f"{platform.node()}/{ray.get_runtime_context().get_node_id()[:8]}"
    with tempfile.TemporaryDirectory(prefix="rnnlens-run-") as folder:
        claim = RelayedClaim(Path(folder) / run.run_id, board, node)
        try:
            train_one(run, data, backend_for(run.framework, device), claim, zoo_name)
        except Exception as error:  # reported like a local failure; not retried (it would fail again)
            return {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        files = {path.name: path.read_bytes() for path in claim.path.iterdir()
                 if path.is_file() and path.name != "status.json" and not path.name.startswith(".")}  # fmt: skip
        return {"files": files, "status": read_json(claim.path / "status.json")}
