"""The copy of a shapes graph that the service gives pySHACL.

pySHACL 0.40.1 switches sh:uniqueLang, sh:closed, sh:deactivated and
sh:qualifiedValueShapesDisjoint on for any literal whose value is true, so also for
``"1"^^xsd:boolean``. SHACL switches them on only for the term ``"true"^^xsd:boolean``, which
the W3C SHACL test uniqueLang-002 checks, and the fast engine reads them so (``is_true``).
pySHACL gets a copy without the triples of these parameters whose value is any other term:
without them it leaves the parameter off, as SHACL does.
"""

from __future__ import annotations

import logging

from rdflib import Graph

from vic_semantic.validation.fast.shapes import BOOLEAN_PARAMETERS, is_true

logger = logging.getLogger(__name__)


def shapes_for_pyshacl(shapes: Graph) -> Graph:
    """Return ``shapes``, or a copy without boolean parameters whose value is not true."""
    ignored = [
        (shape, parameter, value)
        for parameter in BOOLEAN_PARAMETERS
        for shape, value in shapes.subject_objects(parameter)
        if not is_true(value)
    ]
    if not ignored:
        return shapes

    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    copy += shapes
    for triple in ignored:
        copy.remove(triple)
    logger.debug("Removed %d boolean parameters that are not true for pySHACL", len(ignored))
    return copy
