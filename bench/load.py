"""Load test of the whole service: many clients at once, lost writes, and a runaway query.

Run: make load, or .venv/bin/python bench/load.py [--clients 50] [--duration 60]

Each phase starts ``vic-semantic serve`` on loopback over a fresh data folder with the demo
cluster and member tokens it creates itself. It then runs ``--clients`` concurrent clients
(bench/load_clients.py) for ``--duration`` seconds. They send named analyst queries,
ontology term pages, search and validations of the demo files. The clients that own a
member also send catalogue submissions and SPARQL updates into that member's own graphs.
After the load the test checks that every acknowledged write is in the store and that the
inferred graph matches a recomputation. The second phase runs the same load with one more
client that sends a runaway query (a cross product that runs until the query timeout) in a
loop, and compares the other clients' p99 latency with the first phase's.

Expected: no 5xx (the runaway query's own 503 aside), no lost writes, no valid write
refused with a 4xx, a current inferred graph, and the p99 with the runaway client at most
twice the p99 without it. Results go to var/bench/load-results.json (its tables to
load-results.md beside it) and are printed as a table. The exit code is 1 when an
expectation fails and 2 when the test was stopped. A hard timeout (``--hard-timeout``)
stops everything, and every server process group started here is killed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_clients import (
    LOAD_PREDICATE,
    Recorder,
    Setup,
    analyst_query_names,
    demo_files,
    member_graph,
    member_slug,
    run_phase,
)
from report import machine_facts
from servers import BIN, Server, free_port, stop_all

from vic_semantic.access import Role, TokenRegistry
from vic_semantic.namespaces import ID, MEMBERS_GRAPH, catalogue_graph

logger = logging.getLogger("load")
REPO = Path(__file__).resolve().parent.parent
VIC = "https://w3id.org/vic-semantic/ontology/"
ONTOLOGY_GRAPH = "https://w3id.org/vic-semantic/graph/ontology"
INFERRED_GRAPH = "https://w3id.org/vic-semantic/graph/inferred"
MAX_P99_RATIO = 2.0


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients (50).")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="Seconds each phase sends load (60).")
    parser.add_argument("--members", type=int, default=10,
                        help="Clients that own a member and write for it (10).")
    parser.add_argument("--request-timeout", type=float, default=150.0,
                        help="Seconds a client waits for one response (150, past the "
                        "service's 120 s validation timeout).")
    parser.add_argument("--hard-timeout", type=float, default=1500.0,
                        help="Seconds after which the whole test is stopped (1500).")
    parser.add_argument("--no-runaway", action="store_true",
                        help="Skip the second phase with the runaway query.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the clients' choices.")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "load-results.json",
                        help="Where the JSON results go.")
    return parser.parse_args(argv)


def start_service(work: Path, members: int) -> tuple[Server, dict[str, str], str]:
    """Create the tokens in a fresh data folder, then serve it with the demo cluster."""
    data_dir = work / "data"
    data_dir.mkdir(parents=True)
    registry = TokenRegistry(data_dir / "tokens.json")
    tokens = {member_slug(i): registry.create(Role.MEMBER, member=member_slug(i),
                                              label="load test")[1]
              for i in range(members)}
    admin = registry.create(Role.ADMIN, label="load test")[1]

    port = free_port()
    server = Server("vic-semantic", f"http://127.0.0.1:{port}/sparql", log_path=work / "vic.log")
    server.start(
        [str(BIN / "vic-semantic"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir)],
        # The clients read from 127.0.0.1 without a token, so the service would count them as
        # one client and reject the queries past its per-client limit.
        env={"VIC_LOAD_DEMO": "true", "VIC_QUERIES_PER_CLIENT": "1000"},
    )
    server.load["start_seconds"] = server.wait_ready(900)
    register_members(base_url(server), admin, list(tokens))
    return server, tokens, admin


def register_members(url: str, admin: str, slugs: list[str]) -> None:
    """Describe the load-test members in the members graph: submissions for others get 404."""
    rows = "".join(f"<{ID}member/{slug}> a <{VIC}ClusterMember> .\n" for slug in slugs)
    response = httpx.post(url + "/graphs", params={"graph": str(MEMBERS_GRAPH)},
                          content=rows.encode(), timeout=60,
                          headers={"Authorization": f"Bearer {admin}",
                                   "Content-Type": "text/turtle"})
    response.raise_for_status()


def base_url(server: Server) -> str:
    return server.query_url.removesuffix("/sparql")


def select(url: str, query: str) -> list[dict[str, str]]:
    response = httpx.get(url + "/sparql", params={"query": query}, timeout=60,
                         headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def ontology_terms(url: str) -> list[str]:
    """Return the local names of the ontology's classes and properties."""
    rows = select(url, f"SELECT DISTINCT ?t WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t a ?k }} "
                       f"FILTER(STRSTARTS(STR(?t), \"{VIC}\")) }}")
    terms = sorted(row["t"][len(VIC):] for row in rows)
    if not terms:
        raise RuntimeError(f"no terms of {VIC} in <{ONTOLOGY_GRAPH}>; was the demo loaded?")
    return terms


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency_figures(latencies: list[float], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {"count": len(ordered), "per_second": len(ordered) / elapsed if elapsed else None,
            "p50": percentile(ordered, 0.50), "p95": percentile(ordered, 0.95),
            "p99": percentile(ordered, 0.99), "max": ordered[-1] if ordered else None}


def summarise(recorder: Recorder) -> dict[str, Any]:
    """Figures per kind and overall (the runaway client's requests kept apart)."""
    kinds = sorted({kind for kind, *_ in recorder.requests})
    per_kind: dict[str, Any] = {}
    for kind in kinds:
        rows = [r for r in recorder.requests if r[0] == kind]
        per_kind[kind] = latency_figures([r[2] for r in rows], recorder.elapsed)
        per_kind[kind]["statuses"] = _count(str(r[1]) for r in rows)
    others = [r for r in recorder.requests if not r[3]]
    overall = latency_figures([r[2] for r in others], recorder.elapsed)
    overall["statuses"] = _count(str(r[1]) for r in others)
    overall["5xx"] = sum(1 for r in others if r[1] >= 500)
    return {"elapsed": recorder.elapsed, "kinds": per_kind, "overall": overall,
            "transport_errors": recorder.transport_errors,
            "unexpected": recorder.unexpected[:20],
            "server_errors": recorder.server_errors[:20]}


def _count(values: Any) -> dict[str, int]:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return dict(sorted(counted.items()))


def lost_writes(url: str, recorder: Recorder) -> dict[str, Any]:
    """Compare the store's content with every write the clients saw acknowledged."""
    lost: dict[str, list[str]] = {}
    checked = {"submissions": 0, "updates": 0}
    for slug, acknowledged in sorted(recorder.acknowledged.items()):
        problems: list[str] = []
        if acknowledged.versions:
            problems += _check_catalogue(url, slug, acknowledged.versions)
        query = f"SELECT ?v WHERE {{ GRAPH <{member_graph(slug)}> {{ ?s <{LOAD_PREDICATE}> ?v }} }}"
        stored = {row["v"] for row in select(url, query)}
        problems += [f"update {value} missing" for value in acknowledged.values
                     if value not in stored]
        checked["submissions"] += len(acknowledged.versions)
        checked["updates"] += len(acknowledged.values)
        if problems:
            lost[slug] = problems[:20]
    return {"checked": checked, "lost": lost}


def _check_catalogue(url: str, slug: str, versions: dict[int, list[str]]) -> list[str]:
    """Every acknowledged version is listed, and the catalogue is the last one's content."""
    listed = httpx.get(f"{url}/catalogues/{slug}/versions", timeout=60).json()["versions"]
    numbers = {int(v["version"]) for v in listed}
    problems = [f"version {n} not listed" for n in sorted(versions) if n not in numbers]
    codes = {row["c"] for row in select(url, f"SELECT ?c WHERE {{ GRAPH <{catalogue_graph(slug)}> "
                                             f"{{ ?p <{VIC}sku> ?c }} }}")}
    last = versions[max(versions)]
    if codes != set(last):
        problems.append(f"catalogue holds {sorted(codes)}, the last acknowledged version "
                        f"{max(versions)} had {last}")
    return problems


def inferred_current(url: str, admin: str) -> dict[str, Any]:
    """Compare the inferred graph after the load with a recomputation from scratch.

    Every write recomputes the inferred graph; writes that overlap must still leave it
    matching the asserted data. An administrator's update of a triple with no ontology
    predicate triggers one more recomputation and adds no inference of its own.
    """
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}"
    before = int(select(url, count)[0]["n"])
    update = (f"INSERT DATA {{ GRAPH <{member_graph('load-admin')}> "
              f"{{ <{url}/recompute> <{LOAD_PREDICATE}> \"recompute\" }} }}")
    response = httpx.post(url + "/sparql", content=update.encode(), timeout=300,
                          headers={"Content-Type": "application/sparql-update",
                                   "Authorization": f"Bearer {admin}"})
    response.raise_for_status()
    after = int(select(url, count)[0]["n"])
    return {"after_load": before, "recomputed": after, "current": before == after}


