"""Time the fast SHACL engine against pySHACL on a generated catalogue of 100,000 products.

Run: .venv/bin/python bench/validation_bench.py [--products 100000] [--pyshacl-products 200]

The catalogue is written as N-Triples: kefir products with a name, GTIN, row, net content,
shelf life, standard and ТН ВЭД code; net contents are shared nodes, as one per product
would only add identical triples. One product in a hundred carries an error (a wrong GTIN
check digit, a repeated GTIN or a code of another class). The fast engine validates the
whole catalogue; pySHACL validates the first ``--pyshacl-products`` products, and its time
for the whole catalogue is extrapolated linearly from that subset (an estimate: the GTIN
uniqueness check compares products, so its cost may grow faster than linearly). Both
engines run in the same process one after the other, so load from other programs on the
machine affects both; the load average and the fast engine's CPU time are printed with the
wall-clock times.

The fast engine's load (pyoxigraph's bulk load of the N-Triples bytes) is timed apart from
its validation; the validation's time covers adding the ТН ВЭД position triples and
``validate_fast``, and the rdflib report graph, built on first use, is timed after it.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

from vic_semantic.validation.classifier_classes import data_position_triples, position_triples
from vic_semantic.validation.engine import default_validation_ontology
from vic_semantic.validation.fast import validate_fast
from vic_semantic.validation.fast.terms import TermMap
from vic_semantic.validation.shapes import load_shapes_graph

VIC = "https://w3id.org/vic-semantic/ontology/"
ID = "https://w3id.org/vic-semantic/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
STANDARD = f"<{ID}standard/gost-31454-2012>"


def gtin(number: int) -> str:
    """Return a valid GTIN-13 whose body is ``number``."""
    body = f"{4810000000000 // 10 + number:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def catalogue(products: int) -> bytes:
    """Return the N-Triples of a catalogue with ``products`` products."""
    catalogue_iri = f"<{ID}catalogue/bench>"
    lines = [
        f"{catalogue_iri} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{VIC}Catalogue> ."
    ]
    for grams in (200, 500, 900):
        quantity = f"<{ID}quantity/{grams}-g>"
        lines.append(f'{quantity} <{VIC}numericValue> "{grams}"^^<{XSD}decimal> .')
        lines.append(f"{quantity} <{VIC}unit> <http://qudt.org/vocab/unit/GM> .")
    for n in range(1, products + 1):
        product = f"<{ID}product/bench/p{n}>"
        code = gtin(n)
        tnved = "0403 20 110"
        if n % 100 == 0:
            code = code[:-1] + str((int(code[-1]) + 1) % 10)
        elif n % 100 == 50:
            code = gtin(n - 1)
        elif n % 100 == 75:
            tnved = "0201 10 000"
        lines += [
            f"{product} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{VIC}Kefir> .",
            f'{product} <{VIC}productName> "Кефир {n}"@ru .',
            f'{product} <{VIC}gtin> "{code}" .',
            f"{product} <{VIC}inCatalogue> {catalogue_iri} .",
            f'{product} <{VIC}sourceRow> "{n}"^^<{XSD}integer> .',
            f"{product} <{VIC}netContent> <{ID}quantity/{(200, 500, 900)[n % 3]}-g> .",
            f'{product} <{VIC}shelfLifeDays> "{5 + n % 10}"^^<{XSD}integer> .',
            f"{product} <{VIC}conformsTo> {STANDARD} .",
            f'{product} <{VIC}tnvedCode> "{tnved}" .',
        ]
    return ("\n".join(lines) + "\n").encode()


def _positions(store: ox.Store, ontology: Graph) -> bytes:
    """Return the vic:longestTnvedCode triples of the store's codes, as validate_graph adds them."""
    codes = [
        row["code"].value
        for row in store.query(f"SELECT DISTINCT ?code WHERE {{ ?p <{VIC}tnvedCode> ?code }}")
    ]
    positions = Graph()
    for triple in position_triples(codes, ontology):
        positions.add(triple)
    return positions.serialize(format="nt").encode()


@dataclass(frozen=True)
class FastRun:
    """Seconds and counts of one fast-engine run."""

    load_seconds: float
    validate_seconds: float
    validate_cpu_seconds: float
    graph_seconds: float
    triples: int
    results: int


def run_fast(data: bytes, ontology: bytes, ontology_graph: Graph) -> FastRun:
    """Load the data straight into a pyoxigraph store and validate it with the fast engine."""
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(ontology, format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    cpu_started = time.process_time()
    store.bulk_load(_positions(store, ontology_graph), format=ox.RdfFormat.N_TRIPLES)
    triples = len(store)
    report = validate_fast(store, load_shapes_graph(), terms=TermMap())
    validated = time.perf_counter()
    validate_cpu_seconds = time.process_time() - cpu_started

    # The fast engine builds the rdflib sh:ValidationReport graph on first use, as
    # validate_graph does; it is timed apart from the validation.
    report_triples = len(report.graph)
    assert report_triples > 0
    return FastRun(
        load_seconds=loaded - started,
        validate_seconds=validated - loaded,
        validate_cpu_seconds=validate_cpu_seconds,
        graph_seconds=time.perf_counter() - validated,
        triples=triples,
        results=len(report.results),
    )


def run_pyshacl(data: bytes, ontology: Graph) -> tuple[float, int]:
    """Return (validation seconds, results) of pySHACL, the triples parsed beforehand."""
    graph = Graph().parse(data=data, format="nt")
    graph += ontology
    graph += data_position_triples(graph, ontology)
    started = time.perf_counter()
    _, results, _ = validate(
        graph, shacl_graph=load_shapes_graph(), inference="none", advanced=True, inplace=True
    )
    elapsed = time.perf_counter() - started
    return elapsed, len(set(results.objects(None, SH.result)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000, help="products in the catalogue")
    parser.add_argument(
        "--pyshacl-products", type=int, default=200, help="products pySHACL validates"
    )
    arguments = parser.parse_args()

    ontology_graph = default_validation_ontology()
    ontology = ontology_graph.serialize(format="nt").encode()
    data = catalogue(arguments.products)
    load_before = os.getloadavg()
    fast = run_fast(data, ontology, ontology_graph)
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
    print(f"load average before the run (1, 5, 15 min): {load_before}")
    print(f"catalogue: {arguments.products} products, {fast.triples} triples with the ontology")
    print(
        f"fast engine: load {fast.load_seconds:.2f} s, validate {fast.validate_seconds:.2f} s "
        f"(CPU {fast.validate_cpu_seconds:.2f} s), {fast.results} results; "
        f"report graph built afterwards in {fast.graph_seconds:.2f} s",
        flush=True,
    )

    subset = catalogue(arguments.pyshacl_products)
    subset_seconds, subset_results = run_pyshacl(subset, ontology_graph)
    subset_fast = run_fast(subset, ontology, ontology_graph)
    estimate = subset_seconds * arguments.products / arguments.pyshacl_products

    print(
        f"subset of {arguments.pyshacl_products} products: pySHACL {subset_seconds:.2f} s "
        f"({subset_results} results), fast engine {subset_fast.validate_seconds:.2f} s "
        f"({subset_fast.results} results)"
    )
    print(
        f"pySHACL, extrapolated linearly from {arguments.pyshacl_products} to "
        f"{arguments.products} products: {estimate:.0f} s (an estimate, not a measurement)"
    )
    print(
        f"speed-up (validation time, against the estimate): {estimate / fast.validate_seconds:.0f}x"
    )
    print(f"load average after the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
