"""The named graphs a SPARQL 1.1 Update may change, found by a scan of its tokens.

``update_targets`` parses the update with rdflib, which is exact but slow on large
updates, such as a catalogue of thousands of triples. This scan is fast and conservative:
it returns every absolute IRI named after GRAPH or WITH anywhere in the text, WHERE clauses
included, and gives up (returns None) on anything that may write a named graph it cannot
name: a graph variable, ADD, COPY, MOVE, ALL, NAMED, a relative IRI or an unknown prefix.
Without GRAPH or WITH an update writes the default graph only.
"""

from __future__ import annotations

import re

from vic_semantic.sparql.lexer import Token, scan

# Keywords that may name graphs without GRAPH (ADD, COPY, MOVE take a bare IRI) or write
# every graph (ALL, NAMED); BASE makes relative IRIs resolvable, which the scan does not do.
_UNSCANNABLE = {"ADD", "COPY", "MOVE", "ALL", "NAMED", "BASE"}
_ABSOLUTE_IRI = re.compile(r"^<[A-Za-z][A-Za-z0-9+.\-]*:[^<>]*>$")
_PREFIXED_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-.]*)?:([A-Za-z0-9_\-]*)$")


def named_graphs_written(update: str) -> set[str] | None:
    """Return the named graphs ``update`` may change, or None when the scan cannot tell."""
    tokens = [token for token in scan(update) if not token.is_comment]
    prefixes: dict[str, str] = {}
    graphs: set[str] = set()
    for index, token in enumerate(tokens):
        word = token.text.upper() if token.is_word else ""
        following = tokens[index + 1 : index + 3]
        if word in _UNSCANNABLE:
            return None
        if word == "PREFIX":
            if not _declare(prefixes, following):
                return None
        elif word in {"GRAPH", "WITH"}:
            graph = _graph_name(prefixes, following[:1])
            if graph is None:
                return None
            graphs.add(graph)
    return graphs


def _declare(prefixes: dict[str, str], tokens: list[Token]) -> bool:
    if len(tokens) < 2 or not tokens[0].text.endswith(":"):
        return False
    iri = tokens[1].text
    if not _ABSOLUTE_IRI.match(iri):
        return False
    prefixes[tokens[0].text[:-1]] = iri[1:-1]
    return True


def _graph_name(prefixes: dict[str, str], tokens: list[Token]) -> str | None:
    if not tokens:
        return None
    text = tokens[0].text
    if _ABSOLUTE_IRI.match(text):
        return text[1:-1]
    name = _PREFIXED_NAME.match(text)
    if name is None or (name.group(1) or "") not in prefixes:
        return None
    return prefixes[name.group(1) or ""] + name.group(2)
