"""An ``oxigraph serve`` process on a free loopback port, for tests of the remote store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

_START_SECONDS = 30.0


def oxigraph_binary() -> Path:
    """Return the ``oxigraph`` command of this virtualenv (PyPI package ``oxigraph``)."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError(
            "The oxigraph command was not found beside the test interpreter or on PATH; "
            "install the test dependencies (pip install -e '.[test]')."
        )
    return Path(found)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """A running Oxigraph server; the remote store asks it for a union default graph.

    ``timeout_seconds`` sets the server's own query timeout (``--timeout-s``).
    """

    def __init__(self, location: Path, timeout_seconds: int | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = location.with_suffix(".log")
        command = [
            str(oxigraph_binary()),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        if timeout_seconds is not None:
            command += ["--timeout-s", str(timeout_seconds)]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready(command)

    @property
    def settings(self) -> dict[str, object]:
        """Return the Settings fields that point the service at this server."""
        return {
            "store_url": f"{self.base}/query",
            "store_update_url": f"{self.base}/update",
            "store_gsp_url": f"{self.base}/store",
        }

    def clear(self) -> None:
        """Drop every graph, the default graph's triples included."""
        response = httpx.post(
            f"{self.base}/update",
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        response.raise_for_status()

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)

    def _wait_until_ready(self, command: list[str]) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                response = httpx.get(f"{self.base}/query", params={"query": "ASK {}"}, timeout=2)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        output = self._log.read_text(errors="replace")[-2000:]
        raise RuntimeError(
            f"oxigraph serve did not answer on {self.base} within {_START_SECONDS:g} s "
            f"(exit code {self._process.returncode}). Command: {' '.join(command)}\n{output}"
        )


class OxigraphServers:
    """Servers started on first use by name and stopped together at the end."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._servers: dict[str, OxigraphServer] = {}

    def get(self, name: str, timeout_seconds: int | None = None) -> OxigraphServer:
        if name not in self._servers:
            self._servers[name] = OxigraphServer(self._folder / name, timeout_seconds)
        return self._servers[name]

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