def run_one(args: argparse.Namespace, runaway: bool) -> dict[str, Any]:
    """Start a fresh service, load it, check the writes, stop it."""
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="vic-load-", dir=REPO / "var" / "bench"))
    server: Server | None = None
    try:
        server, tokens, admin = start_service(work, min(args.members, args.clients))
        url = base_url(server)
        setup = Setup(url, tokens, ontology_terms(url), analyst_query_names(), demo_files())
        cpu_before = server.watch.cpu_seconds() if server.watch else 0.0
        logger.info("phase %s: %d clients for %g s", "runaway" if runaway else "baseline",
                    args.clients, args.duration)
        recorder = asyncio.run(run_phase(setup, args.clients, args.duration,
                                         args.request_timeout, args.seed, runaway))
        result = summarise(recorder)
        result["writes"] = lost_writes(url, recorder)
        result["inferred"] = inferred_current(url, admin)
        result["start_seconds"] = server.load["start_seconds"]
        result["server_cpu_seconds"] = (server.watch.cpu_seconds() if server.watch else 0.0) \
            - cpu_before
        result["peak_rss_tree_bytes"] = server.watch.peak_tree if server.watch else None
        return result
    finally:
        if server is not None:
            server.stop()
        stop_all()
        # The server's log is kept beside the results, so a 5xx can be traced afterwards.
        log = work / "vic.log"
        if log.exists():
            phase = "runaway" if runaway else "baseline"
            shutil.copyfile(log, REPO / "var" / "bench" / f"load-{phase}-server.log")
        shutil.rmtree(work, ignore_errors=True)


