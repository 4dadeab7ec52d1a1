"""Media types of SPARQL results and RDF serialisations, mapped to pyoxigraph formats.

Result formats follow the SPARQL 1.1 Query Results JSON, XML, CSV and TSV recommendations;
RDF formats follow each syntax's registered media type.
"""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

# Media type → format; the first entry of each table is the default when the client
# accepts anything.
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
}

# CSV and TSV have no way to write a boolean, so ASK answers only in JSON and XML.
BOOLEAN_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
}

GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/plain": RdfFormat.N_TRIPLES,
}

DATASET_FORMATS: dict[str, RdfFormat] = {
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}

# What an RDF upload may be sent as; the same syntaxes the graph results are written in,
# plus datasets.
READABLE_RDF_FORMATS: dict[str, RdfFormat] = {
    **{k: v for k, v in GRAPH_FORMATS.items() if k != "text/plain"},
    "application/x-turtle": RdfFormat.TURTLE,
    **DATASET_FORMATS,
}

FILE_EXTENSIONS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
}
