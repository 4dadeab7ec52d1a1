"""Converting the member registry to vic:ClusterMember individuals and their memberships."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from vic_semantic.catalogues.conversion import Conversion, RowWriter, raw_literal
from vic_semantic.catalogues.errors import CellValueError
from vic_semantic.catalogues.normalise import parse_boolean, split_list
from vic_semantic.catalogues.slug import slugify
from vic_semantic.catalogues.table import Row, Table
from vic_semantic.namespaces import ID, ORG, VIC

CLUSTER = ID["cluster/gomel-moscow"]
NAME_PROPERTIES = (RDFS.label, VIC.name, SKOS.prefLabel, SKOS.altLabel)


def _key(text: str) -> str:
    return " ".join(text.replace("ё", "е").casefold().split())


def _labels_of(ontology: Graph, subjects: set[URIRef]) -> dict[str, URIRef]:
    labels: dict[str, URIRef] = {}
    for subject in subjects:
        for prop in NAME_PROPERTIES:
            for label in ontology.objects(subject, prop):
                labels.setdefault(_key(str(label)), subject)
    return labels


def _subclasses(ontology: Graph, root: URIRef) -> set[URIRef]:
    found = {root}
    frontier = [root]
    while frontier:
        for child in ontology.subjects(RDFS.subClassOf, frontier.pop()):
            if isinstance(child, URIRef) and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _instances(ontology: Graph, root: URIRef) -> set[URIRef]:
    return {
        s
        for cls in _subclasses(ontology, root)
        for s in ontology.subjects(RDF.type, cls)
        if isinstance(s, URIRef)
    }


@dataclass(frozen=True)
class MemberVocabulary:
    """Russian labels of member kinds, regions, innovation roles and data formats."""

    kinds: dict[str, URIRef]
    regions: dict[str, URIRef]
    roles: dict[str, URIRef]
    formats: dict[str, URIRef]


_VOCABULARIES: weakref.WeakKeyDictionary[Graph, MemberVocabulary] = weakref.WeakKeyDictionary()


def member_vocabulary(ontology: Graph) -> MemberVocabulary:
    """Return the label lookups of ``ontology``, built once per graph object."""
    vocabulary = _VOCABULARIES.get(ontology)
    if vocabulary is None:
        vocabulary = MemberVocabulary(
            kinds=_labels_of(ontology, _subclasses(ontology, VIC.ClusterMember)),
            regions=_labels_of(ontology, _instances(ontology, VIC.Region)),
            roles=_labels_of(ontology, _instances(ontology, VIC.InnovationRole)),
            formats=_labels_of(ontology, _instances(ontology, VIC.DataFormat)),
        )
        _VOCABULARIES[ontology] = vocabulary
    return vocabulary


def member_iri(name: str) -> URIRef:
    """Return the IRI of a member from its name («Молочный завод №1» → member/molochnyj-zavod-1)."""
    return ID[f"member/{slugify(name)}"]


class MemberWriter(RowWriter):
    """Writes the members of one registry table."""

    def __init__(self, table: Table, conversion: Conversion, ontology: Graph) -> None:
        super().__init__(table, conversion)
        self.vocabulary = member_vocabulary(ontology)

    def write(self, row: Row) -> None:
        name = self.cell(row, "member")
        if name.is_empty:
            return
        member = member_iri(name.text)
        self.add_source(member, row)
        self.add(member, VIC.name, Literal(name.text, lang="ru"), name)
        self.add(member, VIC.memberOfCluster, CLUSTER, name)

        kind = self.cell(row, "kind")
        member_class = self.vocabulary.kinds.get(_key(kind.text), VIC.ClusterMember)
        self.add(member, RDF.type, member_class, kind)

        region = self.cell(row, "region")
        region_iri = self.vocabulary.regions.get(_key(region.text)) if region.text else None
        if region.text and region_iri is None:
            region_iri = ID[f"region/{slugify(region.text)}"]
        self.add(member, VIC.locatedIn, region_iri, region)

        self.write_roles(member, row)
        self.write_formats(member, row)
        self.write_api(member, row)

    def write_roles(self, member: URIRef, row: Row) -> None:
        roles = self.cell(row, "roles")
        membership = ID[f"membership/{str(member).rsplit('/', 1)[-1]}"]
        self.graph.add((membership, RDF.type, ORG.Membership))
        self.graph.add((membership, ORG.member, member))
        self.graph.add((membership, ORG.organization, CLUSTER))
        self.add(member, VIC.hasInnovationRole, None, roles)
        for role_name in split_list(roles.value):
            role = self.vocabulary.roles.get(_key(role_name)) or ID[f"role/{slugify(role_name)}"]
            self.add(member, VIC.hasInnovationRole, role, roles)
            self.graph.add((membership, ORG.role, role))

    def write_formats(self, member: URIRef, row: Row) -> None:
        formats = self.cell(row, "formats")
        self.add(member, VIC.exchangeFormat, None, formats)
        for format_name in split_list(formats.value):
            data_format = self.vocabulary.formats.get(_key(format_name))
            self.add(
                member,
                VIC.exchangeFormat,
                data_format or ID[f"format/{slugify(format_name)}"],
                formats,
            )

    def write_api(self, member: URIRef, row: Row) -> None:
        api = self.cell(row, "api")
        value: Node | None
        try:
            flag = parse_boolean(api.value)
            value = None if flag is None else Literal(flag, datatype=XSD.boolean)
        except CellValueError:
            value = raw_literal(api)
        self.add(member, VIC.providesApi, value, api)


def convert_members(table: Table, ontology: Graph, conversion: Conversion) -> None:
    """Add the registry's members to ``conversion``."""
    writer = MemberWriter(table, conversion, ontology)
    for row in table.rows:
        writer.write(row)
