"""The data behind the generated HTML documentation of the whole ontology.

The page shows the header (title, version, prior version), a tree of the vic: classes, and
every vic: term grouped by kind. Rendering is left to a template, so the same data could
feed another output format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from vic_semantic.namespaces import ONTOLOGY_IRI, VIC
from vic_semantic.ontology.quality_structure import definition_operands
from vic_semantic.ontology.terms import TermIndex, TermLink, TermView

# Order of the sections of the documentation page.
KIND_ORDER = (
    "class",
    "object_property",
    "datatype_property",
    "annotation_property",
    "individual",
)


@dataclass
class TreeNode:
    """One class of the class tree with its vic: subclasses."""

    link: TermLink
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class Header:
    """The ontology header in the page language."""

    iri: str
    title: str
    description: str
    version: str
    version_iri: str
    prior_versions: list[str]
    modified: str


@dataclass
class Documentation:
    """Everything the documentation page shows."""

    header: Header
    tree: list[TreeNode]
    sections: dict[str, list[TermView]]


def class_tree(index: TermIndex, lang: str) -> list[TreeNode]:
    """Return the vic: class tree; roots are classes with no vic: superclass.

    A class with two vic: superclasses appears under each of them. A defined class
    (owl:equivalentClass to an intersection) appears under the named classes it intersects.
    """
    graph = index.graph
    classes = sorted(
        c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and _is_vic(c)
    )

    children: dict[URIRef, list[URIRef]] = {}
    roots = []
    for cls in classes:
        parents = [p for p in graph.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)]
        parents += sorted(definition_operands(graph, cls))
        vic_parents = {p for p in parents if _is_vic(p) and p != cls}
        if not vic_parents:
            roots.append(cls)
        for parent in vic_parents:
            children.setdefault(parent, []).append(cls)

    return _sorted_nodes([_node(index, children, root, lang, set()) for root in roots])


def build_documentation(index: TermIndex, lang: str) -> Documentation:
    """Return the header, the class tree and every vic: term described in ``lang``."""
    sections: dict[str, list[TermView]] = {kind: [] for kind in KIND_ORDER}
    for name in index.names:
        term = index.lookup(name)
        if term is None:
            continue
        kind = index.kind(term)
        if kind in sections:
            sections[kind].append(index.describe(term, lang))
    for views in sections.values():
        views.sort(key=lambda view: view.name.casefold())
    return Documentation(_header(index, lang), class_tree(index, lang), sections)


def _header(index: TermIndex, lang: str) -> Header:
    graph = index.graph
    version = graph.value(ONTOLOGY_IRI, OWL.versionInfo)
    version_iri = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    modified = graph.value(ONTOLOGY_IRI, DCTERMS.modified)
    return Header(
        iri=str(ONTOLOGY_IRI),
        title=index.text(ONTOLOGY_IRI, DCTERMS.title, lang),
        description=index.text(ONTOLOGY_IRI, DCTERMS.description, lang),
        version=str(version) if isinstance(version, Literal) else "",
        version_iri=str(version_iri) if version_iri is not None else "",
        prior_versions=sorted(str(v) for v in graph.objects(ONTOLOGY_IRI, OWL.priorVersion)),
        modified=str(modified) if modified is not None else "",
    )


def _node(
    index: TermIndex,
    children: dict[URIRef, list[URIRef]],
    cls: URIRef,
    lang: str,
    path: set[URIRef],
) -> TreeNode:
    # ``path`` guards against a subclass cycle, which RDF allows although OWL means
    # equivalence by it.
    nodes = [
        _node(index, children, child, lang, path | {cls})
        for child in children.get(cls, [])
        if child not in path
    ]
    return TreeNode(index.link(cls, lang), _sorted_nodes(nodes))


def _sorted_nodes(nodes: list[TreeNode]) -> list[TreeNode]:
    return sorted(nodes, key=lambda node: node.link.label.casefold())


def _is_vic(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(VIC))
