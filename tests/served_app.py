"""``vic-semantic serve`` as a real process on a free loopback port, for crash tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0


def cli_command() -> Path:
    """Return the ``vic-semantic`` script of this virtualenv."""
    return Path(sys.executable).parent / "vic-semantic"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServedApp:
    """One server process over ``data_dir``; its output is appended to ``data_dir.log``."""

    def __init__(self, data_dir: Path, admin_token: str, **environment: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.with_suffix(".log")
        env = {
            **os.environ,
            "VIC_DATA_DIR": str(data_dir),
            "VIC_ADMIN_TOKEN": admin_token,
            "VIC_LOAD_DEMO": "false",
            "VIC_LOG_FORMAT": "json",
            **environment,
        }
        command = [str(cli_command()), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=output, stderr=output
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(
            f"the server did not answer within {START_SECONDS} s:\n{self.log_tail()}"
        )

    def kill(self) -> None:
        """Stop the process with SIGKILL, as a crash or the OOM killer would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60.0) -> int:
        """Send SIGTERM and return the exit code once the process has stopped."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-characters:]
