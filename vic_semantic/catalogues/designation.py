"""From a normative document designation to its IRI.

A designation the ontology lists (by ``vic:designation``) gets the ontology's IRI. Any other
gets the IRI the term contract prescribes (``vicd:standard/gost-…``, ``vicd:regulation/tr-ts-…``),
which the ontology then lacks, so the shapes report that the document does not exist.
"""

from __future__ import annotations

import weakref

from rdflib import Graph, URIRef

from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.normalise import Designation, normalise_designation
from vic_semantic.catalogues.slug import slugify
from vic_semantic.namespaces import ID, VIC

# The contract spells these prefixes in Latin by meaning, not by transliteration.
PREFIX_SLUGS = {"ТР ЕАЭС": "tr-eaeu", "ТР ТС": "tr-ts", "ГОСТ Р": "gost-r"}

_INDEXES: weakref.WeakKeyDictionary[Graph, dict[str, URIRef]] = weakref.WeakKeyDictionary()


def contract_iri(designation: Designation) -> URIRef:
    """Return the IRI the term contract gives a designation (ГОСТ 31450-2013 → gost-31450-2013)."""
    text = designation.text
    prefix = PREFIX_SLUGS.get(designation.kind)
    rest = slugify(text[len(designation.kind) :]) if prefix else slugify(text)
    slug = f"{prefix}-{rest}" if prefix else rest
    folder = "regulation" if designation.kind.startswith("ТР") else "standard"
    return ID[f"{folder}/{slug}"]


def _index(ontology: Graph) -> dict[str, URIRef]:
    index = _INDEXES.get(ontology)
    if index is None:
        index = {}
        for subject, value in ontology.subject_objects(VIC.designation):
            try:
                designation = normalise_designation(str(value))
            except CellValueError:
                designation = None
            key = designation.text if designation else str(value)
            if isinstance(subject, URIRef):
                index[key] = subject
        _INDEXES[ontology] = index
    return index


def designation_iri(designation: Designation, ontology: Graph) -> URIRef:
    """Return the ontology's IRI for the designation, or the contract's IRI when it has none."""
    return _index(ontology).get(designation.text) or contract_iri(designation)
