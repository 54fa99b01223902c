"""A lecture hall measured at the server: N sessions that speak Streamlit's own websocket protocol, no browser.

scripts/load_test.py drives real Chromium sessions; on this machine their rendering, not the server, is what runs out
first once the browsers have one core of their own (30 pinned browsers could not load the page in two minutes). Here
each student is a websocket client doing what a browser asks of the server: a rerun of a page with the address it
shows (`BackMsg.rerun_script`: page and query string), read until the script has finished. The student's path:
open the Overview, the Playground with a review of their own in the address (?text=...), Inside the model with
another, then Training. A review in the address reruns the whole page (a browser typing into the box reruns only
the Playground's fragment), and no message is served from the browser's cache: both make this the costlier side.
Each step is timed from the request to `script_finished`; a session fails on an exception element, an error, a
closed socket or a step over --step-timeout.

    python scripts/load_test_protocol.py --artifacts STORE --sessions 30 60 100 --server-cpus 0 --client-cpus 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import free_port, print_halls, review, start_server, summarise  # noqa: E402

STEPS = [("Overview (open)", "", False), ("Playground (new review)", "playground", True),
         ("Inside the model (new review)", "inside", True), ("Training (switch)", "training", False)]  # fmt: skip


async def student(url: str, number: int, args, times: dict[str, list[float]]) -> str | None:
    """One session's path; the reason it failed, or None."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    rng = random.Random(args.seed * 1000 + number)
    await asyncio.sleep(rng.uniform(0, args.arrive))  # a room does not press Enter in the same millisecond
    try:
        async with websockets.connect(f"{url.replace('http', 'ws')}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=2**26, open_timeout=args.step_timeout) as socket:  # fmt: skip
            for name, page, with_text in STEPS:
                query = {"dataset": args.dataset}
                if with_text:
                    query["text"] = review(rng, number)[0]
                request = BackMsg()
                request.rerun_script.query_string = urlencode(query)
                request.rerun_script.page_name = page
                started = time.perf_counter()
                await socket.send(request.SerializeToString())
                while True:
                    message = ForwardMsg()
                    message.ParseFromString(await asyncio.wait_for(socket.recv(), args.step_timeout))
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        if element.WhichOneof("type") == "exception":
                            return f"{name}: exception {element.exception.message[:160]}"
                        if element.WhichOneof("type") == "alert" and element.alert.format == 1:  # ERROR
                            return f"{name}: error box {element.alert.body[:160]}"
                    if kind == "script_finished":
                        break
                times.setdefault(name, []).append(time.perf_counter() - started)
                await asyncio.sleep(rng.uniform(*args.think))
    except Exception as error:  # a timeout, a closed socket: this student's session failed
        return f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
    return None


async def hall(url: str, sessions: int, args) -> dict:
    times: dict[str, list[float]] = {}
    started = time.perf_counter()
    failures = await asyncio.gather(*(student(url, number, args, times) for number in range(sessions)))
    failed = [f"session {number}: {failure}" for number, failure in enumerate(failures) if failure]
    return {"sessions": sessions, "failed_sessions": len(failed), "failures": failed[:10],
            "wall_s": round(time.perf_counter() - started, 1), "steps": summarise(times)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--sessions", type=int, nargs="+", default=[30, 60, 100])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arrive", type=float, default=10.0, help="students arrive over this many seconds")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 4.0], help="seconds between steps (uniform)")
    parser.add_argument("--step-timeout", type=float, default=120.0)
    parser.add_argument("--server-cpus", default=None, help="taskset's CPU list for the server, e.g. 0")
    parser.add_argument("--client-cpus", default=None, help="CPU list for this process (the clients), e.g. 1")
    args = parser.parse_args()
    if args.client_cpus is not None:
        os.sched_setaffinity(0, {int(cpu) for cpu in args.client_cpus.split(",")})
    port = free_port()
    server = start_server(args.artifacts, port, cpus=args.server_cpus)
    url = f"http://127.0.0.1:{port}"
    try:
        results = {"date": time.strftime("%Y-%m-%d %H:%M"), "load_average_before": os.getloadavg(),
                   "server_cpus": args.server_cpus, "client_cpus": args.client_cpus, "think_s": args.think,
                   "arrive_s": args.arrive, "warm_up": asyncio.run(hall(url, 2, args))}  # fmt: skip
        results["runs"] = [asyncio.run(hall(url, sessions, args)) for sessions in args.sessions]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_halls(results)


if __name__ == "__main__":
    main()
