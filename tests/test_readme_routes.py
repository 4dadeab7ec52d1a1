"""Both READMEs list every route of the OpenAPI document, so neither falls behind the API."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
READMES = ("README.md", "README.ru.md")

# `/suggest/{entity,type,property}` in a README stands for three routes.
_ALTERNATIVES = re.compile(r"\{([a-z]+(?:,[a-z]+)+)\}")
_PARAMETER = re.compile(r"\{[^}/]*\}")


def _expanded(text: str) -> str:
    """Return ``text`` with each ``{a,b}`` group written out once per alternative."""
    lines = []
    for line in text.splitlines():
        groups = _ALTERNATIVES.findall(line)
        if not groups:
            lines.append(line)
            continue
        for choice in itertools.product(*(group.split(",") for group in groups)):
            expanded = line
            for value in choice:
                expanded = _ALTERNATIVES.sub(value, expanded, count=1)
            lines.append(expanded)
    return "\n".join(lines)


def _documented(path: str, readme: str) -> bool:
    """Tell whether ``readme`` names ``path`` whole or by a tail that starts with a word.

    Parameter names are ignored (``{slug}`` and ``{member}`` are the same), and a tail such
    as ``/versions/{n}`` counts, because a table row lists related routes after the first.
    """
    segments = _PARAMETER.sub("{}", path).strip("/").split("/")
    for start, segment in enumerate(segments):
        if segment == "{}":
            continue
        tail = "/" + "/".join(segments[start:])
        if tail in readme:
            return True
    return False


@pytest.mark.parametrize("readme_name", READMES)
def test_readme_lists_every_route(client: TestClient, readme_name: str) -> None:
    text = _PARAMETER.sub("{}", _expanded((ROOT / readme_name).read_text(encoding="utf-8")))
    paths = client.get("/openapi.json").json()["paths"]

    missing = [path for path in paths if not _documented(path, text)]

    assert missing == [], f"{readme_name} does not list these routes: {missing}"