def expectations(results: dict[str, Any]) -> dict[str, Any]:
    phases = results["phases"]
    checks: dict[str, Any] = {
        "no_5xx": all(p["overall"]["5xx"] == 0 for p in phases.values()),
        "no_lost_writes": all(not p["writes"]["lost"] for p in phases.values()),
        # A valid write that gets a 4xx was rejected, which the lost-writes check cannot see.
        "no_refused_writes": all(not p["unexpected"] for p in phases.values()),
        "inferred_current": all(p["inferred"]["current"] for p in phases.values()),
    }
    if "runaway" in phases:
        base, stray = phases["baseline"]["overall"]["p99"], phases["runaway"]["overall"]["p99"]
        ratio = stray / base if base and stray else None
        checks["p99_ratio"] = ratio
        checks["p99_within_twice"] = ratio is not None and ratio <= MAX_P99_RATIO
    return checks


def render(results: dict[str, Any], console: Console) -> None:
    for name, phase in results["phases"].items():
        table = Table(title=f"{name}: {results['clients']} clients, {phase['elapsed']:.0f} s")
        for column in ("kind", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "statuses"):
            table.add_column(column, justify="left" if column in ("kind", "statuses") else "right")
        for kind, figures in [*phase["kinds"].items(), ("overall*", phase["overall"])]:
            table.add_row(kind, str(figures["count"]), _fmt(figures["per_second"], 1),
                          _ms(figures["p50"]), _ms(figures["p95"]), _ms(figures["p99"]),
                          " ".join(f"{k}×{v}" for k, v in figures["statuses"].items()))
        console.print(table)
        writes = phase["writes"]
        console.print(f"acknowledged writes checked: {writes['checked']}; "
                      f"lost: {writes['lost'] or 'none'}; inferred graph: {phase['inferred']}; "
                      f"transport errors: {phase['transport_errors'] or 'none'}")
        for line in phase["server_errors"]:
            console.print(f"5xx: {line}")
    console.print("* overall leaves out the runaway client's own requests")
    console.print(f"expectations: {results['expectations']}")


