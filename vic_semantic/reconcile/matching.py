"""Reconciliation: candidates for each query of a batch, scored 0 to 100, best first."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from vic_semantic.reconcile.ids import entity_id, entity_iri, schema_iri
from vic_semantic.reconcile.queries import Condition, PropertyValue, ReconcileQuery
from vic_semantic.reconcile.types import ENTITY_KINDS, has_types, notable_types
from vic_semantic.reconcile.values import (
    Value,
    names,
    property_values,
    subjects_with_literal,
    subjects_with_value,
)
from vic_semantic.search import Document, SearchIndex
from vic_semantic.search.analysis import compact, words
from vic_semantic.search.functions import text_matches
from vic_semantic.store.base import Store

logger = logging.getLogger(__name__)

# How many entities the name search proposes per query before types and properties filter
# them; a few times the usual limit, so that a type filter still leaves enough.
_SEARCH_DEPTH = 50
_PROPERTY_CANDIDATES = 200
# When a query has both a name and properties, the name counts 70 points and the
# properties 30; a property whose value differs takes 20 points off.
_NAME_SHARE = 0.7
_PROPERTY_POINTS = 30.0
_MISMATCH_PENALTY = 20.0
_TYPE_MISMATCH_PENALTY = 10.0
# A name at least this similar (0..100) lets matching properties confirm a candidate.
_SIMILAR_NAME = 80.0


@dataclass
class _Candidate:
    document: Document
    by_id: bool = False
    exact: bool = False
    name_score: float | None = None
    checks: list[bool | None] = field(default_factory=list)
    score: float = 0.0


def reconcile_batch(
    store: Store, index: SearchIndex, queries: list[ReconcileQuery], lang: str
) -> dict[str, dict[str, list[dict[str, object]]]]:
    """Return the result batch: for each query key, its candidates best first."""
    return {query.key: {"result": reconcile(store, index, query, lang)} for query in queries}


def reconcile(
    store: Store, index: SearchIndex, query: ReconcileQuery, lang: str
) -> list[dict[str, object]]:
    """Return the candidates of one query as reconciliation API candidate objects."""
    candidates = [
        candidate
        for candidate in _find(store, index, query, lang)
        if query.type_strict == "should"
        or has_types(candidate.document, query.types, query.type_strict)
    ]
    _check_properties(store, index, candidates, query.conditions, lang)
    for candidate in candidates:
        candidate.score = _score(candidate, query)
    # Python's sort is stable, so equal scores keep the search index's order.
    candidates.sort(key=lambda c: (not c.by_id, not c.exact, -c.score))
    matched = _matched(candidates, query)
    return [_as_json(index, c, c is matched, query, lang) for c in candidates[: query.limit]]


def _find(store: Store, index: SearchIndex, query: ReconcileQuery, lang: str) -> list[_Candidate]:
    """Collect candidates by id, by name and by property value, each entity once."""
    found: dict[str, _Candidate] = {}
    if query.text:
        by_id = index.document(entity_iri(query.text))
        if by_id is not None and by_id.kind in ENTITY_KINDS:
            found[by_id.iri] = _Candidate(by_id, by_id=True)
        for hit in index.search(query.text, kinds=ENTITY_KINDS, limit=_SEARCH_DEPTH, lang=lang):
            document = index.document(hit.iri)
            if document is not None and hit.iri not in found:
                found[hit.iri] = _Candidate(document)
    for iri in _subjects_by_property(store, query.conditions):
        document = index.document(iri)
        if document is not None and document.kind in ENTITY_KINDS and iri not in found:
            found[iri] = _Candidate(document)

    for candidate in found.values():
        candidate.exact = query.text != "" and _is_exact(candidate.document, query.text)
        candidate.name_score = _name_score(candidate, query.text) if query.text else None
    return list(found.values())


def _subjects_by_property(store: Store, conditions: tuple[Condition, ...]) -> list[str]:
    subjects: list[str] = []
    for condition in conditions:
        for value in condition.values:
            if isinstance(value, dict):
                found = subjects_with_value(store, condition.property_iri, entity_iri(value["id"]))
            elif isinstance(value, str) and compact(value):
                found = subjects_with_literal(store, condition.property_iri, compact(value))
            else:
                continue
            subjects.extend(found[:_PROPERTY_CANDIDATES])
    return subjects


def _is_exact(document: Document, text: str) -> bool:
    wanted_words, wanted_compact = " ".join(words(text)), compact(text)
    for text_field in document.fields:
        if " ".join(words(text_field.text)) == wanted_words:
            return True
        if text_field.spec.is_code and compact(text_field.text) == wanted_compact:
            return True
    return False


def _name_score(candidate: _Candidate, text: str) -> float:
    if candidate.by_id or candidate.exact:
        return 100.0
    wanted = " ".join(words(text))
    # A name counts in full, an alternative name or a title by its index weight, so that a
    # product called «Кефир ...» outranks the standard titled «Кефир. Технические условия».
    best = max(
        (
            fuzz.WRatio(wanted, " ".join(words(f.text))) * f.spec.weight
            for f in candidate.document.fields
        ),
        default=0.0,
    )
    return min(best, 99.0)


def _check_properties(
    store: Store,
    index: SearchIndex,
    candidates: list[_Candidate],
    conditions: tuple[Condition, ...],
    lang: str,
) -> None:
    """Set each candidate's checks: True (a value matches), False (none does), None (no value)."""
    if not conditions or not candidates:
        return
    values = property_values(
        store, [c.document.iri for c in candidates], [c.property_iri for c in conditions]
    )
    object_iris = [
        value.lexical
        for by_property in values.values()
        for found in by_property.values()
        for value in found
        if value.is_iri
    ]
    object_names = names(store, index, object_iris, lang)
    for candidate in candidates:
        by_property = values.get(candidate.document.iri, {})
        for condition in conditions:
            found = by_property.get(condition.property_iri, [])
            if not found:
                candidate.checks.append(None)
                continue
            candidate.checks.append(
                any(
                    _value_matches(value, wanted, object_names)
                    for value in found
                    for wanted in condition.values
                )
            )


