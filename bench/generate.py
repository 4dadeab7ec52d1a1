"""Generate a synthetic cluster dataset for the side-by-side benchmark (bench/run.py).

Run: .venv/bin/python bench/generate.py --scale 100k [--seed 1] [--output var/bench]

The dataset is written as N-Quads: the ontology graph, the members graph, one catalogue graph
per plant and one veterinary graph per farm, plus the inferred graph as the service computes
it: the asserted graphs are loaded into an in-memory ``EmbeddedStore`` and
``vic_semantic.inference.materialise`` writes the closure. Every peer gets this same file.

Everything drawn from the ontology is real: product classes, the standards and regulations
whose ``vic:appliesToClass`` covers a product's class, ТН ВЭД and ОКПД2 codes whose
``vic:classifiesClass`` covers it, and ATCvet codes for preparations. Member names, products,
treatments and deliveries are invented. GTINs use the GS1 prefix 952, which GS1 reserves for
demonstrations and examples, and carry valid check digits.

A "submission" has no class in the ontology: each member file is represented as the service's
converter represents it, by ``vic:sourceFile`` and ``vic:sourceRow`` on every row it produced.

Beside the data, ``<scale>.params.json`` lists the IRIs, classes and ranges the query mix
draws its parameters from.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from vic_semantic.inference import materialise
from vic_semantic.namespaces import (
    ID,
    INFERRED_GRAPH,
    MEMBERS_GRAPH,
    ONTOLOGY_GRAPH,
    VIC,
    catalogue_graph,
    veterinary_graph,
)
from vic_semantic.ontology.loader import load_ontology_graph
from vic_semantic.store.embedded import EmbeddedStore

logger = logging.getLogger(__name__)

SCALES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
UNIT = "http://qudt.org/vocab/unit/"

# Triples one item adds on average, inferred ones included (measured on the 100k output);
# they size the counts so the output comes close to the requested scale.
TRIPLES_PER_PRODUCT = 33
TRIPLES_PER_TREATMENT = 12
TRIPLES_PER_DELIVERY = 9
PRODUCT_SHARE = 0.72
TREATMENT_SHARE = 0.08

# Net content choices per profile: (amount, QUDT unit, how the label prints it).
MILLILITRES = [(450, "MilliL", "мл"), (900, "MilliL", "мл"), (1000, "MilliL", "мл")]
GRAMS_SMALL = [(180, "GM", "г"), (200, "GM", "г"), (300, "GM", "г"), (400, "GM", "г")]
GRAMS_ICE = [(80, "GM", "г"), (250, "GM", "г"), (450, "GM", "г")]
KILOGRAMS = [(0.5, "KiloGM", "кг"), (1, "KiloGM", "кг"), (1.5, "KiloGM", "кг"), (2, "KiloGM", "кг")]
CARCASS = [(90, "KiloGM", "кг"), (120, "KiloGM", "кг"), (160, "KiloGM", "кг")]
SAUSAGE = [(250, "GM", "г"), (350, "GM", "г"), (450, "GM", "г"), (1, "KiloGM", "кг")]


@dataclass(frozen=True)
class Profile:
    """Typical attributes of one product class, as Belarusian and Russian plants label them."""

    fats: tuple[float, ...]
    net: list[tuple[float, str, str]]
    shelf_days: tuple[int, int]
    storage: tuple[int, int]
    heat: str | None = None
    categories: str = ""


PROFILES: dict[str, Profile] = {
    "PasteurisedMilk": Profile(
        (1.5, 2.5, 3.2, 3.6), MILLILITRES, (5, 10), (2, 6), "Pasteurisation"
    ),
    "UHTMilk": Profile((1.5, 2.5, 3.2), MILLILITRES, (90, 180), (2, 25), "UltraPasteurisation"),
    "SterilisedMilk": Profile((1.5, 2.5, 3.2), MILLILITRES, (180, 180), (0, 25), "Sterilisation"),
    "BakedMilk": Profile((1.0, 2.5, 4.0, 6.0), MILLILITRES, (5, 7), (2, 6), "Baking"),
    "Cream": Profile((10.0, 20.0, 33.0), MILLILITRES, (7, 60), (2, 6), "Pasteurisation"),
    "Kefir": Profile((1.0, 2.5, 3.2), MILLILITRES + GRAMS_SMALL, (7, 14), (2, 6)),
    "Ryazhenka": Profile((2.5, 4.0), MILLILITRES, (7, 10), (2, 6)),
    "SourCream": Profile((10.0, 15.0, 20.0, 25.0), GRAMS_SMALL, (14, 30), (2, 6)),
    "Tvorog": Profile((0.5, 2.0, 5.0, 9.0), GRAMS_SMALL, (7, 14), (2, 6)),
    "Butter": Profile((72.5, 75.0, 82.5), GRAMS_SMALL, (35, 60), (2, 6)),
    "SemiHardCheese": Profile((45.0, 50.0), GRAMS_SMALL + KILOGRAMS, (60, 120), (2, 6)),
    "SoftCheese": Profile((40.0, 45.0, 50.0), GRAMS_SMALL, (20, 30), (2, 6)),
    "MilkIceCream": Profile((3.5, 6.0), GRAMS_ICE, (180, 270), (-24, -18)),
    "CreamIceCream": Profile((8.0, 10.0), GRAMS_ICE, (180, 270), (-24, -18)),
    "Plombir": Profile((12.0, 15.0), GRAMS_ICE, (180, 365), (-24, -18)),
    "CondensedMilk": Profile((8.5,), [(380, "GM", "г")], (365, 365), (0, 10)),
    "BeefCarcass": Profile((), CARCASS, (10, 16), (-1, 4)),
    "PorkCarcass": Profile((), CARCASS, (10, 16), (-1, 4)),
    "BeefCut": Profile((), KILOGRAMS, (5, 10), (0, 4), categories="АБ"),
    "PorkCut": Profile((), KILOGRAMS, (5, 10), (0, 4), categories="АБ"),
    "BeefSemiFinishedProduct": Profile((), GRAMS_SMALL, (2, 90), (-18, 4), categories="БВГ"),
    "PorkSemiFinishedProduct": Profile((), GRAMS_SMALL, (2, 90), (-18, 4), categories="БВГ"),
    "CookedSausage": Profile((), SAUSAGE, (15, 45), (0, 6), categories="БВ"),
    "StuffedCookedSausage": Profile((), SAUSAGE, (15, 45), (0, 6), categories="БВ"),
    "Frankfurter": Profile((), SAUSAGE, (10, 30), (0, 6), categories="БВГ"),
    "Sardelka": Profile((), SAUSAGE, (10, 30), (0, 6), categories="ВГ"),
    "DrySmokedSausage": Profile((), SAUSAGE, (90, 120), (0, 12), categories="АБ"),
    "DryCuredSausage": Profile((), SAUSAGE, (90, 120), (0, 12), categories="АБ"),
}

# Which classes each kind of plant makes.
PLANT_KINDS = {
    "dairy": (
        "molochnyj-zavod",
        "Молочный завод №{}",
        [c for c in PROFILES if c.endswith(("Milk", "Cream", "Kefir", "Ryazhenka", "Tvorog"))]
        + ["Butter", "SemiHardCheese", "SoftCheese"],
    ),
    "ice-cream": ("fabrika-morozhenogo", "Фабрика мороженого №{}", ["MilkIceCream",
                  "CreamIceCream", "Plombir"]),
    "meat": (
        "myasokombinat",
        "Мясокомбинат №{}",
        [c for c, p in PROFILES.items() if not p.fats],
    ),
}
# Dairy plants make no ice cream: those classes end with "Cream" but belong to the factories.
PLANT_KINDS["dairy"][2][:] = [
    c for c in PLANT_KINDS["dairy"][2] if c not in PLANT_KINDS["ice-cream"][2]
]

SUPPORT_MEMBERS = [
    ("ScientificInnovationOrganisation", "nii", "Научно-исследовательский институт №{}",
     ["fundamental-research", "applied-research"]),
    ("FinancialInstitution", "bank", "Банк №{}", ["financing"]),
    ("ConsultingFirm", "konsalting", "Консалтинговая компания №{}", ["consulting", "training"]),
    ("LogisticsCompany", "logistika", "Логистическая компания №{}", ["logistics"]),
    ("TestingLaboratory", "laboratoriya", "Испытательная лаборатория №{}", ["analytical-support"]),
    ("TradingOrganisation", "torgovyj-dom", "Торговый дом №{}", ["commercialisation"]),
]
REGIONS = ["gomel-oblast"] * 6 + ["moscow"] * 3 + ["minsk-oblast"]
FORMATS = ["csv", "xlsx", "json", "turtle", "json-ld", "pdf"]
BRANDS = ["«Домашнее»", "«Полесье»", "«Гомельское»", "«Любительское»", "«Классическое»", ""]
ROWS_PER_FILE = 500
YEAR_START = date(2025, 1, 1)


@dataclass
class Ontology:
    """What the generator reads from the ontology graph."""

    ntriples: bytes
    labels: dict[str, str]  # class local name → Russian label
    standards: dict[str, list[str]]  # class → IRIs of standards that apply to it
    replaced: dict[str, list[str]]  # class → IRIs of replaced standards that apply to it
    regulations: dict[str, list[str]]  # class → IRIs of technical regulations
    tnved: dict[str, list[str]]  # class → most specific ТН ВЭД notations
    okpd2: dict[str, list[str]]  # class → most specific ОКПД2 notations
    atcvet: list[tuple[str, str]]  # (code, Russian label) of leaf ATCvet codes


@dataclass
class Member:
    slug: str
    name: str
    kind: str  # ontology class local name
    roles: list[str]
    classes: list[str] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return str(ID[f"member/{self.slug}"])


def read_ontology() -> Ontology:
    """Load the ontology with the service's loader and index what the products need."""
    graph = load_ontology_graph()
    ntriples = graph.serialize(format="nt", encoding="utf-8")
    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES)

    labels = dict(
        _pairs(store, f"SELECT ?c ?l WHERE {{ ?c <{RDFS}label> ?l FILTER(lang(?l) = 'ru') }}")
    )
    documents = _pairs(
        store,
        f"""SELECT ?c ?d ?kindOrStatus WHERE {{
          ?d <{VIC}appliesToClass> ?target ; a ?kind .
          ?c <{RDFS}subClassOf>* ?target .
          FILTER (?kind IN (<{VIC}InterstateStandard>, <{VIC}BelarusStandard>,
                            <{VIC}RussianStandard>, <{VIC}TechnicalRegulation>))
          OPTIONAL {{ ?d <{VIC}status> ?status }}
          BIND (IF(COALESCE(?status = <{VIC}Replaced>, false), "replaced", STR(?kind))
                AS ?kindOrStatus)
        }}""",
        width=3,
    )
    ontology = Ontology(
        ntriples=ntriples,
        labels={_local(c): label for c, label in labels.items()},
        standards={},
        replaced={},
        regulations={},
        tnved=_codes(store, "tnved"),
        okpd2=_codes(store, "okpd2"),
        atcvet=[],
    )
    for cls, document, kind in documents:
        if kind == "replaced":
            target = ontology.replaced
        elif kind.endswith("TechnicalRegulation"):
            target = ontology.regulations
        else:
            target = ontology.standards
        target.setdefault(_local(cls), []).append(document)
    for values in (ontology.standards, ontology.replaced, ontology.regulations):
        for key in values:
            values[key] = sorted(set(values[key]))
    ontology.atcvet = sorted(
        _pairs(
            store,
            f"""SELECT ?n ?l WHERE {{
              ?x <{SKOS}inScheme> <{ID}scheme/atcvet> ; <{SKOS}notation> ?n ;
                 <{SKOS}prefLabel> ?l .
              FILTER (lang(?l) = 'ru' && STRLEN(?n) >= 7)
            }}""",
        )
    )
    return ontology


