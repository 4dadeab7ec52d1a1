"""The analysts' library of named SPARQL queries in ``queries/``.

Each file ``queries/{id}.rq`` opens with four comment lines that the portal and the API show:

    # title-ru: …
    # title-en: …
    # description-ru: …
    # description-en: …

The rest of the file is the query, which runs unchanged at the SPARQL endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vic_semantic.errors import InputError

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
_HEADER = re.compile(r"^#\s*(title|description)-(ru|en):\s*(.+?)\s*$")
_FIELDS = ("title-ru", "title-en", "description-ru", "description-en")


@dataclass(frozen=True)
class NamedQuery:
    """One query of the library with its titles and descriptions in Russian and English."""

    id: str
    title_ru: str
    title_en: str
    description_ru: str
    description_en: str
    text: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_ru

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_ru


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; raise ValueError naming the file and the missing header line."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            header[f"{match[1]}-{match[2]}"] = match[3]
    missing = [name for name in _FIELDS if name not in header]
    if missing:
        raise ValueError(
            f"{path}: header line(s) {', '.join('# ' + m + ':' for m in missing)} missing; "
            "every named query opens with a Russian and an English title and description"
        )
    return NamedQuery(
        id=path.stem,
        title_ru=header["title-ru"],
        title_en=header["title-en"],
        description_ru=header["description-ru"],
        description_en=header["description-en"],
        text=text,
    )


@cache
def named_queries() -> tuple[NamedQuery, ...]:
    """Return every query of the library, ordered by id; read once per process."""
    return tuple(parse_named_query(path) for path in sorted(QUERIES_DIR.glob("*.rq")))


def get_named_query(query_id: str) -> NamedQuery:
    """Return the query ``query_id``; raise InputError (a 404 in the API) when there is none."""
    for query in named_queries():
        if query.id == query_id:
            return query
    raise UnknownQueryError(query_id)


class UnknownQueryError(InputError):
    """No named query has the requested id."""

    def __init__(self, query_id: str) -> None:
        super().__init__(
            f"Именованного запроса «{query_id}» нет. Список запросов: /api/cluster/queries.",
            f"There is no named query '{query_id}'. The list of queries is at "
            "/api/cluster/queries.",
        )
        self.query_id = query_id
