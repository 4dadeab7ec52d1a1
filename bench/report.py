"""The Markdown record of one benchmark scale, and the facts about the machine it ran on."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from workload import Query

REPO = Path(__file__).resolve().parent.parent
VIC, OX, RDFLIB = "vic-semantic", "oxigraph serve", "rdflib-endpoint"


def machine_facts() -> dict[str, object]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    oxigraph = subprocess.run([str(Path(os.sys.executable).parent / "oxigraph"), "--version"],
                              capture_output=True, text=True, check=False).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True, check=False).stdout.strip()
    versions = {name: metadata.version(name) for name in
                ("pyoxigraph", "fastapi", "uvicorn", "rdflib", "rdflib-endpoint", "httpx")}
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "oxigraph_cli": oxigraph,
        "versions": versions,
        "commit": commit,
        "load_average_start": list(psutil.getloadavg()),
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}"


def _sample(server: dict[str, Any], name: str, clients: str) -> dict[str, Any] | None:
    entry = server.get("queries", {}).get(name, {}).get(clients)
    return entry if entry and entry.get("latencies") else None


def _stat(sample: dict[str, Any] | None, kind: str) -> float | None:
    if sample is None:
        return None
    ordered = sorted(sample["latencies"])
    if kind == "median":
        return statistics.median(ordered)
    if kind == "p95":
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return len(ordered) / sample["elapsed"]


def render(results: dict[str, Any], queries: list[Query]) -> str:
    """Return the Markdown section for one scale."""
    servers = results["servers"]
    names = [n for n in (VIC, OX, RDFLIB) if n in servers]
    lines = [
        f"## Side by side at {results['scale']} ({results['triples']:,} triples)",
        "",
        *_setup(results, names),
        "",
        *_load_table(servers, names),
        "",
        *_latency_table(servers, names, queries),
        "",
        *_throughput_table(servers, names, queries),
        "",
        *_mix_table(servers, names),
        "",
        *_checks(servers, names, queries),
    ]
    return "\n".join(lines) + "\n"


def _setup(results: dict[str, Any], names: list[str]) -> list[str]:
    m = results["machine"]
    v = m["versions"]
    lines = [
        f"- Command: `{results['command']}` (started {results['started']}, "
        f"{results['minutes']:.0f} min for all scales up to this one).",
        f"- Machine: {m['nproc']} vCPU {m['cpu']}, {m['ram_gib']} GiB RAM, Linux; "
        f"Python {m['python']}; vic-semantic at {m['commit']} with the working tree's changes.",
        f"- Versions: pyoxigraph {v['pyoxigraph']}, {m['oxigraph_cli']} (PyPI `oxigraph`), "
        f"FastAPI {v['fastapi']}, uvicorn {v['uvicorn']}, rdflib {v['rdflib']}, "
        f"rdflib-endpoint {v['rdflib-endpoint']}, httpx {v['httpx']} (client).",
        f"- Data: `{results['dataset']}` from `bench/generate.py`, {results['triples']:,} "
        f"triples in all, {results['inferred_triples']:,} of them inferred.",
        "- Each server ran alone; the harness and its 8 client threads shared the same 2 CPUs.",
    ]
    for name in names:
        cpu = results["servers"][name].get("cpu")
        if cpu and cpu["system_total_seconds"]:
            share = 100 * cpu["system_busy_seconds"] / cpu["system_total_seconds"]
            lines.append(
                f"- CPU while {name} was measured: the machine was {share:.0f} % busy; the "
                f"server used {cpu['server_seconds']:.0f} CPU-s of "
                f"{cpu['system_busy_seconds']:.0f} busy CPU-s."
            )
    load_start = ", ".join(f"{x:.1f}" for x in m["load_average_start"])
    load_end = ", ".join(f"{x:.1f}" for x in results["load_average_end"])
    lines.append(
        f"- Load average (1, 5, 15 min): {load_start} at the start, {load_end} at the end."
    )
    return lines


def _load_table(servers: dict[str, Any], names: list[str]) -> list[str]:
    lines = [
        "| Server | load | of which inference | start until ready | peak RSS, server | "
        "with workers |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        server = servers[name]
        if "skipped" in server:
            lines.append(f"| {name} | skipped: {server['skipped'][:120]} | | | | |")
            continue
        load = server["load"]
        total = load.get("load_seconds", 0) + load.get("inference_seconds", 0)
        inference = f"{load['inference_seconds']:.1f} s" if "inference_seconds" in load else "—"
        lines.append(
            f"| {name} | {total:.1f} s | {inference} | {load['start_seconds']:.1f} s | "
            f"{server['peak_rss_bytes'] / 2**20:.0f} MiB | "
            f"{server['peak_rss_tree_bytes'] / 2**20:.0f} MiB |"
        )
    return lines


def _latency_table(servers: dict[str, Any], names: list[str], queries: list[Query]) -> list[str]:
    header = " | ".join(f"{n} median / p95 ms" for n in names)
    ratios = [f"{VIC} ÷ {n}" for n in names if n != VIC]
    lines = [
        "Latency with one client (ratios of medians; above 1 means vic-semantic is slower):",
        "",
        f"| Query | {header} | {' | '.join(ratios)} |",
        "|---|" + "---:|" * (len(names) + len(ratios)),
    ]
    for query in queries:
        cells, medians = [], {}
        for name in names:
            sample = _sample(servers[name], query.name, "1")
            medians[name] = _stat(sample, "median")
            cells.append(f"{_ms(medians[name])} / {_ms(_stat(sample, 'p95'))}")
        ratio_cells = [_ratio(medians.get(VIC), medians[n]) for n in names if n != VIC]
        label = query.name + ("" if query.in_mix else " (analyst)")
        lines.append(f"| {label} | {' | '.join(cells)} | {' | '.join(ratio_cells)} |")
    return lines


def _throughput_table(servers: dict[str, Any], names: list[str],
                      queries: list[Query]) -> list[str]:
    header = " | ".join(f"{n} 1 / 8 clients" for n in names)
    lines = ["Queries per second with 1 and 8 concurrent clients:", "",
             f"| Query | {header} |", "|---|" + "---:|" * len(names)]
    for query in queries:
        cells = []
        for name in names:
            one = _stat(_sample(servers[name], query.name, "1"), "qps")
            many = _stat(_sample(servers[name], query.name, "8"), "qps")
            cells.append(f"{_qps(one)} / {_qps(many)}")
        lines.append(f"| {query.name} | {' | '.join(cells)} |")
    return lines


def _qps(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 10 else f"{value:.2f}"


def _mix_table(servers: dict[str, Any], names: list[str]) -> list[str]:
    lines = [
        "The explore mix (q01–q12 once each, in order, parameters drawn anew per mix):",
        "",
        "| Server | median / p95 query ms, 1 client | mixes per hour, 1 client | "
        "queries/s, 8 clients | mixes per hour, 8 clients |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        mix = servers[name].get("mix", {})
        if "1" not in mix:
            lines.append(f"| {name} | {mix.get('skipped', servers[name].get('skipped', '—'))} "
                         "| | | |")
            continue
        one = sorted(mix["1"]["query_latencies"])
        median = statistics.median(one) if one else None
        p95 = one[min(len(one) - 1, round(0.95 * (len(one) - 1)))] if one else None
        mph1 = _per_hour(mix["1"]["mixes"])
        eight = mix.get("8", {})
        qps8 = len(eight.get("query_latencies", [])) / eight["mixes"]["elapsed"] if eight else None
        lines.append(f"| {name} | {_ms(median)} / {_ms(p95)} | {mph1} | {_qps(qps8)} | "
                     f"{_per_hour(eight.get('mixes')) if eight else '—'} |")
    notes = [f"- {name}: {servers[name]['mix_note']}." for name in names
             if servers[name].get("mix_note")]
    for name in names:
        for clients, run in servers[name].get("mix", {}).items():
            if isinstance(run, dict) and run["mixes"]["errors"]:
                errors = run["mixes"]["errors"]
                notes.append(f"- {name}, mix with {clients} client(s): {len(errors)} errors, "
                             f"first: {errors[0]}; figures count the queries that finished.")
    return lines + (["", *notes] if notes else []) + _mix_ratios(servers, names)


def _mix_ratios(servers: dict[str, Any], names: list[str]) -> list[str]:
    """Return how vic-semantic's mix compares with each peer's: the ratio of the median
    query latencies (above 1: vic-semantic is slower) and of the one-client mix rates."""
    figures = {name: _mix_figures(servers[name].get("mix", {})) for name in names}
    if VIC not in names or figures[VIC] is None:
        return []
    vic_median, vic_rate = figures[VIC]
    lines = ["", "| Peer | mix median, vic-semantic ÷ peer | one-client mixes per hour, "
             "vic-semantic ÷ peer |", "|---|---:|---:|"]
    for name in names:
        peer = figures[name]
        if name == VIC or peer is None:
            continue
        lines.append(f"| {name} | {vic_median / peer[0]:.2f} | {vic_rate / peer[1]:.1f} |")
    return lines if len(lines) > 3 else []


def _mix_figures(mix: dict[str, Any]) -> tuple[float, float] | None:
    """Return the median query latency and the mixes per hour of a one-client mix run."""
    one = mix.get("1")
    if not one or not one["query_latencies"] or not one["mixes"]["latencies"]:
        return None
    per_hour = 3600 * len(one["mixes"]["latencies"]) / one["mixes"]["elapsed"]
    return statistics.median(one["query_latencies"]), per_hour


def _per_hour(mixes: dict[str, Any] | None) -> str:
    if not mixes or not mixes["latencies"]:
        return "—"
    return f"{3600 * len(mixes['latencies']) / mixes['elapsed']:,.0f}"


def _checks(servers: dict[str, Any], names: list[str], queries: list[Query]) -> list[str]:
    """List queries whose result counts differ between servers, and every error."""
    notes = [f"- {name} stopped early: {servers[name]['stopped_early']}" for name in names
             if servers[name].get("stopped_early")]
    for query in queries:
        counts = {n: servers[n]["result_counts"].get(query.name) for n in names
                  if servers[n].get("result_counts")}
        if len({str(c) for c in counts.values()}) > 1:
            shown = ", ".join(f"{n}: {c}" for n, c in counts.items())
            notes.append(f"- {query.name}: results differ with the same parameters ({shown}).")
        for name in names:
            for clients in ("1", "8"):
                entry = servers[name].get("queries", {}).get(query.name, {}).get(clients, {})
                if entry.get("errors"):
                    notes.append(f"- {query.name}, {name}, {clients} client(s): "
                                 f"{len(entry['errors'])} errors, first: "
                                 f"{entry['errors'][0][:160]}")
    if not notes:
        return ["Every server returned the same number of results for every query."]
    return ["Result checks and errors:", "", *notes]
