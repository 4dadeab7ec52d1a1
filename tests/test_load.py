"""bench/load.py at a small scale: under concurrent load no 5xx, no lost writes, and an
inferred graph that matches the asserted data.

A correctness check, not a timing one: five clients for five seconds against a real server
with the demo cluster, each client writing for its own member.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_small_load_keeps_every_write(tmp_path: Path) -> None:
    pytest.importorskip("psutil", reason="bench/load.py needs psutil (make load installs it)")
    out = tmp_path / "load.json"
    command = [sys.executable, str(REPO / "bench" / "load.py"), "--clients", "5",
               "--members", "5", "--duration", "5", "--no-runaway", "--hard-timeout", "400",
               "--out", str(out)]

    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=450,
                              env={**os.environ, "PYTHONPATH": str(REPO)})

    assert out.is_file(), f"no results (exit {finished.returncode}):\n{finished.stderr[-3000:]}"
    phase = json.loads(out.read_text(encoding="utf-8"))["phases"]["baseline"]
    writes = phase["writes"]
    assert phase["overall"]["5xx"] == 0, phase["overall"]["statuses"]
    assert phase["unexpected"] == [], "a write was refused with a client error"
    assert writes["checked"]["submissions"] + writes["checked"]["updates"] > 0, (
        "no write was acknowledged, so nothing was checked"
    )
    assert writes["lost"] == {}
    assert phase["inferred"]["current"], phase["inferred"]
