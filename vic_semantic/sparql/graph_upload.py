"""Reading an RDF document sent to the Graph Store Protocol: one graph, or a whole dataset.

Documents are parsed whole by pyoxigraph before anything is written, so a syntax error leaves
the store untouched. pyoxigraph loads no remote JSON-LD context and expands no external XML
entity, so parsing never makes the server fetch a URL. Blank node labels are renamed on
parsing: two uploads that both contain ``_:b0`` get two different nodes.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pyoxigraph as ox

from vic_semantic.errors import InputError, RdfSyntaxError
from vic_semantic.rdf import format_for_media_type, reject_entity_declarations
from vic_semantic.sparql.formats import DATASET_FORMATS, FILE_EXTENSIONS
from vic_semantic.sparql.protocol import ProtocolError, media_type_and_charset
from vic_semantic.store.embedded import parse_error
from vic_semantic.triple_terms import TripleTermError, reject_triple_terms

_UTF8 = {None, "utf-8", "utf8", "us-ascii"}


def upload_format(content_type: str | None, filename: str | None = None) -> ox.RdfFormat:
    """Return the RDF format of an upload from its Content-Type, else its file extension.

    Raises UnsupportedFormatError (415) for a type the service does not read and
    ProtocolError (``invalid_encoding``) for a charset other than UTF-8.
    """
    media_type, charset = media_type_and_charset(content_type)
    if charset not in _UTF8:
        raise ProtocolError(
            "invalid_encoding",
            f"Кодировка «{charset}» не поддерживается: отправьте RDF в UTF-8.",
            f"The charset '{charset}' is not supported: send the RDF as UTF-8.",
        )
    generic = media_type in {"", "application/octet-stream"}
    if generic and filename:
        by_extension = FILE_EXTENSIONS.get(PurePosixPath(filename).suffix.lower())
        if by_extension is not None:
            return by_extension
    return format_for_media_type(media_type)


def is_dataset_format(rdf_format: ox.RdfFormat) -> bool:
    return rdf_format in DATASET_FORMATS.values()


def parse_quads(data: bytes, rdf_format: ox.RdfFormat, base_iri: str | None) -> list[ox.Quad]:
    """Parse a whole document into quads, raising RdfSyntaxError with the error's position."""
    reject_entity_declarations(data, rdf_format)
    try:
        parsed = ox.parse(data, format=rdf_format, base_iri=base_iri, rename_blank_nodes=True)
        return list(reject_triple_terms(parsed))
    except TripleTermError:
        raise
    except SyntaxError as error:
        raise parse_error(error) from error
    except ValueError as error:
        raise RdfSyntaxError(str(error)) from error


def parse_triples(data: bytes, rdf_format: ox.RdfFormat, base_iri: str | None) -> list[ox.Triple]:
    """Parse a document meant for one graph; a TriG or N-Quads one must name no graph."""
    quads = parse_quads(data, rdf_format, base_iri)
    named = sorted(
        {str(q.graph_name) for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    )
    if named:
        listed = ", ".join(named[:3])
        raise InputError(
            f"Документ для одного графа содержит именованные графы ({listed}). Отправьте "
            "только тройки или загрузите набор данных POST-запросом на /graphs.",
            f"A document for one graph contains named graphs ({listed}). Send triples only, "
            "or upload the dataset by POST to /graphs.",
        )
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
