"""The SHACL Core constraint components as SPARQL queries, and the list of all components.

Every function validates one shape's constraint for all nodes of a focus set and returns its
results. Value comparisons that raise a SPARQL error (an integer against a string) count as
failed, as SHACL requires, through COALESCE(…, false).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from vic_semantic.validation.fast.datatypes import datatype_condition
from vic_semantic.validation.fast.evaluator import Evaluator, FocusSet
from vic_semantic.validation.fast.results import FastResult
from vic_semantic.validation.fast.shapes import Shape, UnsupportedShapes, is_true
from vic_semantic.validation.fast.sparql_components import (
    component_constraints,
    sparql_constraints,
)
from vic_semantic.validation.fast.terms import OxTerm, sparql_term, sparql_value

_NODE_KINDS = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}
_COMPARABLE = (
    "((isNumeric({value}) && isNumeric({other})) || (isLiteral({value}) && isLiteral({other}) "
    "&& !isNumeric({value}) && !isNumeric({other}) && datatype({value}) = datatype({other})))"
)
_COMPARISONS = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}


def _failing_values(
    ev: Evaluator, shape: Shape, focus: FocusSet, component: URIRef, condition: str
) -> list[FastResult]:
    """Return a result for each value node for which ``condition`` is not true."""
    rows = ev.focus_rows(
        shape, focus, f"{ev.value_pattern(shape)} FILTER (!COALESCE({condition}, false))"
    )
    return [ev.result(shape, component, row["this"], row["value"]) for row in rows]


def _class(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    # MINUS, not FILTER NOT EXISTS: pyoxigraph evaluates MINUS once and joins by hash, but
    # a FILTER NOT EXISTS once per value, which took 4 times as long on 100,000 products.
    results = []
    for cls in shape.values(SH["class"]):
        body = (
            f"{ev.value_pattern(shape)} "
            f"MINUS {{ ?value <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(cls)} }}"
        )
        rows = ev.focus_rows(shape, focus, body)
        results += [
            ev.result(shape, SH.ClassConstraintComponent, row["this"], row["value"]) for row in rows
        ]
    return results


def _datatype(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for datatype in shape.values(SH.datatype):
        condition = datatype_condition(datatype)
        results += _failing_values(ev, shape, focus, SH.DatatypeConstraintComponent, condition)
    return results


def _node_kind(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for kind in shape.values(SH.nodeKind):
        if kind not in _NODE_KINDS:
            raise UnsupportedShapes(f"unknown sh:nodeKind {kind}")
        results += _failing_values(
            ev,
            shape,
            focus,
            SH.NodeKindConstraintComponent,
            _NODE_KINDS[kind],  # type: ignore[index]
        )
    return results


def _comparisons(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for parameter, (operator, component) in _COMPARISONS.items():
        for bound in shape.values(parameter):
            condition = f"{ev.value_of('?value')} {operator} {sparql_value(bound)}"
            results += _failing_values(ev, shape, focus, component, condition)
    return results


def _lengths(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for parameter, operator, component in (
        (SH.minLength, ">=", SH.MinLengthConstraintComponent),
        (SH.maxLength, "<=", SH.MaxLengthConstraintComponent),
    ):
        for bound in shape.values(parameter):
            condition = f"!isBlank(?value) && STRLEN(STR(?value)) {operator} {int(bound)}"  # type: ignore[call-overload]
            results += _failing_values(ev, shape, focus, component, condition)
    return results


def _pattern(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    flags = ev.shapes.graph.value(shape.node, SH.flags)
    flag_text = f", {sparql_term(Literal(str(flags)))}" if flags is not None else ""
    for pattern in shape.values(SH.pattern):
        regex = sparql_term(Literal(str(pattern)))
        condition = f"!isBlank(?value) && REGEX(STR(?value), {regex}{flag_text})"
        results += _failing_values(ev, shape, focus, SH.PatternConstraintComponent, condition)
    return results


def _language_in(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for languages in shape.values(SH.languageIn):
        tests = [
            f"langMatches(lang(?value), {sparql_term(Literal(str(tag)))})"
            for tag in ev.shapes.items(languages)
        ]
        condition = "isLiteral(?value) && (" + (" || ".join(tests) or "false") + ")"
        results += _failing_values(ev, shape, focus, SH.LanguageInConstraintComponent, condition)
    return results


def _in(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for members in shape.values(SH["in"]):
        tests = [f"sameTerm(?value, {sparql_term(m)})" for m in ev.shapes.items(members)]
        condition = " || ".join(tests) or "false"
        results += _failing_values(ev, shape, focus, SH.InConstraintComponent, condition)
    return results


def _count_query(shape: Shape, focus: FocusSet, parameter: URIRef, bound: int) -> str | None:
    """Return the query of the focus nodes that break sh:minCount or sh:maxCount ``bound``."""
    path = shape.path_sparql
    if parameter == SH.maxCount:
        # Only a node with values can have too many, so no OPTIONAL is needed.
        return (
            f"SELECT ?this WHERE {{ {focus.bag_pattern} ?this {path} ?value }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {bound})"
        )
    if bound <= 0:
        return None
    if bound == 1:
        return (
            f"SELECT DISTINCT ?this WHERE {{ {focus.bag_pattern} MINUS {{ ?this {path} ?value }} }}"
        )
    return (
        f"SELECT ?this WHERE {{ {focus.bag_pattern} OPTIONAL {{ ?this {path} ?value }} }} "
        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {bound})"
    )


def _counts(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    if shape.path_sparql is None:
        return []
    results = []
    for parameter, component in (
        (SH.minCount, SH.MinCountConstraintComponent),
        (SH.maxCount, SH.MaxCountConstraintComponent),
    ):
        for bound in shape.values(parameter):
            query = _count_query(shape, focus, parameter, int(bound))  # type: ignore[call-overload]
            if query is not None:
                rows = ev.select(query)
                results += [ev.result(shape, component, row["this"], None) for row in rows]
    return results


def _has_value(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    for expected in shape.values(SH.hasValue):
        term = sparql_term(expected)
        if shape.path_sparql is None:
            condition = f"FILTER (!sameTerm(?this, {term}))"
        else:
            condition = f"MINUS {{ ?this {shape.path_sparql} {term} }}"
        rows = ev.select(f"SELECT DISTINCT ?this WHERE {{ {focus.bag_pattern} {condition} }}")
        results += [
            ev.result(shape, SH.HasValueConstraintComponent, row["this"], None) for row in rows
        ]
    return results


def _member_test(shape: Shape, variable: str) -> str:
    if shape.path_sparql is None:
        return f"sameTerm(?this, {variable})"
    return f"EXISTS {{ ?this {shape.path_sparql} {variable} }}"


def _pair_rows(
    ev: Evaluator, shape: Shape, focus: FocusSet, body: str
) -> list[tuple[OxTerm, OxTerm]]:
    rows = ev.focus_rows(shape, focus, body)
    return [(row["this"], row["value"]) for row in rows]


def _property_pairs(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    results = []
    values = ev.value_pattern(shape)
    for other in shape.values(SH.equals):
        o = sparql_term(other)
        for this, value in _pair_rows(ev, shape, focus, f"{values} MINUS {{ ?this {o} ?value }}"):
            results.append(ev.result(shape, SH.EqualsConstraintComponent, this, value))
        missing = f"?this {o} ?value . FILTER (!{_member_test(shape, '?value')})"
        for this, value in _pair_rows(ev, shape, focus, missing):
            results.append(ev.result(shape, SH.EqualsConstraintComponent, this, value))
    for other in shape.values(SH.disjoint):
        body = f"{values} FILTER EXISTS {{ ?this {sparql_term(other)} ?value }}"
        for this, value in _pair_rows(ev, shape, focus, body):
            results.append(ev.result(shape, SH.DisjointConstraintComponent, this, value))
    for parameter, operator, component in (
        (SH.lessThan, "<", SH.LessThanConstraintComponent),
        (SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent),
    ):
        for other in shape.values(parameter):
            # pyoxigraph orders some values that SPARQL cannot compare (1 < "a"), so the
            # pair must also be of comparable kinds.
            left, right = ev.value_of("?value"), ev.value_of("?other")
            comparable = _COMPARABLE.format(value=left, other=right)
            body = (
                f"{values} ?this {sparql_term(other)} ?other . "
                f"FILTER (!COALESCE({left} {operator} {right} && {comparable}, false))"
            )
            # SHACL reports each pair of a value and an ?other that fails, not each value.
            for row in ev.focus_rows(shape, focus, body, "?this ?value ?other"):
                results.append(ev.result(shape, component, row["this"], row["value"]))
    return results


def _unique_lang(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    unique = shape.first(SH.uniqueLang)
    if shape.path_sparql is None or not is_true(unique):
        return []
    rows = ev.select(
        f"SELECT DISTINCT ?this (LCASE(lang(?a)) AS ?language) WHERE {{ {focus.bag_pattern} "
        f'?this {shape.path_sparql} ?a , ?b . FILTER (!sameTerm(?a, ?b) && lang(?a) != "" '
        "&& LCASE(lang(?a)) = LCASE(lang(?b))) }"
    )
    return [ev.result(shape, SH.UniqueLangConstraintComponent, row["this"], None) for row in rows]


def _closed(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    closed = shape.first(SH.closed)
    if not is_true(closed):
        return []
    graph = ev.shapes.graph
    allowed = {
        path
        for child in graph.objects(shape.node, SH.property)
        if isinstance(path := graph.value(child, SH.path), URIRef)
    }
    for ignored in graph.objects(shape.node, SH.ignoredProperties):
        allowed.update(m for m in ev.shapes.items(ignored) if isinstance(m, URIRef))
    exclusion = ", ".join(sparql_term(p) for p in sorted(allowed))
    condition = f"FILTER (?predicate NOT IN ({exclusion}))" if allowed else ""
    rows = ev.select(
        f"SELECT DISTINCT ?this ?predicate ?object WHERE {{ {focus.bag_pattern} "
        f"{ev.value_pattern(shape)} ?value ?predicate ?object . {condition} }}"
    )
    return [
        ev.result(
            shape,
            SH.ClosedConstraintComponent,
            row["this"],
            row["object"],
            path=URIRef(row["predicate"].value),
        )
        for row in rows
    ]


def _logical(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    graph_parameters = [SH.node, SH["not"], SH["and"], SH["or"], SH.xone]
    if not any(shape.values(p) for p in graph_parameters):
        return []
    pairs = ev.value_pairs(shape, focus)
    values = [value for _, value in pairs]
    results = []

    def failing(component: URIRef, fits: Callable[[OxTerm], bool]) -> None:
        for this, value in pairs:
            if not fits(value):
                results.append(ev.result(shape, component, this, value))

    for child in shape.values(SH.node):
        good = ev.conforming(child, values)
        failing(SH.NodeConstraintComponent, good.__contains__)
    for child in shape.values(SH["not"]):
        bad = ev.conforming(child, values)
        failing(SH.NotConstraintComponent, lambda v, bad=bad: v not in bad)  # type: ignore[misc]
    for parameter, component, rule in (
        (SH["and"], SH.AndConstraintComponent, lambda n, total: n == total),
        (SH["or"], SH.OrConstraintComponent, lambda n, total: n >= 1),
        (SH.xone, SH.XoneConstraintComponent, lambda n, total: n == 1),
    ):
        for members in shape.values(parameter):
            children = ev.shapes.items(members)
            goods = [ev.conforming(child, values) for child in children]

            def fits(
                v: OxTerm, goods: list[set[OxTerm]] = goods, rule: Callable[..., bool] = rule
            ) -> bool:
                return bool(rule(sum(v in good for good in goods), len(goods)))

            failing(component, fits)
    return results


def _siblings(ev: Evaluator, shape: Shape) -> set[Node]:
    graph = ev.shapes.graph
    own = set(shape.values(SH.qualifiedValueShape))
    siblings: set[Node] = set()
    for parent in graph.subjects(SH.property, shape.node):
        for sibling in graph.objects(parent, SH.property):
            siblings.update(graph.objects(sibling, SH.qualifiedValueShape))
    return siblings - own


def _qualified(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    qualified = shape.values(SH.qualifiedValueShape)
    if not qualified or shape.path_sparql is None:
        return []
    pairs = ev.value_pairs(shape, focus)
    by_focus: dict[OxTerm, list[OxTerm]] = defaultdict(list)
    for this, value in pairs:
        by_focus[this].append(value)
    values = [value for _, value in pairs]
    disjoint = shape.first(SH.qualifiedValueShapesDisjoint)
    excluded: set[OxTerm] = set()
    if is_true(disjoint):
        for sibling in _siblings(ev, shape):
            excluded |= ev.conforming(sibling, values)
    minimum = shape.first(SH.qualifiedMinCount)
    maximum = shape.first(SH.qualifiedMaxCount)
    results = []
    for child in qualified:
        good = ev.conforming(child, values) - excluded
        for this in focus.nodes:
            count = sum(value in good for value in by_focus.get(this, []))
            if minimum is not None and count < int(minimum):  # type: ignore[call-overload]
                results.append(
                    ev.result(shape, SH.QualifiedMinCountConstraintComponent, this, None)
                )
            if maximum is not None and count > int(maximum):  # type: ignore[call-overload]
                results.append(
                    ev.result(shape, SH.QualifiedMaxCountConstraintComponent, this, None)
                )
    return results


def _properties(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    children = shape.values(SH.property)
    if not children:
        return []
    if shape.path_sparql is None:
        # The property shapes of a node shape have the node shape's focus nodes.
        return ev.validate_children(children, focus)

    # A value node reached from several focus nodes is validated once, but SHACL reports
    # its results once for each of them.
    origins: dict[OxTerm, list[OxTerm]] = defaultdict(list)
    for this, value in ev.value_pairs(shape, focus):
        origins[value].append(this)
    shared = ev.focus_set(origins)
    results = []
    for child in children:
        for result in ev.validate_set(child, shared):
            inner = ev.terms.to_ox(result.origin or result.focus)
            results += [replace(result, origin=ev.terms.to_rdflib(this)) for this in origins[inner]]
    return results


COMPONENTS = (
    _class,
    _datatype,
    _node_kind,
    _comparisons,
    _lengths,
    _pattern,
    _language_in,
    _in,
    _counts,
    _has_value,
    _property_pairs,
    _unique_lang,
    _closed,
    _logical,
    _qualified,
    _properties,
    sparql_constraints,
    component_constraints,
)


def evaluate_components(ev: Evaluator, shape: Shape, focus: FocusSet) -> list[FastResult]:
    """Return the results of every constraint of ``shape`` for the focus set."""
    results = []
    for component in COMPONENTS:
        results += component(ev, shape, focus)
    return results
