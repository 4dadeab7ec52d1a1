"""One product's mapping decision: class, confidence, evidence, candidates and findings.

Sources in order of trust: a correction the member saved (manual mapping), a classifier
code through the ontology's crosswalk, then the name. A name class that fits the code's
classes confirms it; one that does not is reported as a disagreement and the code decides.
Below ``MAPPED_THRESHOLD`` a product stays unmapped with its best candidates, and it is
ambiguous when the two best classes are unrelated and within ``AMBIGUITY_MARGIN``, unless the
second label's match is contained in the first's ("hard cheese" in "Semi-hard cheeses").
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from vic_semantic.catalogues.classify import Candidate, label_index
from vic_semantic.mapping.codes import SCHEME_TITLES, CodeMatch, code_index
from vic_semantic.mapping.names import analyse_name

MAPPED_THRESHOLD = 0.6
AMBIGUITY_MARGIN = 0.05
CODE_ONLY_CONFIDENCE = 0.7
CODE_CONFIRMATION_BONUS = 0.15
# Distinct (analysed name, codes) pairs kept per ontology. A full cache is emptied, so that a
# long-running service holds at most this many decisions (about 3 KB each, with the entries
# they add to the name and lemma caches, measured with tracemalloc).
MAX_CACHED_DECISIONS = 50_000
# Words and heads of the analysed name, then the (scheme, code) pairs in the caller's order.
DecisionKey = tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[str, str], ...]]

EXACT = "skos:exactMatch"
BROAD = "skos:broadMatch"
RELATED = "skos:relatedMatch"
LEXICAL = "semapv:LexicalMatching"
MANUAL = "semapv:ManualMappingCuration"
CROSSWALK = "semapv:MappingChaining"


@dataclass
class Decision:
    """The mapping of one product, as the report shows it."""

    status: str  # "mapped", "ambiguous" or "unmapped"
    cls: URIRef | None = None
    predicate: str = RELATED
    justification: str = LEXICAL
    confidence: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    code_classes: list[URIRef] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


class Hierarchy:
    """Superclasses of each class, to tell whether two classes are related."""

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self._ancestors: dict[URIRef, frozenset[URIRef]] = {}

    def ancestors(self, cls: URIRef) -> frozenset[URIRef]:
        """Return ``cls`` and all its superclasses."""
        found = self._ancestors.get(cls)
        if found is None:
            found = frozenset(
                c
                for c in self.ontology.transitive_objects(cls, RDFS.subClassOf)
                if isinstance(c, URIRef)
            )
            self._ancestors[cls] = found
        return found

    def is_sub(self, cls: URIRef, parent: URIRef) -> bool:
        return parent in self.ancestors(cls)

    def related(self, a: URIRef, b: URIRef) -> bool:
        return self.is_sub(a, b) or self.is_sub(b, a)


_HIERARCHIES: weakref.WeakKeyDictionary[Graph, Hierarchy] = weakref.WeakKeyDictionary()


def hierarchy(ontology: Graph) -> Hierarchy:
    """Return the class hierarchy helper of ``ontology``, built once per graph object."""
    found = _HIERARCHIES.get(ontology)
    if found is None:
        found = Hierarchy(ontology)
        _HIERARCHIES[ontology] = found
    return found


def _label_evidence(candidate: Candidate) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "kind": "label",
        "label": candidate.label,
        "lang": candidate.label_lang,
        "words": list(candidate.matched_words),
    }
    if candidate.fuzzy_words:
        evidence["fuzzy"] = [f"{word}≈{label}" for word, label in candidate.fuzzy_words]
    if candidate.notes:
        evidence["notes"] = list(candidate.notes)
    return evidence


def _code_evidence(match: CodeMatch) -> dict[str, Any]:
    return {
        "kind": "code",
        "scheme": SCHEME_TITLES[match.scheme],
        "code": match.code,
        "listed_as": match.notation,
        "concept": str(match.concept),
        "linked_by": str(match.linked_by) if match.linked_by else None,
        "classes": sorted(str(c) for c in match.classes),
    }


def _best_by_name(candidates: tuple[Candidate, ...]) -> Candidate | None:
    best = candidates[0] if candidates else None
    if best is None or not best.head_covered or best.confidence < MAPPED_THRESHOLD:
        return None
    return best


def _is_ambiguous(candidates: tuple[Candidate, ...], tree: Hierarchy) -> bool:
    if not candidates:
        return False
    first = candidates[0]
    # A label whose match lies inside the first one's is no rival, because it adds nothing
    # the first label does not cover ("hard cheese" inside "Semi-hard cheeses").
    rivals = [c for c in candidates[1:] if not c.covered_tokens < first.covered_tokens]
    if not rivals:
        return False
    second = rivals[0]
    return (
        second.head_covered
        and first.confidence - second.confidence <= AMBIGUITY_MARGIN
        and not tree.related(first.cls, second.cls)
    )


def decide(
    name: str,
    ontology: Graph,
    codes: dict[str, str] | None = None,
    manual: URIRef | None = None,
) -> Decision:
    """Decide the class of one product from a manual mapping, its codes and its name.

    ``codes`` maps a scheme key ("tnved", "okpd2") to the member's code as normalised.
    """
    return decider(ontology).decide(name, codes, manual)


class Decider:
    """Decisions against one ontology, cached by the analysed name and the codes.

    A decision depends on the name only through ``analyse_name``, so names that differ in
    brand, numbers or packaging share one decision, and each row gets a copy of it.
    """

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.labels = label_index(ontology)
        self.tree = hierarchy(ontology)
        self._decisions: dict[DecisionKey, Decision] = {}

    def decide(
        self, name: str, codes: dict[str, str] | None = None, manual: URIRef | None = None
    ) -> Decision:
        """Decide one product, as ``decide`` does."""
        if manual is not None:
            return Decision(
                "mapped",
                manual,
                EXACT,
                MANUAL,
                1.0,
                [{"kind": "manual", "class": str(manual)}],
                list(self.labels.rank(name) if name else ()),
            )

        # Ranking reads only the words and heads of the analysis, and plain tuples hash fast.
        analysed = analyse_name(name)
        key = (analysed.words, analysed.heads, tuple((codes or {}).items()))
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide(name, codes or {})
            if len(self._decisions) >= MAX_CACHED_DECISIONS:
                self._decisions.clear()
            self._decisions[key] = decision
        return _copy(decision)

    def _decide(self, name: str, codes: dict[str, str]) -> Decision:
        candidates = self.labels.rank(name) if name else ()
        matches = _code_matches(self.ontology, codes)
        decision = _decide_by_name(candidates, self.tree)
        code_classes = sorted({c for m in matches for c in m.classes})
        decision.code_classes = code_classes
        decision.evidence.extend(_code_evidence(m) for m in matches)
        for scheme, code in codes.items():
            if code and not any(m.scheme == scheme for m in matches):
                decision.findings.append(
                    {"kind": "unknown_code", "scheme": SCHEME_TITLES[scheme], "code": code}
                )
        if code_classes:
            _apply_codes(decision, candidates, code_classes, self.tree, self.ontology)
        return decision


def _copy(decision: Decision) -> Decision:
    # The lists are fresh because callers add findings to a row's decision. The dicts in them
    # are shared between rows with the same analysed name and codes, and nothing changes them.
    return Decision(
        decision.status,
        decision.cls,
        decision.predicate,
        decision.justification,
        decision.confidence,
        list(decision.evidence),
        list(decision.candidates),
        list(decision.code_classes),
        list(decision.findings),
    )


_DECIDERS: weakref.WeakKeyDictionary[Graph, Decider] = weakref.WeakKeyDictionary()


def decider(ontology: Graph) -> Decider:
    """Return the decider of ``ontology``, built once per graph object."""
    found = _DECIDERS.get(ontology)
    if found is None:
        found = Decider(ontology)
        _DECIDERS[ontology] = found
    return found


def _code_matches(ontology: Graph, codes: dict[str, str]) -> list[CodeMatch]:
    index = code_index(ontology)
    found = []
    for scheme, code in codes.items():
        match = index.lookup(scheme, code) if code else None
        if match is not None and match.classes:
            found.append(match)
    return found


def _decide_by_name(candidates: tuple[Candidate, ...], tree: Hierarchy) -> Decision:
    best = _best_by_name(candidates)
    if best is None:
        return Decision("unmapped", candidates=list(candidates))
    if _is_ambiguous(candidates, tree):
        return Decision(
            "ambiguous",
            None,
            RELATED,
            LEXICAL,
            best.confidence,
            [_label_evidence(c) for c in candidates[:2]],
            list(candidates),
        )
    # A kind with no class of its own ("скир") is narrower than the class it maps to.
    predicate = BROAD if best.broader else EXACT
    return Decision(
        "mapped",
        best.cls,
        predicate,
        LEXICAL,
        best.confidence,
        [_label_evidence(best)],
        list(candidates),
    )


def _offer_both(
    decision: Decision, fitting: list[Candidate], code_classes: list[URIRef], ontology: Graph
) -> None:
    """Make a row whose name and code disagree ambiguous, offering the name's class first.

    Neither source is trusted over the other: a wrong code on a sausage must not make it a
    fermented milk product, and a misleading name must not hide a right code. A steward
    chooses between them.
    """
    named = [c for c in decision.candidates if c.cls == decision.cls][:1]
    # The code's evidence is already in the decision; a name candidate that fits the code is
    # preferred to a bare code class because it carries its matched words.
    by_code = fitting[0] if fitting else _code_candidate(code_classes[0], ontology)
    offered = [*named, by_code]
    rest = [c for c in decision.candidates if c not in offered]
    decision.status, decision.cls = "ambiguous", None
    decision.predicate, decision.justification = RELATED, CROSSWALK
    decision.confidence = min(c.confidence for c in offered)
    decision.candidates = [*offered, *rest]


def _code_candidate(cls: URIRef, ontology: Graph) -> Candidate:
    """Return a candidate for a class that only a code supports, with its Russian label."""
    labels = {
        str(label.language or ""): str(label)
        for label in ontology.objects(cls, RDFS.label)
        if isinstance(label, Literal)
    }
    label = labels.get("ru") or labels.get("en") or str(cls).rsplit("/", 1)[-1]
    lang = "ru" if "ru" in labels else "en"
    return Candidate(cls, label, lang, 0.0, CODE_ONLY_CONFIDENCE, False, ())


def _apply_codes(
    decision: Decision,
    candidates: tuple[Candidate, ...],
    code_classes: list[URIRef],
    tree: Hierarchy,
    ontology: Graph,
) -> None:
    """Confirm, refine or overrule the name's decision with the classes the codes fit."""
    chosen = decision.cls
    if chosen is not None and any(tree.is_sub(chosen, c) for c in code_classes):
        decision.confidence = min(1.0, decision.confidence + CODE_CONFIRMATION_BONUS)
        return

    narrower = [c for c in code_classes if chosen is not None and tree.is_sub(c, chosen)]
    if len(narrower) == 1:
        # The name says "молоко", the code says UHT milk: the code is more specific.
        decision.cls = narrower[0]
        decision.predicate, decision.justification = EXACT, CROSSWALK
        decision.confidence = min(1.0, decision.confidence + CODE_CONFIRMATION_BONUS)
        return

    fitting = [c for c in candidates if any(tree.is_sub(c.cls, k) for k in code_classes)]
    if chosen is not None:
        decision.findings.append(
            {
                "kind": "code_name_conflict",
                "name_class": str(chosen),
                "code_classes": [str(c) for c in code_classes],
            }
        )
        _offer_both(decision, fitting, code_classes, ontology)
        return

    if fitting:
        decision.status, decision.cls = "mapped", fitting[0].cls
        decision.predicate, decision.justification = EXACT, CROSSWALK
        decision.confidence = max(CODE_ONLY_CONFIDENCE, fitting[0].confidence)
        decision.evidence.append(_label_evidence(fitting[0]))
    elif len(code_classes) == 1:
        decision.status, decision.cls = "mapped", code_classes[0]
        decision.predicate, decision.justification = BROAD, CROSSWALK
        decision.confidence = CODE_ONLY_CONFIDENCE
    else:
        decision.status, decision.cls = "ambiguous", None
        decision.predicate, decision.justification = RELATED, CROSSWALK
        decision.confidence = 0.5