def _codes(store: ox.Store, scheme: str) -> dict[str, list[str]]:
    """Return, per product class, the most specific codes of a scheme that may classify it.

    A code without links of its own takes the classes of its nearest ``skos:broader``
    ancestor that has some, as docs/ontology-terms.md states.
    """
    rows = _pairs(
        store,
        f"""SELECT ?c ?n WHERE {{
          ?x <{SKOS}inScheme> <{ID}scheme/{scheme}> ; <{SKOS}notation> ?n ;
             <{SKOS}broader>* ?linked .
          ?linked <{VIC}classifiesClass> ?target .
          FILTER NOT EXISTS {{
            ?x <{SKOS}broader>* ?nearer . ?nearer <{SKOS}broader>+ ?linked ;
               <{VIC}classifiesClass> ?other .
          }}
          ?c <{RDFS}subClassOf>* ?target .
        }}""",
    )
    by_class: dict[str, list[str]] = {}
    for cls, notation in rows:
        by_class.setdefault(_local(cls), []).append(notation)
    # The longest notation is the most specific code; a plant writes that one.
    for cls, notations in by_class.items():
        longest = max(len(n.replace(" ", "").replace(".", "")) for n in notations)
        by_class[cls] = sorted(
            {n for n in notations if len(n.replace(" ", "").replace(".", "")) == longest}
        )
    return by_class


