"""Loading files into the store: RDF documents whole into named graphs, member files
converted first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from vic_semantic.errors import UnsupportedFormatError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import GRAPH
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import FILE_EXTENSIONS

logger = logging.getLogger(__name__)

MEMBER_FILE_EXTENSIONS = {".csv", ".xlsx", ".json"}


def default_graph_for(path: Path) -> str:
    """Return the graph a file loads into when none is named: one graph per file name."""
    return str(GRAPH[f"file/{path.name}"])


def load_paths(
    service: VicService, paths: list[Path], graph: str | None, member: str | None
) -> Iterator[str]:
    """Load each file, yielding one line of progress per file; inferences are updated last.

    Each file replaces its target graph in one transaction, so a file that fails to parse
    changes nothing, and the files before it stay loaded.
    """
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in FILE_EXTENSIONS:
            target = graph or default_graph_for(path)
            count = service.store.replace_graph(target, path.read_bytes(), FILE_EXTENSIONS[suffix])
            yield f"{path}: {count} triples → <{target}>"
        elif suffix in MEMBER_FILE_EXTENSIONS:
            yield _load_member_file(service, path, member)
        else:
            known = ", ".join(sorted([*FILE_EXTENSIONS, *MEMBER_FILE_EXTENSIONS]))
            raise UnsupportedFormatError(
                f"Файл {path}: расширение «{suffix}» не поддерживается. Допустимые: {known}.",
                f"File {path}: the extension '{suffix}' is not supported. Known: {known}.",
            )
    materialise(service.store)


def _load_member_file(service: VicService, path: Path, member: str | None) -> str:
    from vic_semantic.demo import load_member_file

    return load_member_file(service, path.name, path.read_bytes(), member)
