"""Compare two versions of vic-semantic and Oxigraph server on the same queries, interleaved.

Run: .venv/bin/python bench/interleaved.py --before-tree DIR [--rounds 60] [--scale 100k]

``bench/run.py`` measures one server after the other, so when other jobs share the machine
the load can change between them. Here the three servers run at once on the same data, and
every query of the explore mix (q01–q12, parameters drawn anew per round) goes to each of
them in turn, in a rotating order, with one client. Load from elsewhere then falls on all
three alike, and the ratios of the medians stay comparable.

"before" is the service from the source tree ``DIR`` (for example ``git archive`` of an
older commit), started by that tree's own ``vic-semantic serve`` command, so it runs with the
event loop, HTTP parser and logging that its command chooses. "after" is this tree's
``vic-semantic serve``. Both serve one copy each of a store loaded once by
``bench/load_vic.py``. Before commit 9e71995 was measured, the launcher forced uvicorn's
asyncio loop and h11 parser on the earlier tree, as ``vic-semantic serve`` ran before uvloop
and httptools were dependencies.

The report ends with each server's CPU time per query and the load average (1 min) at the
start and end of the measured rounds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from servers import Server, free_port, start_oxigraph, stop_all
from workload import Parameters, load_queries, run_once

logger = logging.getLogger("bench")
REPO = Path(__file__).resolve().parent.parent
SERVING_CPU = "serving process cpu ms per query"
# The pseudo-queries of CPU time, with their rows in the report.
CPU_ROWS = {
    "cpu ms per query": "server CPU ms per query",
    SERVING_CPU: "of which the serving process (vic-semantic: API without workers)",
}

# Runs `vic-semantic serve` of a source tree: argv[1] is the tree, the rest are the
# command's arguments.
_SERVE_LAUNCHER = """
import sys
tree = sys.argv[1]
sys.path.insert(0, tree)  # before the working folder, which `python -c` puts first
import vic_semantic
assert vic_semantic.__file__.startswith(tree), vic_semantic.__file__
from vic_semantic.cli import app
sys.argv = ["vic-semantic", *sys.argv[2:]]
app()
"""


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before-tree", type=Path, required=True,
                        help="Source tree of the earlier version (with api/ and vic_semantic/).")
    parser.add_argument("--rounds", type=int, default=60, help="Mixes sent to each server.")
    parser.add_argument("--scale", default="100k", help="Dataset scale of bench/generate.py.")
    parser.add_argument("--seed", type=int, default=1, help="Dataset and parameter seed.")
    return parser.parse_args()


def start_services(dataset: Path, work: Path, before_tree: Path) -> dict[str, Server]:
    """Load the dataset once, copy the store, and serve one copy with each version."""
    loaded = work / "loaded"
    subprocess.run([sys.executable, str(REPO / "bench" / "load_vic.py"), str(dataset),
                    str(loaded)], cwd=REPO, check=True, capture_output=True, timeout=3600)
    servers: dict[str, Server] = {}
    for name in ("before", "after"):
        data_dir = work / name
        shutil.copytree(loaded, data_dir)
        port = free_port()
        server = Server(f"vic-semantic {name}", f"http://127.0.0.1:{port}/sparql",
                        log_path=work / f"{name}.log")
        tree = before_tree.resolve() if name == "before" else REPO
        server.start([sys.executable, "-c", _SERVE_LAUNCHER, str(tree), "serve", "--host",
                      "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)],
                     env={"PYTHONPATH": str(tree), "VIC_LOAD_DEMO": "false"})
        server.wait_ready(300)
        servers[name] = server
    servers["oxigraph"] = start_oxigraph(dataset, work, 300)
    return servers


def interleave(servers: dict[str, Server], params: dict[str, object], rounds: int,
               seed: int) -> dict[str, dict[str, list[float]]]:
    """Send each mix query to every server in turn; return latencies by server and query.

    Each server's CPU time over the measured rounds, divided by its queries, is added as the
    pseudo-query "cpu ms per query": it depends far less on other jobs than the latencies.
    "serving process cpu ms per query" leaves out the query workers of vic-semantic.
    """
    queries = [q for q in load_queries() if q.in_mix]
    names = list(servers)
    latencies: dict[str, dict[str, list[float]]] = {n: {q.name: [] for q in queries}
                                                    for n in names}
    draw = Parameters(params, f"{seed}:interleaved")
    cpu_start: dict[str, tuple[float, float]] = {}
    with httpx.Client(timeout=60) as client:
        for round_number in range(rounds + 1):
            if round_number == 1:
                cpu_start = {n: _cpu(servers[n]) for n in names}
            for index, query in enumerate(queries):
                text = draw.fill(query.template)
                shift = (round_number + index) % len(names)
                for name in names[shift:] + names[:shift]:
                    started = time.perf_counter()
                    run_once(client, servers[name].query_url, query, text)
                    if round_number > 0:  # the first round warms caches and workers
                        latencies[name][query.name].append(time.perf_counter() - started)
    for name in names:
        serving, total = _cpu(servers[name])
        count = rounds * len(queries)
        latencies[name]["cpu ms per query"] = [(total - cpu_start[name][1]) / count]
        latencies[name][SERVING_CPU] = [(serving - cpu_start[name][0]) / count]
    return latencies


def _cpu(server: Server) -> tuple[float, float]:
    """Return the CPU seconds of the serving process, and of it with its children."""
    assert server.watch is not None
    times = server.watch.process.cpu_times()
    return times.user + times.system, server.watch.cpu_seconds()


def report(latencies: dict[str, dict[str, list[float]]]) -> str:
    names = list(latencies)
    lines = ["| Query | " + " | ".join(f"{n} median ms" for n in names)
             + " | before ÷ oxigraph | after ÷ oxigraph |", "|---|" + "---:|" * (len(names) + 2)]
    for query in [q for q in latencies[names[0]] if q not in CPU_ROWS]:
        medians = {n: statistics.median(latencies[n][query]) * 1000 for n in names}
        lines.append(f"| {query} | " + " | ".join(f"{medians[n]:.2f}" for n in names)
                     + f" | {medians['before'] / medians['oxigraph']:.2f}"
                     f" | {medians['after'] / medians['oxigraph']:.2f} |")
    mix = {n: statistics.median([x for name, q in latencies[n].items()
                                 if name not in CPU_ROWS for x in q]) * 1000
           for n in names}
    lines.append("| mix (all queries pooled) | " + " | ".join(f"{mix[n]:.2f}" for n in names)
                 + f" | {mix['before'] / mix['oxigraph']:.2f}"
                 f" | {mix['after'] / mix['oxigraph']:.2f} |")
    for row, label in CPU_ROWS.items():
        cpu = {n: latencies[n][row][0] * 1000 for n in names}
        lines.append(f"| {label} | " + " | ".join(f"{cpu[n]:.2f}" for n in names)
                     + f" | {cpu['before'] / cpu['oxigraph']:.2f}"
                     f" | {cpu['after'] / cpu['oxigraph']:.2f} |")
    return "\n".join(lines)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that the servers are stopped on the way out


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = options()
    dataset = write_dataset(args.scale, args.seed, REPO / "var" / "bench")
    params = json.loads(dataset.with_suffix(".params.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="vic-interleaved-", dir=REPO / "var" / "bench"))
    try:
        servers = start_services(dataset, work, args.before_tree)
        load_start = os.getloadavg()[0]
        latencies = interleave(servers, params, args.rounds, args.seed)
        load_end = os.getloadavg()[0]
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    (REPO / "var" / "bench" / f"interleaved-{args.scale}.json").write_text(json.dumps(latencies))
    print(report(latencies))
    print(f"\nload average (1 min): {load_start:.1f} at the start, {load_end:.1f} at the end")


if __name__ == "__main__":
    main()