def _pairs(store: ox.Store, query: str, width: int = 2) -> list[tuple[str, ...]]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(solution[i].value for i in range(width)) for solution in solutions]


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def gtin13(number: int) -> str:
    """Return the GTIN-13 with the GS1 demonstration prefix 952, item ``number``, check digit."""
    body = f"952{number:09d}"
    if len(body) != 12:
        raise ValueError(f"GTIN item number {number} does not fit 9 digits; lower the scale")
    # GS1 check digit: weights 1 and 3 alternate from the left over the 12 digits.
    total = sum(int(digit) * (3 if i % 2 else 1) for i, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _number(value: float) -> str:
    """Write a decimal the way the converter does: no trailing ``.0``."""
    return f"{value:g}"


class Writer:
    """Collects N-Triples lines per named graph."""

    def __init__(self) -> None:
        self.graphs: dict[str, list[str]] = {}

    def add(self, graph: str, subject: str, predicate: str, obj: str) -> None:
        self.graphs.setdefault(graph, []).append(f"<{subject}> <{predicate}> {obj} .")

    def iri(self, graph: str, subject: str, predicate: str, target: str) -> None:
        self.add(graph, subject, predicate, f"<{target}>")


@dataclass(frozen=True)
class Counts:
    plants: int
    farms: int
    support: int
    products: int
    treatments: int
    deliveries: int


def plan(triples: int) -> Counts:
    """Size each part so the dataset, inferred graph included, has about ``triples``."""
    plants = max(8, triples // 25_000)
    return Counts(
        plants=plants,
        farms=max(4, plants // 2),
        support=max(6, plants // 4),
        products=round(triples * PRODUCT_SHARE / TRIPLES_PER_PRODUCT),
        treatments=round(triples * TREATMENT_SHARE / TRIPLES_PER_TREATMENT),
        deliveries=round(
            triples * (1 - PRODUCT_SHARE - TREATMENT_SHARE) / TRIPLES_PER_DELIVERY
        ),
    )


def make_members(counts: Counts, rng: random.Random) -> tuple[list[Member], list[Member]]:
    """Return the plants (with the classes each makes) and the farms."""
    plants = []
    kinds = ["dairy", "dairy", "meat", "dairy", "meat", "ice-cream"]
    numbers: dict[str, int] = {}
    for index in range(counts.plants):
        kind = kinds[index % len(kinds)]
        numbers[kind] = numbers.get(kind, 0) + 1
        prefix, name, classes = PLANT_KINDS[kind]
        made = rng.sample(classes, k=max(2, round(len(classes) * rng.uniform(0.5, 1.0))))
        plants.append(
            Member(f"{prefix}-{numbers[kind]}", name.format(numbers[kind]),
                   "IndustrialOrganisation", ["production"], sorted(made))
        )
    farms = [
        Member(f"selkhozpredpriyatie-{k}", f"Сельскохозяйственное предприятие №{k}",
               "IndustrialOrganisation", ["production"])
        for k in range(1, counts.farms + 1)
    ]
    return plants, farms


def write_members(
    out: Writer, members: list[Member], rng: random.Random
) -> None:
    graph = str(MEMBERS_GRAPH)
    cluster = str(ID["cluster/gomel-moscow"])
    for row, member in enumerate(members, start=1):
        s = member.iri
        out.iri(graph, s, RDF_TYPE, str(VIC[member.kind]))
        out.add(graph, s, str(VIC.name), _lit(member.name, "ru"))
        out.iri(graph, s, str(VIC.locatedIn), str(ID[f"region/{rng.choice(REGIONS)}"]))
        out.iri(graph, s, str(VIC.memberOfCluster), cluster)
        out.add(graph, s, str(VIC.providesApi), _typed(str(rng.random() < 0.3).lower(), "boolean"))
        for fmt in rng.sample(FORMATS[:3], k=rng.randint(1, 2)):
            out.iri(graph, s, str(VIC.exchangeFormat), str(ID[f"format/{fmt}"]))
        out.add(graph, s, str(VIC.sourceFile), _lit("cluster-members.csv"))
        out.add(graph, s, str(VIC.sourceRow), _typed(row, "integer"))
        membership = str(ID[f"membership/{member.slug}"])
        out.iri(graph, membership, RDF_TYPE, ORG + "Membership")
        out.iri(graph, membership, ORG + "member", s)
        out.iri(graph, membership, ORG + "organization", cluster)
        for role in member.roles:
            out.iri(graph, s, str(VIC.hasInnovationRole), str(ID[f"role/{role}"]))
            out.iri(graph, membership, ORG + "role", str(ID[f"role/{role}"]))


def support_members(counts: Counts) -> list[Member]:
    members = []
    for index in range(counts.support):
        kind, prefix, name, roles = SUPPORT_MEMBERS[index % len(SUPPORT_MEMBERS)]
        number = index // len(SUPPORT_MEMBERS) + 1
        members.append(Member(f"{prefix}-{number}", name.format(number), kind, roles))
    return members


def write_catalogue(
    out: Writer, plant: Member, products: int, first_gtin: int, onto: Ontology,
    rng: random.Random,
) -> Iterator[str]:
    """Write one plant's catalogue graph; yield the IRI of each product."""
    graph = str(catalogue_graph(plant.slug))
    catalogue = str(ID[f"catalogue/{plant.slug}"])
    out.iri(graph, catalogue, RDF_TYPE, str(VIC.Catalogue))
    out.iri(graph, catalogue, str(VIC.catalogueOf), plant.iri)
    for row in range(1, products + 1):
        cls = rng.choice(plant.classes)
        s = str(ID[f"product/{plant.slug}/{row:06d}"])
        _write_product(out, graph, s, cls, onto, rng)
        out.iri(graph, s, str(VIC.manufacturer), plant.iri)
        out.iri(graph, s, str(VIC.inCatalogue), catalogue)
        out.add(graph, s, str(VIC.gtin), _lit(gtin13(first_gtin + row)))
        out.add(graph, s, str(VIC.sku), _lit(f"{plant.slug[:2].upper()}-{row:06d}"))
        # Rows arrive in monthly files of ROWS_PER_FILE rows: one file is one submission.
        part = (row - 1) // ROWS_PER_FILE + 1
        out.add(graph, s, str(VIC.sourceFile), _lit(f"{plant.slug}-catalogue-{part:03d}.csv"))
        out.add(graph, s, str(VIC.sourceRow), _typed((row - 1) % ROWS_PER_FILE + 1, "integer"))
        yield s


def _write_product(
    out: Writer, graph: str, s: str, cls: str, onto: Ontology, rng: random.Random
) -> None:
    profile = PROFILES[cls]
    out.iri(graph, s, RDF_TYPE, str(VIC[cls]))
    amount, unit, unit_label = rng.choice(profile.net)
    words = [onto.labels[cls].capitalize(), rng.choice(BRANDS)]
    if profile.fats:
        fat = rng.choice(profile.fats)
        out.add(graph, s, str(VIC.fatMassFraction), _typed(_number(fat), "decimal"))
        words.append(_number(fat).replace(".", ",") + "%")
    if profile.categories:
        category = rng.choice(profile.categories)
        out.add(graph, s, str(VIC.meatCategory), _lit(category))
        words.append(f"категория {category}")
    words.append(f"{_number(amount).replace('.', ',')} {unit_label}")
    out.add(graph, s, str(VIC.productName), _lit(" ".join(w for w in words if w), "ru"))

    net = s + "/net-content"
    out.iri(graph, s, str(VIC.netContent), net)
    out.iri(graph, net, RDF_TYPE, str(VIC.QuantitativeValue))
    out.add(graph, net, str(VIC.numericValue), _typed(_number(amount), "decimal"))
    out.iri(graph, net, str(VIC.unit), UNIT + unit)

    out.add(graph, s, str(VIC.shelfLifeDays), _typed(rng.randint(*profile.shelf_days), "integer"))
    out.add(graph, s, str(VIC.storageTemperatureMin), _typed(profile.storage[0], "decimal"))
    out.add(graph, s, str(VIC.storageTemperatureMax), _typed(profile.storage[1], "decimal"))
    if profile.heat:
        out.iri(graph, s, str(VIC.heatTreatment), str(VIC[profile.heat]))
    _write_classification(out, graph, s, cls, onto, rng)


def _write_classification(
    out: Writer, graph: str, s: str, cls: str, onto: Ontology, rng: random.Random
) -> None:
    # About 3 % of items still cite a replaced standard, as real catalogues do.
    standards = onto.replaced.get(cls) if rng.random() < 0.03 else None
    standards = standards or onto.standards.get(cls)
    if standards:
        out.iri(graph, s, str(VIC.conformsTo), rng.choice(standards))
    regulations = onto.regulations.get(cls, [])
    if regulations and rng.random() < 0.5:
        out.iri(graph, s, str(VIC.conformsTo), rng.choice(regulations))
    if cls in onto.tnved and rng.random() < 0.9:
        out.add(graph, s, str(VIC.tnvedCode), _lit(rng.choice(onto.tnved[cls])))
    if cls in onto.okpd2 and rng.random() < 0.6:
        out.add(graph, s, str(VIC.okpd2Code), _lit(rng.choice(onto.okpd2[cls])))


def write_veterinary(
    out: Writer, farm: Member, treatments: int, deliveries: int, recipients: list[Member],
    onto: Ontology, rng: random.Random,
) -> None:
    """Write one farm's treatments and raw-milk deliveries into its veterinary graph."""
    graph = str(veterinary_graph(farm.slug))
    out.iri(graph, farm.iri, RDF_TYPE, ORG + "Organization")
    out.add(graph, farm.iri, str(VIC.name), _lit(farm.name, "ru"))
    groups = [str(ID[f"animal-group/{farm.slug}/g-{k:03d}"]) for k in range(1, 41)]
    for k, group in enumerate(groups, start=1):
        out.iri(graph, group, RDF_TYPE, str(VIC.AnimalGroup))
        out.add(graph, group, str(VIC.groupCode), _lit(f"Г-{k:03d}"))
    for code, label in onto.atcvet:
        preparation = str(ID[f"preparation/{code.lower()}"])
        out.iri(graph, preparation, RDF_TYPE, str(VIC.VeterinaryPreparation))
        out.add(graph, preparation, RDFS + "label", _lit(label, "ru"))
        out.add(graph, preparation, str(VIC.atcvetCode), _lit(code))

    for row in range(1, treatments + 1):
        s = str(ID[f"treatment/{farm.slug}/{row}"])
        code, _ = rng.choice(onto.atcvet)
        out.iri(graph, s, RDF_TYPE, str(VIC.VeterinaryTreatment))
        out.iri(graph, s, str(VIC.animalGroup), rng.choice(groups))
        out.add(graph, s, str(VIC.treatmentDate), _typed(_day(rng), "date"))
        out.iri(graph, s, str(VIC.preparation), str(ID[f"preparation/{code.lower()}"]))
        out.add(graph, s, str(VIC.atcvetCode), _lit(code))
        out.add(graph, s, str(VIC.milkWithdrawalDays), _typed(rng.randint(2, 7), "integer"))
        out.add(graph, s, str(VIC.meatWithdrawalDays), _typed(rng.randint(5, 30), "integer"))
        out.add(graph, s, str(VIC.sourceFile), _lit(f"{farm.slug}-treatments.csv"))
        out.add(graph, s, str(VIC.sourceRow), _typed(row, "integer"))

    for row in range(1, deliveries + 1):
        s = str(ID[f"delivery/{farm.slug}/{row}"])
        out.iri(graph, s, RDF_TYPE, str(VIC.MilkDelivery))
        out.add(graph, s, str(VIC.deliveryDate), _typed(_day(rng), "date"))
        out.iri(graph, s, str(VIC.animalGroup), rng.choice(groups))
        out.add(graph, s, str(VIC.volumeLitres), _typed(rng.randrange(300, 2500, 50), "decimal"))
        out.iri(graph, s, str(VIC.recipient), rng.choice(recipients).iri)
        out.iri(graph, s, str(VIC.supplier), farm.iri)
        out.add(graph, s, str(VIC.sourceFile), _lit(f"{farm.slug}-milk-deliveries.csv"))
        out.add(graph, s, str(VIC.sourceRow), _typed(row, "integer"))


def _day(rng: random.Random) -> str:
    return (YEAR_START + timedelta(days=rng.randrange(365))).isoformat()


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split ``total`` into ``parts`` uneven shares (big and small members), summing to it."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def generate(triples: int, seed: int) -> tuple[Writer, dict[str, object]]:
    """Build the asserted graphs of a dataset of about ``triples``; return them and params."""
    rng = random.Random(seed)
    onto = read_ontology()
    counts = plan(triples)
    plants, farms = make_members(counts, rng)
    out = Writer()
    out.graphs[str(ONTOLOGY_GRAPH)] = onto.ntriples.decode().splitlines()
    write_members(out, [*plants, *farms, *support_members(counts)], rng)

    products: list[str] = []
    first_gtin = 0
    for plant, share in zip(plants, _split(counts.products, len(plants), rng), strict=True):
        products.extend(write_catalogue(out, plant, share, first_gtin, onto, rng))
        first_gtin += share
    dairy = [p for p in plants if p.slug.startswith("molochnyj-zavod")]
    for farm, treated, delivered in zip(
        farms,
        _split(counts.treatments, len(farms), rng),
        _split(counts.deliveries, len(farms), rng),
        strict=True,
    ):
        write_veterinary(out, farm, treated, delivered, dairy, onto, rng)

    params = {
        "seed": seed,
        "products": rng.sample(products, k=min(2000, len(products))),
        "plants": [p.slug for p in plants],
        "dairy_plants": [p.slug for p in dairy],
        "farms": [f.slug for f in farms],
        "dairy_classes": ["FermentedMilkProduct", "DrinkingMilk", "Cheese", "Kefir",
                          "SourCream", "Butter", "Tvorog", "DairyProduct"],
        "meat_classes": ["SausageProduct", "CookedSausageProduct", "Beef", "Pork", "MeatProduct"],
        "words": ["кефир", "молоко", "сметана", "колбаса", "сыр", "творог", "масло"],
        "year": YEAR_START.year,
    }
    return out, params


def infer(out: Writer) -> EmbeddedStore:
    """Load the asserted graphs into an in-memory store and materialise the inferences."""
    store = EmbeddedStore(None)
    for graph, lines in out.graphs.items():
        store.add_to_graph(graph, "\n".join(lines).encode(), ox.RdfFormat.N_TRIPLES)
    materialise(store)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="100k", help=f"One of {', '.join(SCALES)}.")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument("--output", type=Path, default=Path("var/bench"), help="Output folder.")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = write_dataset(arguments.scale, arguments.seed, arguments.output)
    print(path)


def write_dataset(scale: str, seed: int, folder: Path) -> Path:
    """Generate the dataset of ``scale`` into ``folder`` unless it is there; return its path."""
    if scale not in SCALES:
        raise SystemExit(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}.")
    path = folder / f"cluster-{scale}-seed{seed}.nq"
    if path.is_file() and path.with_suffix(".params.json").is_file():
        logger.info("dataset %s exists; reusing it", path)
        return path
    started = time.perf_counter()
    out, params = generate(SCALES[scale], seed)
    store = infer(out)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
    graphs = {info.iri: info.triples for info in store.graphs()}
    params["triples"] = sum(graphs.values())
    params["inferred_triples"] = graphs.get(str(INFERRED_GRAPH), 0)
    params["graphs"] = len(graphs)
    path.with_suffix(".params.json").write_text(json.dumps(params, ensure_ascii=False, indent=1))
    partial.rename(path)
    logger.info(
        "wrote %s: %d triples (%d inferred) in %d graphs in %.1f s",
        path, params["triples"], params["inferred_triples"], len(graphs),
        time.perf_counter() - started,
    )
    return path


if __name__ == "__main__":
    main()
