"""The warning that milk deliveries were validated without any treatment to check them against.

The milk withdrawal shape compares each delivery with the treatments of its animal group.
With no treatment in the data, that shape finds nothing, which would read as "every delivery
respects its withdrawal period" although the check never ran. This module adds one warning
so a clean report of deliveries alone is not mistaken for a passed check.
"""

from __future__ import annotations

from dataclasses import replace

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from vic_semantic.namespaces import BASE, VIC
from vic_semantic.validation.report import ValidationReport, ValidationResult

WITHDRAWAL_SHAPE = URIRef(BASE + "shapes/MilkWithdrawalShape")

_MESSAGE_RU = (
    "проверка срока ожидания пропущена: нет ни одной ветеринарной обработки. Отправьте журнал "
    "обработок вместе с поставками (ещё одно поле file в том же запросе, или оба файла в "
    "vic-semantic validate) или сначала сохраните его в своём ветеринарном графе."
)
_MESSAGE_EN = (
    "the milk withdrawal check was skipped: there is no veterinary treatment. Send the "
    "treatment log with the deliveries (another file field in the same request, or both "
    "files to vic-semantic validate) or store it in your veterinary graph first."
)


def needs_withdrawal_notice(data: Graph) -> URIRef | None:
    """Return the first milk delivery of ``data`` when ``data`` contains no treatment, else None."""
    if (None, RDF.type, VIC.VeterinaryTreatment) in data:
        return None
    deliveries = sorted(str(s) for s in data.subjects(RDF.type, VIC.MilkDelivery))
    return URIRef(deliveries[0]) if deliveries else None


def add_withdrawal_notice(
    report: ValidationReport, delivery: URIRef, file: str | None
) -> ValidationReport:
    """Return ``report`` with one warning that the withdrawal check could not run.

    The warning is also added to the SHACL results graph, so the Turtle and JSON-LD reports
    list it as well. ``conforms`` is unchanged, because a warning is no violation.
    """
    result = ValidationResult(
        severity="Warning",
        message_ru=_MESSAGE_RU,
        message_en=_MESSAGE_EN,
        focus_node=str(delivery),
        path=str(VIC.deliveryDate),
        value=None,
        source_shape=str(WITHDRAWAL_SHAPE),
        constraint_component=str(SH.SPARQLConstraintComponent),
        file=file,
    )

    graph = Graph()
    graph += report.results_graph
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.resultSeverity, SH.Warning))
    graph.add((node, SH.focusNode, delivery))
    graph.add((node, SH.resultPath, VIC.deliveryDate))
    graph.add((node, SH.sourceShape, WITHDRAWAL_SHAPE))
    graph.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    graph.add((node, SH.resultMessage, Literal(_MESSAGE_RU, lang="ru")))
    graph.add((node, SH.resultMessage, Literal(_MESSAGE_EN, lang="en")))
    for report_node in graph.subjects(RDF.type, SH.ValidationReport):
        graph.add((report_node, SH.result, node))

    return replace(report, results=(*report.results, result), results_graph=graph)
