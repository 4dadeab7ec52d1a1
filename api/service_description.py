"""The SPARQL 1.1 Service Description of the endpoint, computed on each request.

Vocabulary: https://www.w3.org/TR/sparql11-service-description/. The named graphs are
listed from the store, so the description is current after every write.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response

from api.errors import HttpError
from api.negotiation import choose_media_type
from vic_semantic.service import VicService
from vic_semantic.sparql.formats import GRAPH_FORMATS, RESULTS_FORMATS

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}


def _turtle(service: VicService, endpoint: str) -> str:
    lines = [
        f"@prefix sd: <{_SD}> .",
        "[] a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        "  sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ;",
        "  sd:feature sd:UnionDefaultGraph ;",
        *(
            f"  sd:extensionFunction <{function.value}> ;"
            for function in service.custom_functions
        ),
        "  sd:resultFormat " + ", ".join(f"<{iri}>" for iri in _FORMATS.values()) + " ;",
        "  sd:defaultDataset [ a sd:Dataset ;",
        "    sd:defaultGraph [ a sd:Graph ] ;",
    ]
    for graph in service.store.graphs():
        lines.append(
            f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{graph.iri}> ; "
            f"sd:graph [ a sd:Graph ; <http://rdfs.org/ns/void#triples> {graph.triples} ] ] ;"
        )
    lines.append("  ] .")
    return "\n".join(lines)


def service_description(service: VicService, request: Request) -> Response:
    """Return the description in the RDF syntax the client accepts (Turtle by default)."""
    offers = list(GRAPH_FORMATS)
    accept = request.headers.get("accept", "")
    # A client that asks for query results formats only still gets Turtle: a GET without a
    # query has no results, and SPARQLWrapper-style clients send such an Accept.
    media_type = choose_media_type(accept, offers)
    if media_type is None and any(t in accept for t in RESULTS_FORMATS):
        media_type = "text/turtle"
    if media_type is None:
        raise HttpError(
            406,
            "not_acceptable",
            f"Описание сервиса доступно в форматах: {', '.join(offers)}.",
            f"The service description is available as: {', '.join(offers)}.",
        )

    endpoint = str(request.url.replace(query=""))
    turtle = _turtle(service, endpoint)
    if media_type == "text/turtle":
        return Response(turtle, media_type="text/turtle; charset=utf-8")
    triples = ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
    body = ox.serialize(triples, format=GRAPH_FORMATS[media_type])
    return Response(bytes(body or b""), media_type=media_type)
