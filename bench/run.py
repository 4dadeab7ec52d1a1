"""Benchmark vic-semantic side by side with Oxigraph server and rdflib-endpoint over HTTP.

Run: make bench, or .venv/bin/python bench/run.py [--scales 100k,1m] [--duration 5]

For each scale the dataset of bench/generate.py is loaded into each server. vic-semantic
loads it through its own loader and inference (bench/load_vic.py) and serves it with
``vic-semantic serve`` (uvicorn, embedded store). Oxigraph bulk-loads it with ``oxigraph
load`` and serves it with ``oxigraph serve``. rdflib-endpoint parses the file at start-up and
is measured only if that takes under ``--rdflib-load-timeout`` seconds.
Each query of bench/queries and each listed analyst query is then run for ``--duration``
seconds with 1 and with 8 concurrent clients, and so is the whole mix. Servers listen on
127.0.0.1 only and are stopped before the next one starts, so they never compete for CPU.

Results go to var/bench/results-<scale>.json and, as Markdown, to the end of
docs/benchmarks.md (``--no-record`` prints them only).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_dataset
from report import machine_facts, render
from servers import Server, start_oxigraph, start_rdflib, start_vic, stop_all
from workload import (
    Parameters,
    Query,
    Sample,
    count_results,
    load_queries,
    measure,
    mix_runner,
    query_runner,
    run_once,
)

logger = logging.getLogger("bench")
REPO = Path(__file__).resolve().parent.parent
CONCURRENCY = 8
# Whole one-client mixes run on a server whose mix takes longer than the timed runs.
SLOW_SERVER_MIXES = 3
STARTERS: dict[str, Callable[[Path, Path, float], Server]] = {
    "vic-semantic": start_vic,
    "oxigraph serve": start_oxigraph,
    "rdflib-endpoint": start_rdflib,
}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="100k",
                        help="Comma-separated scales: 100k, 1m, 10m (default 100k).")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="Seconds each measurement runs (default 5).")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="Seconds one request may take before it counts as an error.")
    parser.add_argument("--rdflib-load-timeout", type=float, default=600.0,
                        help="Seconds rdflib-endpoint may take to load a scale; then skipped.")
    parser.add_argument("--server-budget", type=float, default=900.0,
                        help="Seconds of measurement one server may take at one scale; the "
                        "queries left then are skipped (default 900).")
    parser.add_argument("--servers", default=",".join(STARTERS),
                        help="Comma-separated servers to run (default all three).")
    parser.add_argument("--queries", default="", help="Comma-separated query names (default all).")
    parser.add_argument("--seed", type=int, default=1, help="Dataset and parameter seed.")
    parser.add_argument("--merge", type=Path, action="append", default=[],
                        help="A results JSON of an earlier run at the same scale whose servers "
                        "this run does not measure are reported beside this run's.")
    parser.add_argument("--no-record", action="store_true",
                        help="Do not append the results to docs/benchmarks.md.")
    parser.add_argument("--load-only", action="store_true",
                        help="Measure load, start-up and peak RSS only: each query runs once "
                        "(the result check), with no timed runs; prints a summary and "
                        "records nothing in docs/benchmarks.md.")
    return parser.parse_args()


class ServerBusy(Exception):
    """The server could not be brought back after a timed-out query."""


def drain(server: Server, budget_end: float) -> None:
    """Restart the server after a timed-out query, so it stops working on it."""
    try:
        server.restart(max(30.0, budget_end - time.perf_counter()))
    except (TimeoutError, RuntimeError) as error:
        raise ServerBusy(f"restart after a timed-out query failed: {error}") from error
    logger.info("%s restarted after a timed-out query", server.name)


def check_results(server: Server, queries: list[Query], params: dict[str, object],
                  timeout: float, budget_end: float) -> dict[str, object]:
    """Run each query once with fixed parameters; return its result count or the error."""
    counts: dict[str, object] = {}
    with httpx.Client(timeout=timeout) as client:
        for query in queries:
            text = Parameters(params, f"check:{query.name}").fill(query.template)
            try:
                counts[query.name] = count_results(
                    query, run_once(client, server.query_url, query, text)
                )
            except httpx.TimeoutException:
                counts[query.name] = f"timed out after {timeout:g} s"
                drain(server, budget_end)
            except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as error:
                counts[query.name] = f"error: {error}"[:200]
    return counts


def bench_server(server: Server, queries: list[Query], params: dict[str, object],
                 args: argparse.Namespace) -> dict[str, object]:
    """Measure every query, then the mix, with 1 and 8 clients."""
    cpu_before = server.cpu_seconds()
    system_before = psutil.cpu_times()
    budget_end = time.perf_counter() + args.server_budget
    result: dict[str, object] = {"load": server.load, "queries": {}, "mix": {}}
    try:
        measure_all(server, queries, params, args, budget_end, result)
    except ServerBusy as error:
        result["stopped_early"] = str(error)
    _add_usage(server, result, cpu_before, system_before)
    result["restarts"] = server.restarts
    return result


def measure_all(server: Server, queries: list[Query], params: dict[str, object],
                args: argparse.Namespace, budget_end: float, result: dict[str, object]) -> None:
    result["result_counts"] = check_results(server, queries, params, args.timeout, budget_end)
    if args.load_only:
        return
    per_query: dict[str, dict[str, object]] = {}
    result["queries"] = per_query
    for query in queries:
        if time.perf_counter() > budget_end:
            raise ServerBusy(f"--server-budget of {args.server_budget:g} s used up")
        checked = result["result_counts"].get(query.name)  # type: ignore[attr-defined]
        if isinstance(checked, str) and checked.startswith("timed out"):
            per_query[query.name] = {"1": asdict(Sample(errors=[checked], skipped=checked))}
            continue
        run = query_runner(server.query_url, query)
        single = measure(server.query_url, run, params, f"{args.seed}:{query.name}", 1,
                         args.duration, args.timeout)
        entry: dict[str, object] = {"1": asdict(single)}
        per_query[query.name] = entry
        if single.timed_out:
            drain(server, budget_end)
        if single.timed_out or (single.median is not None and single.median > args.duration):
            reason = "a run timed out" if single.timed_out else (
                f"one run takes {single.median:.0f} s, over --duration")
            entry[str(CONCURRENCY)] = asdict(Sample(skipped=reason))
        else:
            many = measure(server.query_url, run, params, f"{args.seed}:{query.name}",
                           CONCURRENCY, args.duration, args.timeout)
            entry[str(CONCURRENCY)] = asdict(many)
            if many.timed_out:
                drain(server, budget_end)
        logger.info("%s %s: median %s s, %d errors", server.name, query.name,
                    f"{single.median:.4f}" if single.median else "-", len(single.errors))

    mix = [q for q in queries if q.in_mix]
    one_mix = sum(Sample(per_query[q.name]["1"]["latencies"]).median or 0.0  # type: ignore[index]
                  for q in mix)
    timed_out = any(
        per_query[q.name]["1"]["timed_out"] or per_query[q.name]["1"]["skipped"]  # type: ignore[index]
        for q in mix
    )
    if not mix or timed_out:
        result["mix"] = {"skipped": "a query of the mix timed out"}
        return
    if one_mix < 2 * args.duration:
        plan = [(clients, 2 * args.duration, 0) for clients in (1, CONCURRENCY)]
    else:
        # A server too slow for a timed mix still runs a few whole mixes with one client,
        # so the mix median and mixes per hour compare with the other servers'.
        room = max(1, int((budget_end - time.perf_counter()) / one_mix))
        plan = [(1, 0.0, min(SLOW_SERVER_MIXES, room))]
        result["mix_note"] = (f"one mix takes about {one_mix:.0f} s at the single-client "
                              f"medians: {plan[0][2]} whole mixes with one client, none with "
                              f"{CONCURRENCY}")
    for clients, duration, min_calls in plan:
        latencies: list[float] = []
        sample = measure(server.query_url, mix_runner(server.query_url, mix, latencies),
                         params, f"{args.seed}:mix", clients, duration, args.timeout,
                         min_calls)
        result["mix"][str(clients)] = {  # type: ignore[index]
            "mixes": asdict(sample),
            "query_latencies": latencies,
        }
        if sample.timed_out:
            drain(server, budget_end)


def _add_usage(server: Server, result: dict[str, object], cpu_before: float,
               system_before: Any) -> None:
    system_after = psutil.cpu_times()
    busy = sum(system_after[:3]) - sum(system_before[:3])
    total = sum(system_after) - sum(system_before)
    server_cpu = server.cpu_seconds() - cpu_before
    result["cpu"] = {"system_busy_seconds": busy, "system_total_seconds": total,
                     "server_seconds": server_cpu,
                     "harness_seconds": sum(psutil.Process().cpu_times()[:2])}
    if server.watch:
        result["peak_rss_bytes"] = server.watch.peak_main
        result["peak_rss_tree_bytes"] = server.watch.peak_tree


def run_scale(scale: str, args: argparse.Namespace, queries: list[Query]) -> dict[str, object]:
    dataset = write_dataset(scale, args.seed, REPO / "var" / "bench")
    params = json.loads(dataset.with_suffix(".params.json").read_text(encoding="utf-8"))
    results: dict[str, object] = {"scale": scale, "dataset": str(dataset.relative_to(REPO)),
                                  "triples": params["triples"],
                                  "inferred_triples": params["inferred_triples"],
                                  "servers": {}}
    for name in args.servers.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"vic-bench-{scale}-", dir=REPO / "var" / "bench"))
        timeout = args.rdflib_load_timeout if name == "rdflib-endpoint" else 600.0
        server: Server | None = None
        try:
            server = STARTERS[name](dataset, work, timeout)
            results["servers"][name] = bench_server(server, queries, params, args)  # type: ignore[index]
        except (TimeoutError, RuntimeError, OSError) as error:
            logger.warning("%s skipped at %s: %s", name, scale, error)
            results["servers"][name] = {"skipped": str(error)}  # type: ignore[index]
        finally:
            if server is not None:
                server.stop()
            stop_all()
            shutil.rmtree(work, ignore_errors=True)
        partial = REPO / "var" / "bench" / f"results-{scale}.partial.json"
        partial.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return results


def main() -> None:
    args = options()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    queries = load_queries([n for n in args.queries.split(",") if n])
    command = "make bench" if args.scales == "100k" and len(sys.argv) == 1 else (
        ".venv/bin/python bench/run.py " + " ".join(sys.argv[1:]))
    started = time.time()
    facts = machine_facts()
    for scale in args.scales.split(","):
        results = run_scale(scale, args, queries)
        results["machine"] = facts
        results["command"] = command
        results["started"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(started))
        results["minutes"] = (time.time() - started) / 60
        results["load_average_end"] = list(psutil.getloadavg())
        for earlier in args.merge:
            _merge(results, json.loads(earlier.read_text(encoding="utf-8")))
        out = REPO / "var" / "bench" / f"results-{scale}.json"
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        if args.load_only:
            print(load_summary(results))
            continue
        markdown = render(results, queries)
        print(markdown)
        if not args.no_record:
            with (REPO / "docs" / "benchmarks.md").open("a", encoding="utf-8") as doc:
                doc.write("\n" + markdown)
        logger.info("scale %s done; results in %s", scale, out)


def load_summary(results: dict[str, Any]) -> str:
    """Return one Markdown line per server: load, start-up and peak RSS in MiB."""
    lines = [f"Scale {results['scale']} ({results['triples']:,} triples), {results['started']}, "
             f"load average at the end {results['load_average_end'][0]:.1f}:"]
    for name, server in results["servers"].items():
        if "skipped" in server:
            lines.append(f"- {name}: skipped: {server['skipped']}")
            continue
        load = server["load"]
        asserted = load.get("load_seconds", 0.0)
        inference = load.get("inference_seconds", 0.0)
        lines.append(
            f"- {name}: load {asserted:.1f} s + inference {inference:.1f} s = "
            f"{asserted + inference:.1f} s (split {load.get('split_seconds', 0):.1f} s, not "
            f"counted); start until ready {load.get('start_seconds', 0):.1f} s; peak RSS "
            f"server {server.get('peak_rss_bytes', 0) / 2**20:.0f} MiB, with workers "
            f"{server.get('peak_rss_tree_bytes', 0) / 2**20:.0f} MiB; loader process peak "
            f"{load.get('peak_rss_bytes', 0) / 2**20:.0f} MiB"
        )
    return "\n".join(lines)


def _merge(results: dict[str, Any], earlier: dict[str, Any]) -> None:
    """Add the servers of an earlier run at the same scale, noting when that run was."""
    if earlier["scale"] != results["scale"]:
        raise SystemExit(f"--merge: {earlier['scale']} results cannot join {results['scale']}")
    for name, server in earlier["servers"].items():
        if name not in _measured(results):
            results["servers"][name] = server
    results["command"] += f"`, merged with the run of {earlier['started']}: `{earlier['command']}"


def _measured(results: dict[str, Any]) -> set[str]:
    return {name for name, server in results["servers"].items() if "skipped" not in server}


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so the finally blocks stop every server


if __name__ == "__main__":
    main()
