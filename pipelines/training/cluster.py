"""Where `train --executor ray` sends its runs: the cluster's address, what each run asks of it, and checks.

    options = ClusterOptions(address="auto", cpus_per_run=1, gpus_per_run=0.25)
    options.check()          # ValueError with a one-line message for a malformed or unreachable address

Nothing here imports Ray at module level: the local executor and every reader
of the store import this module's neighbours without Ray installed. Ray itself
is imported by `ray_executor.py`, only when a run goes to a cluster.

`worker_check` runs on each node of the cluster before any run is sent: it
needs only the standard library and this package, so that a node missing a
dependency can say which one instead of failing inside a training task.
"""

from __future__ import annotations

import importlib
import math
import platform
import queue
import re
import socket
import time
from dataclasses import dataclass

EXECUTORS = ("local", "ray")
DEFAULT_GPU_SHARE = 0.25  # four small recurrent models share one GPU unless --gpus-per-run says otherwise
CONNECT_TIMEOUT = 5.0  # seconds: an unreachable --address is reported within this
DEFAULT_RAY_PORT = 6379  # `ray start --head`'s GCS port
# What a worker imports to train a PyTorch run (requirements.txt has the versions); Keras runs add two.
WORKER_MODULES = ("numpy", "pandas", "sklearn", "torch", "safetensors", "pydantic", "filelock", "psutil", "tqdm")
KERAS_MODULES = ("tensorflow", "keras")


@dataclass(frozen=True)
class ClusterOptions:
    """How `train --executor ray` reaches its cluster and what each run asks of it.

    address: None starts a Ray instance on this machine for the command (`local_cpus` CPUs, default all);
        "auto" joins the cluster `ray start` runs on this machine; "HOST:PORT" a head node's GCS address;
        "ray://HOST:10001" a cluster through Ray Client.
    cpus_per_run, gpus_per_run: the resources each run declares; a fractional GPU share lets several
        small models train on one GPU at once. None for GPUs: a quarter GPU where the cluster has GPUs
        (and --device allows), none elsewhere.
    """

    address: str | None = None
    cpus_per_run: float = 1.0
    gpus_per_run: float | None = None
    local_cpus: int | None = None
    connect_timeout: float = CONNECT_TIMEOUT

    def __post_init__(self):
        if not 0 < self.cpus_per_run < math.inf:  # written so that nan fails too (nan <= 0 is False)
            raise ValueError(f"--cpus-per-run must be positive, got {self.cpus_per_run}")
        if self.gpus_per_run is not None and not 0 <= self.gpus_per_run < math.inf:
            raise ValueError(f"--gpus-per-run must be a number, 0 or more, got {self.gpus_per_run}")
        if self.gpus_per_run is not None and self.gpus_per_run > 1 and self.gpus_per_run != int(self.gpus_per_run):
            raise ValueError(f"--gpus-per-run above 1 must be a whole number, got {self.gpus_per_run}")
        if self.local_cpus is not None and self.local_cpus < 1:
            raise ValueError(f"a local Ray instance needs at least one CPU, got {self.local_cpus}")
        if self.address is not None:
            parse_address(self.address)

    @property
    def remote(self) -> bool:
        """Whether the cluster may have nodes on other machines (then the project's code travels to them)."""
        return self.address is not None

    def check(self) -> None:
        """Fail within `connect_timeout` seconds, with a message, when nothing listens at the address."""
        host_port = parse_address(self.address) if self.address else None
        if host_port is None:
            return  # a local instance, or "auto": Ray itself says at once when none runs here
        host, port = host_port
        deadline = time.monotonic() + self.connect_timeout
        try:
            socket.create_connection((host, port), timeout=self.connect_timeout).close()
            # Something listens; ray.init would retry for ever against anything that is not Ray (an HTTP
            # server), so ask it a question only Ray answers, in the time that is left.
            reason = _speaks_ray(self.address, f"{host}:{port}", max(deadline - time.monotonic(), 0.5))
        except OSError as error:
            reason = "no answer" if isinstance(error, TimeoutError) else error.strerror or type(error).__name__
        if reason:
            raise ValueError(
                f"no Ray cluster answers at {self.address} ({reason} within {self.connect_timeout:.0f} s); "
                f"start one there with `ray start --head`, or leave out --address to train on a Ray "
                f"instance on this machine"
            ) from None