def markdown(results: dict[str, Any]) -> str:
    """Return each phase's figures as a Markdown table, for docs/benchmarks.md."""
    lines: list[str] = []
    for name, phase in results["phases"].items():
        lines += [f"{name}, {results['clients']} clients, {phase['elapsed']:.0f} s with the "
                  "requests in flight at the deadline:", "",
                  "| kind | requests | per s | p50 ms | p95 ms | p99 ms | statuses |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for kind, figures in [*phase["kinds"].items(), ("all but runaway", phase["overall"])]:
            statuses = ", ".join(f"{k}×{v}" for k, v in figures["statuses"].items())
            lines.append(f"| {kind} | {figures['count']} | {_fmt(figures['per_second'], 2)} | "
                         f"{_ms(figures['p50'])} | {_ms(figures['p95'])} | "
                         f"{_ms(figures['p99'])} | {statuses} |")
        lines.append("")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f}"


def _fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def machine() -> dict[str, object]:
    """Return bench/report.py's machine facts, or fewer where the bench extras are missing.

    Those facts name the versions of rdflib-endpoint and the oxigraph command, which only
    ``pip install -e '.[bench]'`` brings; the pytest run of this script may lack them.
    """
    try:
        return machine_facts()
    except (PackageNotFoundError, OSError) as error:
        logger.info("machine facts without the bench extras: %s", error)
        return {"nproc": os.cpu_count(), "python": platform.python_version(),
                "load_average_start": list(psutil.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _interrupt)
    signal.alarm(math.ceil(args.hard_timeout))
    started = time.time()
    results: dict[str, Any] = {"clients": args.clients, "duration": args.duration,
                               "members": min(args.members, args.clients),
                               "command": " ".join(["bench/load.py", *(argv or sys.argv[1:])]),
                               "machine": machine(), "phases": {}}
    try:
        results["phases"]["baseline"] = run_one(args, runaway=False)
        if not args.no_runaway:
            results["phases"]["runaway"] = run_one(args, runaway=True)
    except KeyboardInterrupt as stop:
        logger.error("load test stopped (%s) after %.0f s; --hard-timeout is %g s",
                     stop, time.time() - started, args.hard_timeout)
        return 2
    finally:
        stop_all()
        signal.alarm(0)
    results["minutes"] = (time.time() - started) / 60
    results["load_average_end"] = list(psutil.getloadavg())
    results["expectations"] = expectations(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    args.out.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
    render(results, Console())
    logger.info("results in %s", args.out)
    checks = results["expectations"]
    passed = (checks["no_5xx"] and checks["no_lost_writes"] and checks["no_refused_writes"]
              and checks["inferred_current"] and checks.get("p99_within_twice", True))
    return 0 if passed else 1


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")  # the finally blocks stop servers


if __name__ == "__main__":
    sys.exit(main())
