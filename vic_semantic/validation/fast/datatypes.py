"""SPARQL conditions of sh:datatype, and the values of the literals the store keeps as proxies.

A literal of a datatype in REWRITTEN_DATATYPES (xsd:byte, xsd:int, …) is kept in the store
as a proxy with its lexical form and a private datatype IRI (see ``terms``). sh:datatype then
checks the proxy's datatype and its lexical form, and a comparison reads the proxy's value
through ``decoded``.
"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from vic_semantic.validation.fast.terms import (
    PROXY_PREFIX,
    REWRITTEN_DATATYPES,
    proxy_datatype,
    sparql_value,
)

# Datatypes whose lexical forms pyoxigraph checks when casting a string to them.
_CASTABLE = {
    XSD[name]
    for name in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "dateTime",
        "date",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
        "gYear",
        "gMonth",
        "gDay",
        "gYearMonth",
        "gMonthDay",
    )
}
# The value spaces of the integer types that XML Schema 1.1 derives with two bounds.
_INTEGER_RANGES = {
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-(2**7), 2**7 - 1),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 2**8 - 1),
}
# The lexical spaces of the integer types bounded on one side only: the sign decides, and
# "-0" is a non-negative integer.
_INTEGER_PATTERNS = {
    XSD.nonNegativeInteger: "^([+]?[0-9]+|-0+)$",
    XSD.positiveInteger: "^[+]?0*[1-9][0-9]*$",
    XSD.nonPositiveInteger: "^(-[0-9]+|[+]?0+)$",
    XSD.negativeInteger: "^-0*[1-9][0-9]*$",
}
_INTEGER_LEXICAL = "^[+-]?[0-9]+$"
_TIMEZONE = "(Z|[+-][0-9]{2}:[0-9]{2})$"


def _regex(pattern: str) -> str:
    return f"REGEX(STR(?value), {sparql_value(Literal(pattern))})"


def _rewritten_condition(datatype: URIRef) -> str:
    """Return the check of a proxy's lexical form against ``datatype``'s lexical space."""
    if datatype in _INTEGER_PATTERNS:
        return _regex(_INTEGER_PATTERNS[datatype])
    if datatype in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[datatype]
        # Decimals, because pyoxigraph 0.5 reads integer literals as 64-bit integers, and
        # the bounds of xsd:long and xsd:unsignedLong do not all fit in one.
        value = f"{XSD.decimal.n3()}(STR(?value))"
        return f"{_regex(_INTEGER_LEXICAL)} && {value} >= {low}.0 && {value} <= {high}.0"
    # xsd:dateTimeStamp: an xsd:dateTime with a timezone.
    return f"isLiteral({XSD.dateTime.n3()}(STR(?value))) && {_regex(_TIMEZONE)}"


def datatype_condition(datatype: Node) -> str:
    """Return the SPARQL condition that ``?value`` is a well-formed literal of ``datatype``.

    NOTE: pySHACL 0.40.1 takes the lexical check from rdflib 7.6, which accepts " 5" as an
    xsd:byte, values above the maximum of xsd:long and xsd:unsignedLong, and any
    xsd:dateTimeStamp. This check follows XML Schema, so the engines differ on those.
    """
    if datatype in REWRITTEN_DATATYPES:
        proxy = f"<{proxy_datatype(str(datatype))}>"
        condition = _rewritten_condition(URIRef(str(datatype)))
        return f"isLiteral(?value) && datatype(?value) = {proxy} && {condition}"

    condition = f"isLiteral(?value) && datatype(?value) = {sparql_value(datatype)}"
    if datatype in _CASTABLE:
        condition += f" && isLiteral({sparql_value(datatype)}(STR(?value)))"
    elif datatype == RDF.langString:
        condition += ' && lang(?value) != ""'
    return condition


def decoded(variable: str) -> str:
    """Return an expression of the value of ``variable``, a proxy read as its datatype's value.

    Any other term is returned as it is. A proxy whose lexical form is not a value of its
    datatype gives an error, which the comparisons count as failed.

    NOTE: pyoxigraph 0.5 casts to 64-bit integers, so an integer proxy above 2^63 - 1 (a
    large xsd:nonNegativeInteger, say) gives an error too and fails every comparison.
    """
    timestamp = f"<{proxy_datatype(str(XSD.dateTimeStamp))}>"
    proxy_value = (
        f"IF(datatype({variable}) = {timestamp}, {XSD.dateTime.n3()}(STR({variable})), "
        f"{XSD.integer.n3()}(STR({variable})))"
    )
    is_proxy = f'isLiteral({variable}) && STRSTARTS(STR(datatype({variable})), "{PROXY_PREFIX}")'
    return f"IF({is_proxy}, {proxy_value}, {variable})"
