"""Precision and recall of the name mapping against a hand-labelled gold set.

The data are the dairy and meat categories of the Open Food Facts category taxonomy (Open
Database License; credit: Open Food Facts contributors). Each category is mapped by its
Russian name, its Russian synonyms and its English name; the most confident mapped variant
wins, and a tie goes to the earlier variant (Russian first). A category counts as mapped
only when its decision is "mapped"; ambiguous and unmapped ones count as not mapped.

precision = correct mapped / all mapped gold rows; recall = correct mapped / gold rows
whose class is not NONE. A row is correct when the class equals the gold class exactly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from vic_semantic.mapping.decide import Decision, decide
from vic_semantic.namespaces import VIC

NONE = "NONE"


@dataclass(frozen=True)
class Category:
    """One Open Food Facts category with the names it is known by."""

    off_id: str
    name_en: str
    name_ru: str
    synonyms_ru: tuple[str, ...]

    def variants(self) -> list[str]:
        names = [self.name_ru, *self.synonyms_ru, self.name_en]
        return list(dict.fromkeys(n for n in names if n.strip()))


def read_categories(path: Path) -> dict[str, Category]:
    """Read the categories TSV (columns off_id, name_en, name_ru, synonyms_ru, …)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return {
            row["off_id"]: Category(
                row["off_id"],
                row["name_en"] or "",
                row["name_ru"] or "",
                tuple(s.strip() for s in (row["synonyms_ru"] or "").split("|") if s.strip()),
            )
            for row in reader
        }


def read_gold(path: Path) -> dict[str, str]:
    """Read the gold TSV: off_id → local name of the vic class, or NONE."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["off_id"]: row["vic_class"] for row in csv.DictReader(handle, delimiter="\t")}


def map_category(category: Category, ontology: Graph) -> Decision:
    """Return the most confident mapped decision over the category's names."""
    best: Decision | None = None
    for name in category.variants():
        decision = decide(name, ontology)
        if decision.status == "mapped" and (best is None or decision.confidence > best.confidence):
            best = decision
    return best or decide(category.variants()[0] if category.variants() else "", ontology)


def _local(cls: URIRef | None) -> str:
    return str(cls).removeprefix(str(VIC)) if cls is not None else NONE


@dataclass
class Evaluation:
    """Counts of the comparison and the rows where mapping and gold differ."""

    mapped: int = 0
    correct: int = 0
    positives: int = 0
    confusions: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.mapped if self.mapped else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 1.0


def evaluate(categories: dict[str, Category], gold: dict[str, str], ontology: Graph) -> Evaluation:
    """Map every gold category and compare with its gold class."""
    result = Evaluation()
    for off_id, expected in gold.items():
        category = categories[off_id]
        decision = map_category(category, ontology)
        got = _local(decision.cls) if decision.status == "mapped" else NONE
        if expected != NONE:
            result.positives += 1
        if got != NONE:
            result.mapped += 1
            result.correct += got == expected
        if got != expected:
            name = category.name_ru or category.name_en
            result.confusions.append((off_id, name, expected, got))
    return result


def format_confusions(rows: Iterable[tuple[str, str, str, str]]) -> str:
    """Return the confusion rows as a Markdown table."""
    lines = ["| OFF id | name | gold | mapped |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)
