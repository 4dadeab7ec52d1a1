"""The ``vic-semantic map`` command as a subprocess: its report and its progress bar.

The bar is drawn only on a terminal, so the runs that look for it set TTY_COMPATIBLE and
TTY_INTERACTIVE, which make rich treat the captured stderr as an interactive terminal.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from vic_semantic.mapping.cli import PROGRESS_MIN_ROWS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO = REPO_ROOT / "demo" / "catalogues"
# Name, expected class, and the fat and net columns, which agree with the name.
NAMES = (
    (
        "Молоко питьевое пастеризованное «Утро» 3,2% 900 мл пл/бут",
        "vic:PasteurisedMilk",
        "3,2",
        "900 мл",
    ),
    ("Кефир обезж. «Савушкин» 1% 450 г т/п", "vic:Kefir", "1", "450 г"),
)
BAR = "━"


def _catalogue(path: Path, rows: int) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Код", "Наименование", "Массовая доля жира", "Масса нетто"])
    for number in range(rows):
        name, _, fat, net = NAMES[number % len(NAMES)]
        writer.writerow([f"G-{number}", name, fat, net])
    path.write_bytes(buffer.getvalue().encode("cp1251"))
    return path


def _run(*args: str, terminal: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "120"}
    env["TTY_COMPATIBLE"] = "1" if terminal else "0"
    env["TTY_INTERACTIVE"] = "1" if terminal else "0"
    command = [sys.executable, "-c", "from vic_semantic.cli import app; app()", "map", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _sssom_rows(output: str) -> list[dict[str, str]]:
    body = [line for line in output.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(body, delimiter="\t"))


def test_long_file_shows_progress(tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "long.csv", PROGRESS_MIN_ROWS + 10)

    result = _run(str(path), "--format", "sssom", terminal=True)

    assert result.returncode == 0, result.stderr
    assert BAR in result.stderr
    assert "long.csv" in result.stderr
    rows = _sssom_rows(result.stdout)
    assert len(rows) == PROGRESS_MIN_ROWS + 10
    assert {r["object_id"] for r in rows[::2]} == {NAMES[0][1]}
    assert {r["object_id"] for r in rows[1::2]} == {NAMES[1][1]}


def test_short_file_has_no_bar(tmp_path: Path) -> None:
    path = _catalogue(tmp_path / "short.csv", 20)

    result = _run(str(path), "--format", "sssom", terminal=True)

    assert result.returncode == 0, result.stderr
    assert BAR not in result.stderr
    assert len(_sssom_rows(result.stdout)) == 20


def test_fat_mismatch_in_report(tmp_path: Path) -> None:
    # Only the first row's fat column is changed, so only it disagrees with its name.
    path = _catalogue(tmp_path / "fat.csv", 4)
    path.write_bytes(path.read_bytes().replace(b";3,2;", b";2,5;", 1))

    result = _run(str(path), "--format", "sssom", terminal=False)

    assert result.returncode == 0, result.stderr
    comments = [r["comment"] for r in _sssom_rows(result.stdout)]
    assert comments == ["attribute_mismatch", "", "", ""]


def test_members_file_maps_nothing() -> None:
    result = _run(str(DEMO / "cluster-members.csv"), "--format", "sssom", terminal=False)

    assert result.returncode == 0, result.stderr
    assert "not a product list" in " ".join(result.stderr.split())
    assert _sssom_rows(result.stdout) == []


def test_missing_file_exits_two(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "absent.csv"), terminal=False)

    assert result.returncode == 2