def _speaks_ray(address: str, target: str, timeout: float) -> str | None:
    """None if `target` answers as Ray does at `address`, else why not. HOST:PORT is a GCS: it must answer
    NodeInfoGcsService.GetClusterId; ray://HOST:PORT is the Ray client server: it must speak gRPC."""
    import grpc  # comes with Ray

    channel = grpc.insecure_channel(target)
    try:
        if address.startswith("ray://"):
            return _grpc_ready(grpc, channel, timeout)
        from ray.core.generated import gcs_service_pb2, gcs_service_pb2_grpc

        stub = gcs_service_pb2_grpc.NodeInfoGcsServiceStub(channel)
        stub.GetClusterId(gcs_service_pb2.GetClusterIdRequest(), timeout=timeout)
        return None
    except grpc.RpcError as error:
        return f"an answer that is not Ray's GCS ({error.code().name.lower()})"
    finally:
        channel.close()


def _grpc_ready(grpc, channel, timeout: float) -> str | None:
    """None once the channel is ready; a reason as soon as its first connection fails (a server that does not
    speak HTTP/2 hangs up at once), or when `timeout` passes."""
    states: queue.Queue = queue.Queue()
    channel.subscribe(states.put, try_to_connect=True)
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                state = states.get(timeout=left)
            except queue.Empty:
                break
            if state == grpc.ChannelConnectivity.READY:
                return None
            if state in (grpc.ChannelConnectivity.TRANSIENT_FAILURE, grpc.ChannelConnectivity.SHUTDOWN):
                return "an answer that is not gRPC, which Ray's client server speaks"
        return "no gRPC answer"
    finally:
        channel.unsubscribe(states.put)


def parse_address(address: str) -> tuple[str, int] | None:
    """(host, port) to probe for "HOST:PORT" and "ray://HOST:PORT"; None for "auto"; ValueError otherwise."""
    if address == "auto":
        return None
    text = address.removeprefix("ray://")
    host, colon, port = text.rpartition(":")
    if not colon:
        host, port = text, str(DEFAULT_RAY_PORT)
    host = host.strip("[]")  # [::1]:6379
    if not host or not re.fullmatch("[0-9]{1,5}", port) or not 0 < int(port) < 65536 or any(c in host for c in "/ @"):
        raise ValueError(f"--address must be auto, HOST:PORT or ray://HOST:PORT, got {address!r}")
    return host, int(port)


def worker_check(modules: tuple[str, ...]) -> dict:
    """Run on a cluster node: which of `modules` it cannot import, and what it has.

    Imports only the standard library before trying the modules, so it reports
    a missing dependency instead of failing on it.
    """
    missing = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # ImportError, or a broken install raising something else
            missing[name] = f"{type(error).__name__}: {error}"
    facts = {"host": platform.node(), "python": platform.python_version(), "missing": missing}
    if "torch" not in missing:
        import torch

        facts.update(torch=torch.__version__, cuda_devices=torch.cuda.device_count() if torch.cuda.is_available() else 0)
    return facts


def describe_missing(facts: list[dict]) -> str | None:
    """One line naming the nodes whose workers cannot import what a run needs; None if all can."""
    broken = [f"{node['host']} lacks {', '.join(sorted(node['missing']))}" for node in facts if node["missing"]]
    if not broken:
        return None
    first = next(node for node in facts if node["missing"])
    example = next(iter(first["missing"].values()))
    return (f"a Ray worker cannot import the project's dependencies: {'; '.join(broken)} ({example}); "
            f"install requirements.txt on those nodes (pip install -r requirements.txt) and start them again")


def gpu_share(requested: float | None, device: str, largest_node_gpus: float) -> float:
    """The GPUs each run declares to Ray, from --gpus-per-run, --device and the cluster's largest node."""
    if device == "cpu":
        if requested:
            raise ValueError(f"--gpus-per-run {requested:g} asks for a GPU, but --device cpu keeps the runs off it")
        return 0.0
    if not largest_node_gpus:
        if device == "cuda" or requested:
            raise ValueError("the Ray cluster has no GPU, but the runs ask for one (--device cuda or "
                             "--gpus-per-run); add a GPU node (`ray start --address HEAD:6379 --num-gpus N`) "
                             "or train with --device cpu")  # fmt: skip
        return 0.0
    share = DEFAULT_GPU_SHARE if requested is None else requested
    if device == "cuda" and not share:
        raise ValueError("--device cuda with --gpus-per-run 0: give each run a share of a GPU, e.g. 0.25")
    if share > largest_node_gpus:
        raise ValueError(f"each run asks for {share:g} GPUs (--gpus-per-run), but the largest node of the cluster "
                         f"has {largest_node_gpus:g}")  # fmt: skip
    return share
