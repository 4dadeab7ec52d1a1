"""The OWL ontology: it parses, passes the editorial checks, is consistent under HermiT and
contains the standards and codes that member catalogues cite."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from vic_semantic.namespaces import ID, ONTOLOGY_IRI, VIC
from vic_semantic.ontology import (
    JavaNotFoundError,
    OntologyNotFoundError,
    OntologySyntaxError,
    check_consistency,
    load_ontology_graph,
    ontology_dir,
    quality_problems,
)

MODULE_FILES = {
    "vic.ttl",
    "cluster.ttl",
    "innovation.ttl",
    "products.ttl",
    "standards.ttl",
    "classifiers.ttl",
    "veterinary.ttl",
    "alignments.ttl",
    "submissions.ttl",
    "trust.ttl",
    "mapping.ttl",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology_graph()


def _superclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    return {c for c in graph.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)}


def _document(graph: Graph, designation: str) -> URIRef | None:
    for subject in graph.subjects(VIC.designation, Literal(designation)):
        assert isinstance(subject, URIRef)
        return subject
    return None


# --- loading ----------------------------------------------------------------------------


def test_ontology_folder_has_every_module() -> None:
    names = {path.name for path in ontology_dir().glob("*.ttl")}
    assert names == MODULE_FILES


def test_ontology_parses(ontology: Graph) -> None:
    assert len(ontology) > 1000
    assert (VIC.Kefir, RDF.type, OWL.Class) in ontology


def test_ontology_dir_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIC_ONTOLOGY_DIR", str(tmp_path))
    assert ontology_dir() == tmp_path


def test_loader_rejects_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(OntologyNotFoundError) as caught:
        load_ontology_graph(tmp_path)
    assert str(tmp_path) in caught.value.message_en


def test_loader_syntax_error_names_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n  ex:d ex:e ex:f ;; ]\n",
        encoding="utf-8",
    )

    with pytest.raises(OntologySyntaxError) as caught:
        load_ontology_graph(tmp_path)

    assert caught.value.path == broken
    assert caught.value.line == 3
    assert caught.value.column == 21
    assert "broken.ttl" in caught.value.message_ru
    assert "line 3, column 21" in caught.value.message_en


# --- header -----------------------------------------------------------------------------


def test_header_version_iri(ontology: Graph) -> None:
    version_iri = URIRef("https://w3id.org/vic-semantic/ontology/1.0.0")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert (ONTOLOGY_IRI, OWL.versionIRI, version_iri) in ontology


def test_header_version_info(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("1.0.0")) in ontology


def test_header_prior_version(ontology: Graph) -> None:
    prior = URIRef("https://w3id.org/vic-semantic/ontology/0.2.0")
    assert (ONTOLOGY_IRI, OWL.priorVersion, prior) in ontology


def test_changelog_names_current_version(ontology: Graph) -> None:
    changelog = (ontology_dir() / "CHANGELOG.md").read_text(encoding="utf-8")
    version = str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo))
    assert f"## {version}" in changelog


def test_version_iri_ends_with_version_info(ontology: Graph) -> None:
    version = str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo))
    version_iri = str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI))
    assert version_iri == f"{ONTOLOGY_IRI}/{version}"


def test_modified_not_before_created(ontology: Graph) -> None:
    created = ontology.value(ONTOLOGY_IRI, DCTERMS.created)
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    assert isinstance(created, Literal) and isinstance(modified, Literal)
    assert modified.toPython() >= created.toPython()


def test_header_is_the_only_ontology(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_no_imports(ontology: Graph) -> None:
    assert list(ontology.triples((None, OWL.imports, None))) == []


# --- editorial checks -------------------------------------------------------------------


def test_quality_problems_empty(ontology: Graph) -> None:
    problems = quality_problems(ontology)
    assert problems == [], "\n".join(problems)


def test_quality_finds_missing_texts(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.Unlabelled, RDF.type, OWL.Class))
    graph.add((VIC.Unlabelled, RDFS.subClassOf, VIC.NormativeDocument))

    problems = [p for p in quality_problems(graph) if p.startswith("vic:Unlabelled")]

    assert len(problems) == 4, problems


def test_quality_finds_duplicate_label(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.KefirCopy, RDF.type, OWL.Class))
    graph.add((VIC.KefirCopy, RDFS.label, Literal("Кефир", lang="ru")))

    problems = [p for p in quality_problems(graph) if "vic:KefirCopy" in p]

    assert any("«кефир»@ru" in p and "vic:Kefir," in p for p in problems), problems


def test_quality_finds_undeclared_terms(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.Kefir, VIC.undeclaredProperty, VIC.UndeclaredThing))

    problems = quality_problems(graph)

    assert any(p.startswith("vic:UndeclaredThing: термин") for p in problems), problems
    assert any(p.startswith("vic:undeclaredProperty: свойство") for p in problems), problems


def test_quality_finds_deprecated_without_replacement(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.Ryazhenka, OWL.deprecated, Literal(True)))

    problems = [p for p in quality_problems(graph) if p.startswith("vic:Ryazhenka")]

    assert len(problems) == 1, problems
    assert "dcterms:isReplacedBy" in problems[0]


def test_quality_accepts_deprecated_with_replacement(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.add((VIC.Ryazhenka, OWL.deprecated, Literal(True)))
    graph.add((VIC.Ryazhenka, DCTERMS.isReplacedBy, VIC.FermentedMilkProduct))

    assert quality_problems(graph) == []


def test_quality_finds_orphan_class(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.remove((ONTOLOGY_IRI, VIC.topClass, VIC.Region))

    problems = [p for p in quality_problems(graph) if p.startswith("vic:Region")]

    assert len(problems) == 1, problems
    assert "vic:topClass" in problems[0]


def test_quality_finds_missing_belarusian_label(ontology: Graph) -> None:
    graph = Graph() + ontology
    graph.remove((VIC.Kefir, RDFS.label, Literal("кефір", lang="be")))

    problems = [p for p in quality_problems(graph) if p.startswith("vic:Kefir")]

    assert len(problems) == 1, problems
    assert "@be" in problems[0]


def test_quality_finds_mixed_alphabets(ontology: Graph) -> None:
    graph = Graph() + ontology
    # The fourth letter is the Latin «a», which looks the same as the Cyrillic one.
    graph.add((VIC.CookedSausage, SKOS.altLabel, Literal("каўбаса вар\u0061ная", lang="be")))

    problems = [p for p in quality_problems(graph) if p.startswith("vic:CookedSausage")]

    assert len(problems) == 1, problems


@pytest.mark.parametrize(
    ("cls", "label"),
    [
        (VIC.DrinkingMilk, "малако пітное"),
        (VIC.Kefir, "кефір"),
        (VIC.SourCream, "смятана"),
        (VIC.Butter, "масла сметанковае"),
        (VIC.Cheese, "сыр"),
        (VIC.IceCream, "марожанае"),
        (VIC.CookedSausage, "каўбаса вараная"),
        (VIC.IndustrialOrganisation, "прамысловая арганізацыя"),
        (ID["stage/production"], "стадыя вытворчасці"),
        (ID["role/training"], "падрыхтоўка кадраў"),
    ],
)
def test_belarusian_labels(ontology: Graph, cls: URIRef, label: str) -> None:
    assert (cls, RDFS.label, Literal(label, lang="be")) in ontology


def test_product_classes_have_russian_alt_labels(ontology: Graph) -> None:
    products = [
        c
        for c in ontology.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and VIC.FoodProduct in _superclasses(ontology, c)
    ]
    missing = [
        c
        for c in products
        if not any(
            isinstance(label, Literal) and label.language == "ru"
            for label in ontology.objects(c, SKOS.altLabel)
        )
    ]
    assert len(products) > 40
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "label"),
    [
        (VIC.PasteurisedMilk, "молоко питьевое пастеризованное"),
        (VIC.UHTMilk, "молоко ультрапастеризованное"),
        (VIC.BakedMilk, "молоко топленое"),
        (VIC.SemiHardCheese, "сыр полутвердый"),
        (VIC.DrySmokedSausage, "колбаса сырокопченая"),
        (VIC.DryCuredSausage, "салями"),
        (VIC.BeefCarcass, "говядина в четвертинах"),
        (VIC.PorkCarcass, "свинина в полутушах"),
    ],
)
def test_catalogue_words_are_alt_labels(ontology: Graph, cls: URIRef, label: str) -> None:
    assert (cls, SKOS.altLabel, Literal(label, lang="ru")) in ontology


def test_uht_abbreviation_is_hidden_label(ontology: Graph) -> None:
    assert (VIC.UHTMilk, SKOS.hiddenLabel, Literal("у/паст.", lang="ru")) in ontology


# --- reasoning --------------------------------------------------------------------------


@pytest.mark.slow
def test_hermit_finds_ontology_consistent(ontology: Graph) -> None:
    report = check_consistency(ontology)

    assert report.consistent
    assert report.unsatisfiable_classes == ()
    assert report.ok


@pytest.mark.slow
def test_hermit_finds_unsatisfiable_class(ontology: Graph) -> None:
    graph = Graph() + ontology
    broken = VIC.KefirSausage
    graph.add((broken, RDF.type, OWL.Class))
    graph.add((broken, RDFS.subClassOf, VIC.Kefir))
    graph.add((broken, RDFS.subClassOf, VIC.CookedSausage))

    report = check_consistency(graph)

    assert report.consistent
    assert report.unsatisfiable_classes == (str(broken),)
    assert not report.ok


@pytest.mark.slow
def test_hermit_counts_inferred_subclasses(ontology: Graph) -> None:
    graph = Graph() + ontology
    kefir_or_ryazhenka = BNode()
    members = BNode()
    Collection(graph, members, [VIC.Kefir, VIC.Ryazhenka])
    graph.add((kefir_or_ryazhenka, RDF.type, OWL.Class))
    graph.add((kefir_or_ryazhenka, OWL.unionOf, members))
    graph.add((VIC.FermentedDrink, RDF.type, OWL.Class))
    graph.add((VIC.FermentedDrink, OWL.equivalentClass, kefir_or_ryazhenka))

    report = check_consistency(graph)

    assert report.ok
    assert report.inferred_subclass_count >= 1


@pytest.mark.slow
def test_hermit_without_java_raises(ontology: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")

    with pytest.raises(JavaNotFoundError) as caught:
        check_consistency(ontology)

    assert "/nonexistent/java" in caught.value.message_en


# --- products and standards -------------------------------------------------------------


def test_kefir_is_dairy_product(ontology: Graph) -> None:
    assert VIC.DairyProduct in _superclasses(ontology, VIC.Kefir)
    assert VIC.MeatProduct not in _superclasses(ontology, VIC.Kefir)


def test_frankfurter_is_meat_product(ontology: Graph) -> None:
    assert VIC.MeatProduct in _superclasses(ontology, VIC.Frankfurter)


@pytest.mark.parametrize(
    ("designation", "cls"),
    [
        ("ГОСТ 31450-2013", VIC.DrinkingMilk),
        ("ГОСТ 31454-2012", VIC.Kefir),
        ("ГОСТ 32261-2013", VIC.Butter),
        ("СТБ 315-2017", VIC.Tvorog),
        ("ГОСТ 23670-2019", VIC.CookedSausageProduct),
        ("ГОСТ 31476-2012", VIC.PorkCarcass),
        ("ГОСТ 34120-2017", VIC.BeefCarcass),
        ("СТБ 1996-2016", VIC.DryCuredSausage),
        ("ТР ТС 033/2013", VIC.DairyProduct),
    ],
)
def test_cited_standard_applies_to_class(ontology: Graph, designation: str, cls: URIRef) -> None:
    document = _document(ontology, designation)

    assert document is not None, f"{designation} is missing"
    assert (document, VIC.appliesToClass, cls) in ontology


def test_unknown_standard_absent(ontology: Graph) -> None:
    assert _document(ontology, "ГОСТ 99999-2099") is None


def test_standard_iri_follows_contract(ontology: Graph) -> None:
    document = ID["standard/gost-31450-2013"]
    assert (document, VIC.designation, Literal("ГОСТ 31450-2013")) in ontology
    assert (document, VIC.status, VIC.InForce) in ontology


def test_replaced_standard_points_to_successor(ontology: Graph) -> None:
    old = ID["standard/gost-r-52969-2008"]
    assert (old, VIC.status, VIC.Replaced) in ontology
    assert (old, VIC.replacedBy, ID["standard/gost-32261-2013"]) in ontology


def _documents(graph: Graph) -> list[URIRef]:
    return sorted(d for d in graph.subjects(VIC.designation, None) if isinstance(d, URIRef))


def test_every_document_is_complete(ontology: Graph) -> None:
    incomplete = []
    for document in _documents(ontology):
        titles = {
            t.language for t in ontology.objects(document, VIC.title) if isinstance(t, Literal)
        }
        kinds = set(ontology.objects(document, RDF.type)) - {OWL.NamedIndividual}
        checks = {
            "title@ru": "ru" in titles,
            "kind": bool(kinds),
            "validIn": (document, VIC.validIn, None) in ontology,
            "status": (document, VIC.status, None) in ontology,
            "source": (document, DCTERMS.source, None) in ontology,
        }
        incomplete += [f"{document} lacks {name}" for name, ok in checks.items() if not ok]
    assert incomplete == []


def test_replaced_documents_name_successor(ontology: Graph) -> None:
    replaced = set(ontology.subjects(VIC.status, VIC.Replaced))
    assert len(replaced) == 3
    assert [d for d in replaced if (d, VIC.replacedBy, None) not in ontology] == []


def test_documents_without_class_explain_why(ontology: Graph) -> None:
    unexplained = [
        d
        for d in _documents(ontology)
        if (d, VIC.appliesToClass, None) not in ontology
        and not any("appliesToClass" in str(n) for n in ontology.objects(d, SKOS.scopeNote))
    ]
    assert unexplained == []


@pytest.mark.parametrize(
    ("document", "jurisdiction"),
    [
        ("regulation/tr-ts-033-2013", "union/eaeu"),
        ("standard/stb-315-2017", "country/by"),
        ("standard/gost-r-52969-2008", "country/ru"),
        ("standard/gost-31450-2013", "country/by"),
    ],
)
def test_document_valid_in(ontology: Graph, document: str, jurisdiction: str) -> None:
    assert (ID[document], VIC.validIn, ID[jurisdiction]) in ontology


def test_eaeu_contains_both_countries(ontology: Graph) -> None:
    members = set(ontology.objects(ID["union/eaeu"], VIC.hasMemberCountry))
    assert members == {ID["country/by"], ID["country/ru"]}


def test_designations_match_class_patterns(ontology: Graph) -> None:
    mismatches = []
    for document, designation in ontology.subject_objects(VIC.designation):
        for cls in ontology.objects(document, RDF.type):
            patterns = [str(p) for p in ontology.objects(cls, VIC.designationPattern)]
            if patterns and not any(re.fullmatch(p, str(designation)) for p in patterns):
                mismatches.append(f"{designation} ({cls})")
    assert mismatches == []


@pytest.mark.parametrize(
    "designation", ["ТУ BY 400000001.012-2019", "ТУ 10.51.40-271-55533829-2017"]
)
def test_tu_examples_match_patterns(ontology: Graph, designation: str) -> None:
    patterns = [str(p) for p in ontology.objects(VIC.TechnicalConditions, VIC.designationPattern)]
    assert any(re.fullmatch(p, designation) for p in patterns), patterns


# --- classifiers ------------------------------------------------------------------------


def _notations(graph: Graph, scheme: str) -> list[str]:
    concepts = graph.subjects(SKOS.inScheme, ID[f"scheme/{scheme}"])
    return [str(n) for c in concepts for n in graph.objects(c, SKOS.notation)]


def test_tnved_notations_unique(ontology: Graph) -> None:
    notations = _notations(ontology, "tnved")
    repeated = [n for n, count in Counter(notations).items() if count > 1]

    assert len(notations) > 15
    assert repeated == []


def test_tnved_broader_chain(ontology: Graph) -> None:
    code = ID["tnved/0401-20-110"]
    chain = list(ontology.transitive_objects(code, SKOS.broader))
    assert chain == [code, ID["tnved/0401"], ID["tnved/04"]]


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("0401-20-910", VIC.DrinkingMilk),
        ("0403", VIC.FermentedMilkProduct),
        ("0406-10-200-1", VIC.Tvorog),
        ("1601-00", VIC.SausageProduct),
        ("0203-11", VIC.PorkCarcass),
        ("2105-00", VIC.IceCream),
    ],
)
def test_tnved_code_classifies_class(ontology: Graph, code: str, cls: URIRef) -> None:
    assert (ID[f"tnved/{code}"], VIC.classifiesClass, cls) in ontology


def test_wide_tnved_headings_unlinked(ontology: Graph) -> None:
    for code in ("02", "04", "0210", "1602"):
        assert list(ontology.objects(ID[f"tnved/{code}"], VIC.classifiesClass)) == [], code


def test_okrb_scheme_has_no_codes(ontology: Graph) -> None:
    assert (ID["scheme/okrb"], RDF.type, SKOS.ConceptScheme) in ontology
    assert _notations(ontology, "okrb") == []


def test_atcvet_codes_start_with_q(ontology: Graph) -> None:
    notations = _notations(ontology, "atcvet")
    assert "QJ51CF02" in notations
    assert [n for n in notations if not n.startswith("Q")] == []


# --- traceability to the reference tables -----------------------------------------------


def _reference_cells(reference: Path, file_name: str, column: str) -> set[str]:
    with (reference / file_name).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {part.strip() for row in rows for part in row[column].split(" / ")}


@pytest.fixture(scope="module")
def reference(shared: Path) -> Path:
    folder = shared / "reference"
    if not folder.is_dir():
        pytest.skip(f"reference tables not found at {folder}; set VIC_SHARED_DIR")
    return folder


def test_designations_come_from_reference(ontology: Graph, reference: Path) -> None:
    known = _reference_cells(reference, "01_eaeu_technical_regulations.tsv", "id")
    known |= _reference_cells(reference, "02_standards_gost_stb.tsv", "designation")

    designations = {str(d) for d in ontology.objects(None, VIC.designation)}

    assert len(designations) > 30
    assert designations - known == set()


@pytest.mark.parametrize(
    ("scheme", "file_name", "column"),
    [
        ("tnved", "03a_tnved_eaeu.tsv", "code"),
        ("okpd2", "03b_okpd2_okrb_okp.tsv", "code"),
        ("gpc", "03c_gs1_gpc.tsv", "code"),
        ("atcvet", "04_vet_atcvet.tsv", "atcvet_code"),
    ],
)
def test_codes_come_from_reference(
    ontology: Graph, reference: Path, scheme: str, file_name: str, column: str
) -> None:
    known = _reference_cells(reference, file_name, column)
    notations = set(_notations(ontology, scheme))

    assert notations
    assert notations - known == set()
