"""Pre-bound variables of SHACL-SPARQL queries written as query text.

SHACL pre-binds ``$this``, ``$value``, ``$shapesGraph``, ``$currentShape`` and the parameters
of a constraint component, so each is bound wherever the query uses it, nested groups and
subqueries included. The queries here get a clause binding them at the start of every
group. IRIs and literals are written into a VALUES clause. A blank node cannot be written
into query text, and pyoxigraph 0.5's ``substitutions`` bind a variable only for the whole
query, so ``bound($this)`` is false in a nested group. A blank node therefore gets a key IRI
and a quad ``key → node`` in a named graph of the store, and the clause reads it back with a
GRAPH pattern.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping

import pyoxigraph as ox

from vic_semantic.validation.fast.terms import OxTerm

_GRAPH = ox.NamedNode("urn:vic-fast:bindings")
_BOUND_TO = ox.NamedNode("urn:vic-fast:bound-to")
_KEY_PREFIX = "urn:vic-fast:binding:"


class BindingWriter:
    """Writes pre-bound variables into SPARQL text, blank nodes through the store."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._keys: dict[ox.BlankNode, ox.NamedNode] = {}
        self._numbers = itertools.count()
        self._lock = threading.Lock()

    def clause(self, bindings: Mapping[str, OxTerm]) -> str:
        """Return the SPARQL text that binds each variable named in ``bindings`` to its term.

        The text fits anywhere a triple pattern does, so it can open any group.
        """
        names = [name for name, term in bindings.items() if not isinstance(term, ox.BlankNode)]
        parts = []
        if len(names) == 1:
            parts.append(f"VALUES ?{names[0]} {{ {bindings[names[0]]} }}")
        elif names:
            variables = " ".join(f"?{name}" for name in names)
            terms = " ".join(str(bindings[name]) for name in names)
            parts.append(f"VALUES ({variables}) {{ ({terms}) }}")
        for name, term in bindings.items():
            if isinstance(term, ox.BlankNode):
                key = self._key(term)
                parts.append(f"GRAPH {_GRAPH} {{ {key} {_BOUND_TO} ?{name} }}")
        return " ".join(parts)

    def _key(self, node: ox.BlankNode) -> ox.NamedNode:
        with self._lock:
            key = self._keys.get(node)
            if key is None:
                key = ox.NamedNode(f"{_KEY_PREFIX}{next(self._numbers)}")
                self._store.add(ox.Quad(key, _BOUND_TO, node, _GRAPH))
                self._keys[node] = key
        return key