def _value_matches(value: Value, wanted: PropertyValue, object_names: dict[str, str]) -> bool:
    if isinstance(wanted, dict):
        return value.is_iri and value.lexical in (
            entity_iri(wanted["id"]),
            schema_iri(wanted["id"]),
        )
    if isinstance(wanted, bool):
        return value.lexical.lower() == str(wanted).lower()
    if isinstance(wanted, int | float):
        return _as_number(value.lexical) == float(wanted)
    if value.is_iri:
        name = object_names.get(value.lexical, "")
        return wanted.strip() in (value.lexical, entity_id(value.lexical)) or (
            bool(name) and text_matches(name, wanted) and text_matches(wanted, name)
        )
    if compact(value.lexical) == compact(wanted):
        return True
    number = _as_number(value.lexical)
    return number is not None and number == _as_number(wanted)


def _as_number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _score(candidate: _Candidate, query: ReconcileQuery) -> float:
    checks = candidate.checks
    matched = sum(1 for check in checks if check is True) / len(checks) if checks else 0.0
    mismatched = sum(1 for check in checks if check is False) / len(checks) if checks else 0.0
    if candidate.name_score is None:
        score = 100.0 * matched - _MISMATCH_PENALTY * mismatched
    elif checks:
        score = (
            _NAME_SHARE * candidate.name_score
            + _PROPERTY_POINTS * matched
            - _MISMATCH_PENALTY * mismatched
        )
    else:
        score = candidate.name_score
    if query.types and not has_types(candidate.document, query.types, "any"):
        score -= _TYPE_MISMATCH_PENALTY
    return round(max(0.0, min(100.0, score)), 2)


def _matched(candidates: list[_Candidate], query: ReconcileQuery) -> _Candidate | None:
    """Return the one candidate that is certainly the entity meant, if there is one.

    That is an entity named by its id; else the only one whose name equals the query and
    whose properties do not contradict it; else the only one that matches every property
    condition (and, when the query has a name, resembles it).
    """
    if candidates and candidates[0].by_id:
        return candidates[0]
    consistent = [c for c in candidates if False not in c.checks]
    if query.types and query.type_strict == "should":
        consistent = [c for c in consistent if has_types(c.document, query.types, "any")]
    exact = [c for c in consistent if c.exact]
    if len(exact) == 1:
        return exact[0]
    complete = [
        c
        for c in consistent
        if c.checks and all(c.checks) and (c.name_score is None or c.name_score >= _SIMILAR_NAME)
    ]
    return complete[0] if len(complete) == 1 and not exact else None


def _as_json(
    index: SearchIndex, candidate: _Candidate, match: bool, query: ReconcileQuery, lang: str
) -> dict[str, object]:
    document = candidate.document
    features: list[dict[str, object]] = []
    if candidate.name_score is not None:
        features.append({"id": "name", "value": round(candidate.name_score / 100.0, 4)})
    for condition, check in zip(query.conditions, candidate.checks, strict=False):
        if check is not None:
            features.append({"id": f"property:{condition.pid}", "value": check})
    result: dict[str, object] = {
        "id": entity_id(document.iri),
        "name": document.label(lang),
        "score": candidate.score,
        "match": match,
        "type": notable_types(index, document, lang),
        "features": features,
    }
    description = document.description(lang)
    if description:
        result["description"] = description
    return result
