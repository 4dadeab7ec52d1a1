"""Validating data graphs and member files against the SHACL shapes.

The fast engine (``vic_semantic.validation.fast``) runs the shapes as SPARQL over pyoxigraph;
shapes it does not translate are validated with pySHACL.

The ontology is mixed into a copy of the data graph, so that shapes see the class hierarchy,
the standards and the classifier codes. The caller's graph is not changed. SHACL-SPARQL
constraints need ``advanced=True``. Each call gets its own copy of the shapes graph, so no
call can change what another validates against.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pyshacl import validate
from rdflib import RDFS, Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from vic_semantic.catalogues.conversion import Provenance
from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.limits import DEFAULT_LIMITS, ReadLimits
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.table import FileKind
from vic_semantic.ontology.loader import load_ontology_graph
from vic_semantic.sparql.parser_lock import RDFLIB_SPARQL_PARSER
from vic_semantic.validation.classifier_classes import (
    data_position_triples,
    with_classifier_classes,
)
from vic_semantic.validation.fast import ShaclFailure, UnsupportedShapes, validate_fast
from vic_semantic.validation.pyshacl_shapes import shapes_for_pyshacl
from vic_semantic.validation.report import ValidationReport
from vic_semantic.validation.results import read_results
from vic_semantic.validation.shapes import load_shapes_graph
from vic_semantic.validation.withdrawal_notice import add_withdrawal_notice, needs_withdrawal_notice

logger = logging.getLogger(__name__)

Engine = Literal["auto", "fast", "pyshacl"]


@lru_cache(maxsize=1)
def default_ontology() -> Graph:
    """Return the ontology graph of ``ontology/``, loaded once per process."""
    return load_ontology_graph()


@lru_cache(maxsize=1)
def default_validation_ontology() -> Graph:
    """Return the ontology with the precomputed classifier triples the shapes use."""
    return with_classifier_classes(default_ontology())


@lru_cache(maxsize=256)
def _prepared(query: str) -> Query:
    with RDFLIB_SPARQL_PARSER:
        return prepareQuery(query)


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node with the same text, and
    rdflib parses the text anew each time: parsing took 26 of 42 s on the sample files.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Result:
        if isinstance(query_object, str) and not kwargs.get("initNs"):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _with_ontology(data: Graph, ontology: Graph) -> Graph:
    """Return the union of ``data`` and ``ontology``, less the data's rdfs:subClassOf triples.

    SHACL finds the instances of a class (sh:targetClass, sh:class) through rdfs:subClassOf in
    the graph it validates, so a member file stating ``vic:Kefir rdfs:subClassOf
    vic:ClusterMember`` would move its products out of the product shapes' reach. Only the
    ontology's class hierarchy counts.
    """
    # NOTE: pySHACL 0.40's own ont_graph mixing clones the ontology node by node, which took
    # over 7 minutes on the 2,900-triple ontology here. A plain union of the triples gives
    # the graph it would build, in milliseconds.
    mixed = _PreparedQueryGraph()
    mixed += data
    redefinitions = list(data.triples((None, RDFS.subClassOf, None)))
    for triple in redefinitions:
        mixed.remove(triple)
    if redefinitions:
        logger.warning(
            "Ignored %d rdfs:subClassOf triples of the data: validation uses the ontology's "
            "class hierarchy only",
            len(redefinitions),
        )
    mixed += ontology
    return mixed


def _validation_ontology(ontology: Graph | None) -> Graph:
    if ontology is None:
        return default_validation_ontology()
    return with_classifier_classes(ontology)


def _run_pyshacl(mixed: Graph, shapes: Graph) -> Graph:
    try:
        _, results_graph, _ = validate(
            mixed,
            shacl_graph=shapes_for_pyshacl(shapes),
            inference="none",
            advanced=True,
            allow_warnings=True,
            inplace=True,
        )
    except NotImplementedError as error:
        # pySHACL 0.40 raises this for $shapesGraph in a SPARQL constraint, and SHACL requires a
        # processor without support for that variable to report a failure.
        raise ShaclFailure(
            f"pySHACL не поддерживает то, что используют формы: {error}. Перепишите формы.",
            f"pySHACL does not support a feature the shapes use: {error}. Rewrite the shapes.",
        ) from error
    if not isinstance(results_graph, Graph):
        # pySHACL returns its ValidationFailure in place of the report, for example for a
        # SPARQL constraint that uses MINUS.
        raise ShaclFailure(
            f"pySHACL отказался проверять по этим формам: {results_graph}. Исправьте формы.",
            f"pySHACL rejected these shapes: {results_graph}. Fix the shapes.",
        )
    return results_graph


def _run_engine(mixed: Graph, shapes: Graph, engine: Engine, deadline: float | None) -> Graph:
    if engine == "pyshacl":
        return _run_pyshacl(mixed, shapes)
    try:
        return validate_fast(mixed, shapes, deadline=deadline).graph
    except UnsupportedShapes as error:
        if engine == "fast":
            raise
        logger.info("Validating with pySHACL, because the fast engine does not cover: %s", error)
        return _run_pyshacl(mixed, shapes)


def validate_graph(
    data: Graph,
    lang: str = "ru",
    *,
    provenance: Provenance | None = None,
    ontology: Graph | None = None,
    shapes_dir: Path | None = None,
    engine: Engine = "auto",
    timeout_seconds: float | None = None,
) -> ValidationReport:
    """Validate ``data`` against the shapes; ``provenance`` names the cells behind the triples.

    ``engine`` "auto" uses the fast engine and pySHACL for shapes it does not cover; "fast"
    raises UnsupportedShapes instead, "pyshacl" always uses pySHACL. ``timeout_seconds``
    bounds the fast engine, which raises ValidationTimeoutError once it has passed. Either
    engine raises ShaclFailure when the shapes graph is ill-formed.
    """
    shapes = load_shapes_graph(shapes_dir)
    started = time.perf_counter()
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    mixed = _with_ontology(data, _validation_ontology(ontology))
    mixed += data_position_triples(data, ontology if ontology is not None else default_ontology())
    results_graph = _run_engine(mixed, shapes, engine, deadline)
    results = tuple(read_results(results_graph, shapes, data, provenance or {}))
    conforms = all(result.severity != "Violation" for result in results)
    logger.info(
        "Validated %d triples in %.2f s: %d results",
        len(data),
        time.perf_counter() - started,
        len(results),
    )
    return ValidationReport(conforms, results, results_graph, lang)


def validate_files(
    files: list[tuple[str, bytes]],
    lang: str = "ru",
    *,
    member_slug: str | None = None,
    ontology: Graph | None = None,
    timeout_seconds: float | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    stored_treatments: Graph | None = None,
) -> ValidationReport:
    """Read, convert and validate the files of one request together.

    Files are validated as one graph, so a delivery log is checked against the treatment log
    sent with it. ``stored_treatments`` is the sender's stored veterinary graph: deliveries
    are checked against it too, and only findings on the files' own nodes are reported.
    Deliveries with no treatment in either get a warning that the withdrawal check was
    skipped. An unreadable file raises a CatalogueError naming the file and the fix.
    """
    ontology = ontology if ontology is not None else default_ontology()
    tables = [read_table(name, data, limits) for name, data in files]
    conversion = convert_tables(tables, ontology, member_slug)
    data = conversion.graph
    if stored_treatments is not None and len(stored_treatments):
        data = Graph()
        data += conversion.graph
        data += stored_treatments
    report = validate_graph(
        data,
        lang,
        provenance=conversion.provenance,
        ontology=ontology,
        timeout_seconds=timeout_seconds,
    )
    if data is not conversion.graph:
        report = _only_own_results(report, conversion.graph)

    delivery = needs_withdrawal_notice(data)
    if delivery is not None:
        deliveries = [t.file_name for t in tables if t.kind is FileKind.DELIVERIES]
        report = add_withdrawal_notice(report, delivery, deliveries[0] if deliveries else None)
    return report


def _only_own_results(report: ValidationReport, own: Graph) -> ValidationReport:
    """Keep the results whose focus node is a subject of ``own``, the request's files.

    NOTE: the SHACL results graph (Turtle and JSON-LD reports) still lists the results on
    stored nodes; only the JSON results and ``conforms`` leave them out.
    """
    subjects = {str(subject) for subject in own.subjects()}
    kept = tuple(result for result in report.results if result.focus_node in subjects)
    conforms = all(result.severity != "Violation" for result in kept)
    return replace(report, conforms=conforms, results=kept)
