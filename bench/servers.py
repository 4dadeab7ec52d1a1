"""Start, load, watch and stop the three SPARQL servers the benchmark compares, on loopback.

Every server runs in its own process group, started here, and ``Server.stop`` ends that group
by its id, so the query workers of vic-semantic stop with it. A thread samples the resident
set size of the serving process (and, for vic-semantic, of its worker processes too).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_QUERY = "ASK { ?s ?p ?o }"


# Every server started and not yet stopped, so an interrupt during start-up still stops it.
RUNNING: list[Server] = []


def stop_all() -> None:
    """Stop every server this process started and has not stopped."""
    for server in list(RUNNING):
        server.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MemoryWatch:
    """Samples a process's RSS, and its children's, every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.process = psutil.Process(pid)
        self.peak_main = 0
        self.peak_tree = 0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                main = self.process.memory_info().rss
                children = sum(
                    child.memory_info().rss for child in self.process.children(recursive=True)
                )
            except psutil.Error:
                return
            self.peak_main = max(self.peak_main, main)
            self.peak_tree = max(self.peak_tree, main + children)
            self._stop.wait(self._interval)

    def cpu_seconds(self) -> float:
        """Return the CPU time of the process and its live children so far."""
        try:
            processes = [self.process, *self.process.children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in processes)
        except psutil.Error:
            return 0.0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@dataclass
class Server:
    """One SPARQL server under test."""

    name: str
    query_url: str
    process: subprocess.Popen[bytes] | None = None
    watch: MemoryWatch | None = None
    load: dict[str, float] = field(default_factory=dict)
    log_path: Path | None = None
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    restarts: int = 0
    # CPU time of the processes a restart stopped, so the total spans restarts.
    earlier_cpu: float = 0.0

    def cpu_seconds(self) -> float:
        """Return the CPU time the server's processes used so far, across restarts."""
        return self.earlier_cpu + (self.watch.cpu_seconds() if self.watch else 0.0)

    def start(self, command: list[str], env: dict[str, str] | None = None) -> None:
        assert self.log_path is not None
        self.command, self.env = command, env or {}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.append(self)
        self.watch = MemoryWatch(self.process.pid)
        logger.info("started %s (pid %d): %s", self.name, self.process.pid, " ".join(command))

    def restart(self, timeout: float) -> None:
        """Stop the server and start it again on the same data, keeping the RSS peaks.

        A server that runs queries one at a time (rdflib-endpoint) keeps working on a query
        its client gave up on; restarting is the only way to get it back within a bound.
        """
        peaks = (self.watch.peak_main, self.watch.peak_tree) if self.watch else (0, 0)
        self.earlier_cpu = self.cpu_seconds()
        self.stop()
        self.start(self.command, self.env)
        assert self.watch is not None
        self.watch.peak_main, self.watch.peak_tree = peaks
        self.wait_ready(timeout)
        self.restarts += 1

    def wait_ready(self, timeout: float) -> float:
        """Wait until the server answers an ASK query; return the seconds it took."""
        started = time.perf_counter()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} before it was "
                    f"ready; see {self.log_path}"
                )
            try:
                response = httpx.get(
                    self.query_url,
                    params={"query": READY_QUERY},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=5,
                )
                if response.status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """End the server's process group: SIGTERM, then SIGKILL after 15 s."""
        if self.watch is not None:
            self.watch.stop()
        if self in RUNNING:
            RUNNING.remove(self)
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid  # the group was created with the process (start_new_session)
        try:
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        # Workers that outlived their parent still belong to the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        logger.info("stopped %s", self.name)


def start_vic(dataset: Path, work: Path, ready_timeout: float) -> Server:
    """Load the dataset with bench/load_vic.py, then serve it with ``vic-semantic serve``."""
    data_dir = work / "vic"
    started = time.perf_counter()
    loaded = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load_vic.py"), str(dataset), str(data_dir)],
        cwd=REPO, capture_output=True, check=True, timeout=3600,
    )
    wall = time.perf_counter() - started
    port = free_port()
    server = Server("vic-semantic", f"http://127.0.0.1:{port}/sparql", log_path=work / "vic.log")
    server.load = json.loads(loaded.stdout.decode().strip().splitlines()[-1])
    server.load["wall_seconds"] = wall
    server.start(
        [str(BIN / "vic-semantic"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir)],
        # Every benchmark client comes from 127.0.0.1 without a token, so the service would
        # count them as one client and reject the queries past its per-client limit.
        env={"VIC_LOAD_DEMO": "false", "VIC_QUERIES_PER_CLIENT": "1000"},
    )
    server.load["start_seconds"] = server.wait_ready(ready_timeout)
    return server


def start_oxigraph(dataset: Path, work: Path, ready_timeout: float) -> Server:
    """Bulk-load the dataset with ``oxigraph load``, then serve it with ``oxigraph serve``."""
    location = work / "oxigraph"
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dataset)],
        cwd=REPO, capture_output=True, check=True, timeout=3600,
    )
    wall = time.perf_counter() - started
    port = free_port()
    server = Server("oxigraph serve", f"http://127.0.0.1:{port}/query",
                    log_path=work / "oxigraph.log")
    server.load = {"load_seconds": wall, "wall_seconds": wall}
    # The service queries the union of all graphs by default; so must its peers.
    server.start(
        [str(BIN / "oxigraph"), "serve", "--location", str(location),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
    )
    server.load["start_seconds"] = server.wait_ready(ready_timeout)
    return server


def start_rdflib(dataset: Path, work: Path, ready_timeout: float) -> Server:
    """Serve the dataset with ``rdflib-endpoint``, which parses it in memory at start-up."""
    port = free_port()
    # rdflib-endpoint's command serves the endpoint at "/" (0.6.3), though its help says /sparql.
    server = Server("rdflib-endpoint", f"http://127.0.0.1:{port}/", log_path=work / "rdflib.log")
    server.start(
        [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
         str(dataset)],
    )
    ready = server.wait_ready(ready_timeout)
    server.load = {"load_seconds": ready, "wall_seconds": ready, "start_seconds": ready}
    return server
