"""IRIs of the vic-semantic ontology, its data and the vocabularies it aligns to.

Terms live under a slash namespace so that each term has an IRI of its own that the
service can answer with a page or RDF. Data individuals (members, standards, classifier
codes, products) live under ``ID``; each named graph of the store under ``GRAPH``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/vic-semantic/"

VIC = Namespace(BASE + "ontology/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ONTOLOGY_IRI = URIRef(BASE + "ontology")

GS1 = Namespace("https://ref.gs1.org/voc/")
SCHEMA = Namespace("http://schema.org/")
FOODON = Namespace("http://purl.obolibrary.org/obo/FOODON_")
AGROVOC = Namespace("http://aims.fao.org/aos/agrovoc/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
DCTERMS = Namespace("http://purl.org/dc/terms/")

# Named graphs with a fixed role; member graphs are minted per member.
ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
MEMBERS_GRAPH = GRAPH["members"]
INFERRED_GRAPH = GRAPH["inferred"]


def catalogue_graph(member_slug: str) -> URIRef:
    """Return the named graph that holds one member's product catalogue."""
    return GRAPH[f"catalogue/{member_slug}"]


def veterinary_graph(supplier_slug: str) -> URIRef:
    """Return the named graph that holds one supplier's treatments and deliveries."""
    return GRAPH[f"veterinary/{supplier_slug}"]


PREFIXES: dict[str, str] = {
    "vic": str(VIC),
    "vicd": str(ID),
    "gs1": str(GS1),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "unit": str(UNIT),
    "dcterms": str(DCTERMS),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}
