"""The input of a bulk load that fills several named graphs in one pass: one RDF document of
triples per graph, and the error that names the document that failed to parse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.errors import RdfSyntaxError, VicError
from vic_semantic.triple_terms import reject_triple_terms

# pyoxigraph 0.5 starts its parse messages with the position, which the error repeats.
_POSITION_PREFIX = re.compile(
    r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): "
)


@dataclass(frozen=True)
class GraphSource:
    """One RDF document of triples, read from ``path`` or given as ``data``, and the named
    graph it fills. ``name`` is how errors refer to it: the file's path, or the graph."""

    graph: str
    rdf_format: ox.RdfFormat
    path: Path | None = None
    data: bytes | None = None

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else f"<{self.graph}>"


class RdfFileSyntaxError(RdfSyntaxError):
    """An RDF document of a multi-graph load failed to parse at ``line``:``column``."""

    def __init__(self, source: str, detail: str, line: int | None, column: int | None) -> None:
        where_ru = f", строка {line}, столбец {column}" if line else ""
        where_en = f" at line {line}, column {column}" if line else ""
        VicError.__init__(
            self,
            f"Ошибка разбора RDF в {source}{where_ru}: {detail}. Исправьте файл и загрузите "
            "файлы снова: ни один граф этой загрузки не изменён.",
            f"RDF parse error in {source}{where_en}: {detail}. Fix the file and load the "
            "files again: no graph of this load was changed.",
        )
        self.source = source
        self.line = line
        self.column = column


def parse_source(source: GraphSource) -> Iterator[ox.Quad]:
    """Parse one source's triples, with blank nodes given new labels, so that ``_:b1`` of
    two sources stays two nodes; a triple term raises TripleTermError naming the source."""
    return reject_triple_terms(_parser(source), source.name)


def _parser(source: GraphSource) -> ox.QuadParser:
    if source.path is not None:
        return ox.parse(path=source.path, format=source.rdf_format, rename_blank_nodes=True)
    return ox.parse(source.data or b"", format=source.rdf_format, rename_blank_nodes=True)


def file_syntax_error(source: str, error: SyntaxError) -> RdfFileSyntaxError:
    """Return the error, naming ``source``, its line and its column, for a parse failure."""
    message = error.msg or str(error)
    return RdfFileSyntaxError(source, _POSITION_PREFIX.sub("", message), error.lineno, error.offset)
