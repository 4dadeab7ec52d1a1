"""rdflib's SPARQL parser used from many threads at once, as the API's thread pool does.

pyparsing, which rdflib 7.6 parses SPARQL with, is not thread-safe: two parses at once can
fail a valid text with "Param.postParse2() missing 1 required positional argument". The
load test (bench/load.py) saw members' valid updates rejected with 400 that way.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from vic_semantic.errors import QuerySyntaxError
from vic_semantic.sparql.update_targets import TargetKind, written_graphs
from vic_semantic.validation.engine import _prepared

THREADS = 8
ROUNDS = 40
GRAPH = "https://w3id.org/vic-semantic/graph/member/load-member-01/load"


def _update(number: int) -> str:
    # Prefixed names, INSERT DATA and DELETE/INSERT/WHERE with BIND run the grammar's parse
    # actions (Param), which are where concurrent parses break.
    return (
        "PREFIX vic: <https://w3id.org/vic-semantic/ontology/>\n"
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ vic:s{number} vic:p "v{number}" }} }} ;\n'
        f"WITH <{GRAPH}> DELETE {{ ?s vic:p ?o }} INSERT {{ ?s vic:p ?n }} "
        f'WHERE {{ ?s vic:p ?o BIND(CONCAT(?o, "-{number}") AS ?n) }}'
    )


def _parse_updates(worker: int) -> list[str]:
    failures = []
    for round_number in range(ROUNDS):
        try:
            targets = written_graphs(_update(worker * ROUNDS + round_number), None)
        except QuerySyntaxError as error:
            failures.append(str(error))
            continue
        if [t.kind for t in targets] != [TargetKind.GRAPH]:
            failures.append(f"targets {targets}")
    return failures


def _prepare_queries(worker: int) -> list[str]:
    failures = []
    for round_number in range(ROUNDS):
        number = worker * ROUNDS + round_number
        text = (
            "PREFIX vic: <https://w3id.org/vic-semantic/ontology/>\n"
            f"SELECT ?s WHERE {{ ?s vic:p ?o BIND({number} AS ?n) FILTER(?n > 0) }}"
        )
        try:
            _prepared(text)
        except Exception as error:  # whatever the parser raises is the failure looked for
            failures.append(f"{type(error).__name__}: {error}")
    return failures


def test_update_parsing_in_threads() -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        failures = [f for found in pool.map(_parse_updates, range(THREADS)) for f in found]

    assert failures == [], f"{len(failures)} valid updates failed to parse: {failures[:3]}"


def test_updates_and_queries_parsed_together() -> None:
    """The validation engine's query parser shares pyparsing's grammar objects with updates."""
    with ThreadPoolExecutor(THREADS) as pool:
        updates = pool.map(_parse_updates, range(THREADS // 2))
        queries = pool.map(_prepare_queries, range(THREADS // 2, THREADS))
        failures = [f for found in [*updates, *queries] for f in found]

    assert failures == [], f"{len(failures)} valid texts failed to parse: {failures[:3]}"
