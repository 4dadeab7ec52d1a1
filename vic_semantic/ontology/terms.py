"""Look up ontology terms by local name and describe them for term pages.

Every term IRI of the ``vic:`` namespace is served at ``/ontology/{local name}``. A
``TermIndex`` wraps the merged ontology graph. It finds the IRI for a local name and close
matches for a misspelt one. It builds the ``TermView`` that a page shows, and it returns the
term's concise bounded description as RDF.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from vic_semantic.namespaces import PREFIXES, VIC
from vic_semantic.ontology.loader import load_ontology_graph, ontology_dir

logger = logging.getLogger(__name__)

LANGUAGES = ("ru", "be", "en")
TERM_PATH = "/ontology/"

# rdflib serialiser names of the RDF media types the term pages offer.
RDF_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}

_KINDS = (
    (OWL.Class, "class"),
    (OWL.ObjectProperty, "object_property"),
    (OWL.DatatypeProperty, "datatype_property"),
    (OWL.AnnotationProperty, "annotation_property"),
    (OWL.NamedIndividual, "individual"),
)
_DOCUMENT_STATUS = VIC.status


@dataclass(frozen=True)
class TermLink:
    """A term as a link: its IRI, its label in the page language and, for vic: terms, a path."""

    iri: str
    label: str
    name: str
    href: str | None


@dataclass(frozen=True)
class StandardRef:
    """A normative document that applies to a class, directly or through a superclass."""

    iri: str
    designation: str
    title: str
    status: str
    via: TermLink | None


@dataclass(frozen=True)
class CodeRef:
    """A classifier code that may be used for a class, directly or through a superclass."""

    iri: str
    scheme: str
    notation: str
    label: str
    via: TermLink | None


@dataclass
class TermView:
    """What a term page shows about one term, with texts in the page language."""

    iri: str
    name: str
    kind: str
    labels: dict[str, str]
    definition: str
    alt_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: list[TermLink] = field(default_factory=list)
    types: list[TermLink] = field(default_factory=list)
    superclasses: list[TermLink] = field(default_factory=list)
    subclasses: list[TermLink] = field(default_factory=list)
    properties: list[TermLink] = field(default_factory=list)
    individuals: list[TermLink] = field(default_factory=list)
    domains: list[TermLink] = field(default_factory=list)
    ranges: list[TermLink] = field(default_factory=list)
    superproperties: list[TermLink] = field(default_factory=list)
    standards: list[StandardRef] = field(default_factory=list)
    codes: list[CodeRef] = field(default_factory=list)
    matches: list[TermLink] = field(default_factory=list)


class TermIndex:
    """The merged ontology graph with lookups by local name; build it once per ontology."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._names: dict[str, URIRef] = {}
        for subject in set(graph.subjects()):
            if isinstance(subject, URIRef) and str(subject).startswith(str(VIC)):
                local = str(subject)[len(str(VIC)) :]
                if local and "/" not in local:
                    self._names[local] = subject
        self._serialised: dict[str, bytes] = {}

    @property
    def names(self) -> list[str]:
        """Local names of every vic: term, sorted."""
        return sorted(self._names)

    def lookup(self, name: str) -> URIRef | None:
        """Return the IRI of the vic: term with local name ``name``, or None."""
        return self._names.get(name)

    def close_matches(self, name: str, limit: int = 5) -> list[str]:
        """Return up to ``limit`` local names that look like ``name``, best first.

        A case-insensitive match comes first, then names that contain ``name``, then names
        that ``difflib`` rates similar.
        """
        requested = name.casefold()
        folded = {candidate.casefold(): candidate for candidate in self._names}
        found: list[str] = []
        if requested in folded:
            found.append(folded[requested])
        if len(requested) >= 3:
            found += [c for c in self.names if requested in c.casefold() and c not in found]
        similar = difflib.get_close_matches(requested, list(folded), n=limit, cutoff=0.6)
        found += [folded[s] for s in similar if folded[s] not in found]
        return found[:limit]

    def serialise(self, rdf_format: str) -> bytes:
        """Return the whole ontology in an rdflib format ("turtle", "xml", "json-ld", "nt")."""
        if rdf_format not in self._serialised:
            self._serialised[rdf_format] = _serialise(self.graph, rdf_format)
        return self._serialised[rdf_format]

    def describe_rdf(self, term: URIRef, rdf_format: str) -> bytes:
        """Return the term's concise bounded description in an rdflib format."""
        description = self.graph.cbd(term)
        return _serialise(description, rdf_format)

    def link(self, node: URIRef, lang: str) -> TermLink:
        """Return ``node`` as a link labelled in ``lang``; only vic: terms get a path."""
        name = self.graph.namespace_manager.normalizeUri(node)
        local = str(node)[len(str(VIC)) :] if str(node).startswith(str(VIC)) else None
        href = TERM_PATH + local if local and local in self._names else None
        return TermLink(str(node), self.text(node, RDFS.label, lang) or name, name, href)

    def text(self, node: URIRef | BNode, predicate: URIRef, lang: str) -> str:
        """Return one literal of ``predicate`` in ``lang``, else Russian, English, untagged."""
        values = [v for v in self.graph.objects(node, predicate) if isinstance(v, Literal)]
        for language in (lang, "ru", "en", None):
            for value in sorted(values):
                if value.language == language:
                    return str(value)
        return str(sorted(values)[0]) if values else ""

    def texts(self, node: URIRef, predicate: URIRef, lang: str) -> list[str]:
        """Return every literal of ``predicate`` in ``lang``, sorted."""
        return sorted(
            str(v)
            for v in self.graph.objects(node, predicate)
            if isinstance(v, Literal) and v.language == lang
        )

    def kind(self, term: URIRef) -> str:
        """Return "class", "object_property", "datatype_property", … or "other"."""
        for rdf_type, kind in _KINDS:
            if (term, RDF.type, rdf_type) in self.graph:
                return kind
        return "other"

    def describe(self, term: URIRef, lang: str) -> TermView:
        """Return what a page about ``term`` shows, with texts in ``lang``."""
        graph = self.graph
        view = TermView(
            iri=str(term),
            name=graph.namespace_manager.normalizeUri(term),
            kind=self.kind(term),
            labels={code: self._label_in(term, code) for code in LANGUAGES},
            definition=self.text(term, SKOS.definition, lang),
            alt_labels=self.texts(term, SKOS.altLabel, lang),
            notes=self.texts(term, SKOS.scopeNote, lang),
            deprecated=any(
                isinstance(v, Literal) and v.toPython() is True
                for v in graph.objects(term, OWL.deprecated)
            ),
        )
        view.replaced_by = self._links(graph.objects(term, DCTERMS.isReplacedBy), lang)
        view.types = self._links(
            (t for t in graph.objects(term, RDF.type) if t != OWL.NamedIndividual), lang
        )
        view.matches = self._links(
            [*graph.objects(term, SKOS.exactMatch), *graph.objects(term, SKOS.closeMatch)], lang
        )
        if view.kind == "class":
            view.types = []  # "owl:Class" says nothing the page heading does not
            self._describe_class(term, view, lang)
        elif view.kind.endswith("property"):
            view.domains = self._links(
                self._class_expression(graph.objects(term, RDFS.domain)), lang
            )
            view.ranges = self._links(self._class_expression(graph.objects(term, RDFS.range)), lang)
            view.superproperties = self._links(graph.objects(term, RDFS.subPropertyOf), lang)
        return view

    def superclasses(self, cls: URIRef) -> list[URIRef]:
        """Return the named superclasses of ``cls``, nearest first, ``cls`` excluded."""
        chain = [c for c in self.graph.transitive_objects(cls, RDFS.subClassOf) if c != cls]
        return [c for c in chain if isinstance(c, URIRef)]

    def properties_with_domain(self, cls: URIRef) -> list[URIRef]:
        """Return the properties whose rdfs:domain is ``cls`` or a union that contains it."""
        found = set()
        for prop, domain in self.graph.subject_objects(RDFS.domain):
            if isinstance(prop, URIRef) and cls in self._class_expression([domain]):
                found.add(prop)
        return sorted(found)

    def _describe_class(self, term: URIRef, view: TermView, lang: str) -> None:
        graph = self.graph
        view.superclasses = self._links(graph.objects(term, RDFS.subClassOf), lang)
        view.subclasses = self._links(graph.subjects(RDFS.subClassOf, term), lang)
        view.properties = self._links(self.properties_with_domain(term), lang)
        view.individuals = self._links(graph.subjects(RDF.type, term), lang)

        lineage = [term, *self.superclasses(term)]
        for cls in lineage:
            via = None if cls == term else self.link(cls, lang)
            documents = [
                d for d in graph.subjects(VIC.appliesToClass, cls) if isinstance(d, URIRef)
            ]
            for document in sorted(documents):
                view.standards.append(self._standard(document, via, lang))
            for code in sorted(self._codes_for(cls)):
                view.codes.append(self._code(code, via, lang))

    def _codes_for(self, cls: URIRef) -> set[URIRef]:
        # A code without links of its own takes the classes of its nearest linked ancestor,
        # so the codes below a linked code fit too, down to the next code with own links.
        codes: set[URIRef] = set()
        pending = [
            c for c in self.graph.subjects(VIC.classifiesClass, cls) if isinstance(c, URIRef)
        ]
        while pending:
            concept = pending.pop()
            if concept in codes:
                continue
            codes.add(concept)
            for narrower in self.graph.subjects(SKOS.broader, concept):
                own_links = (narrower, VIC.classifiesClass, None) in self.graph
                if isinstance(narrower, URIRef) and not own_links:
                    pending.append(narrower)
        return codes

    def _standard(self, document: URIRef, via: TermLink | None, lang: str) -> StandardRef:
        status = self.graph.value(document, _DOCUMENT_STATUS)
        status_label = self.text(status, RDFS.label, lang) if isinstance(status, URIRef) else ""
        return StandardRef(
            iri=str(document),
            designation=self.text(document, VIC.designation, lang),
            title=self.text(document, VIC.title, lang),
            status=status_label,
            via=via,
        )

    def _code(self, concept: URIRef, via: TermLink | None, lang: str) -> CodeRef:
        scheme = self.graph.value(concept, SKOS.inScheme)
        scheme_label = ""
        if isinstance(scheme, URIRef):
            names = self.texts(scheme, SKOS.altLabel, lang) or self.texts(
                scheme, SKOS.altLabel, "ru"
            )
            scheme_label = names[0] if names else self.text(scheme, SKOS.prefLabel, lang)
        return CodeRef(
            iri=str(concept),
            scheme=scheme_label,
            notation=self.text(concept, SKOS.notation, lang),
            label=self.text(concept, SKOS.prefLabel, lang),
            via=via,
        )

    def _class_expression(self, nodes: Iterable[Node]) -> list[URIRef]:
        # A domain or range may be an owl:unionOf list; its named members count one by one.
        result: list[URIRef] = []
        for node in nodes:
            if isinstance(node, URIRef):
                result.append(node)
            elif isinstance(node, BNode):
                members = self.graph.value(node, OWL.unionOf)
                if members is not None:
                    result += [m for m in Collection(self.graph, members) if isinstance(m, URIRef)]
        return result

    def _links(self, nodes: Iterable[Node], lang: str) -> list[TermLink]:
        unique = {node for node in nodes if isinstance(node, URIRef)}
        links = [self.link(node, lang) for node in unique]
        return sorted(links, key=lambda link: link.label.casefold())

    def _label_in(self, term: URIRef, language: str) -> str:
        labels = self.texts(term, RDFS.label, language)
        return labels[0] if labels else ""


def _serialise(graph: Graph, rdf_format: str) -> bytes:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if rdf_format == "json-ld":
        context = {prefix: namespace for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=rdf_format, encoding="utf-8")


def term_index(directory: Path | None = None) -> TermIndex:
    """Return the index of the ontology in ``directory``, rebuilt when a .ttl file changes."""
    folder = directory if directory is not None else ontology_dir()
    stamp = tuple((path.name, path.stat().st_mtime_ns) for path in sorted(folder.glob("*.ttl")))
    return _cached_index(folder, stamp)


@lru_cache(maxsize=4)
def _cached_index(folder: Path, stamp: tuple[tuple[str, int], ...]) -> TermIndex:
    logger.info("indexing the ontology in %s (%d files)", folder, len(stamp))
    return TermIndex(load_ontology_graph(folder))
