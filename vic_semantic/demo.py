"""The demo cluster: the ontology, the shapes and the members' own files, loaded into a store.

The embedded store is built once and reopened afterwards. A fingerprint of every input
(ontology, shapes, demo files and the converter's code) is kept beside the store, so a
changed input rebuilds the demo graphs and an unchanged one costs only the hash.

A remote store gets the demo only while it is empty. It may hold members' real graphs under
the same IRIs as the demo's, which a rebuild would replace, and several API processes may
start on it at once: checking for emptiness keeps no state outside the store. Two processes
that both find it empty both load the same graphs, which ends in the same content.

The demo loads the member files as they are, findings included: analysts' questions such as
"whose milk came in before its withdrawal period ended" need those rows in the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, RDF

from vic_semantic.catalogues.convert import convert_table, convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.catalogues.slug import slugify
from vic_semantic.catalogues.table import FileKind
from vic_semantic.config import REPO_ROOT
from vic_semantic.errors import InputError
from vic_semantic.inference import materialise
from vic_semantic.namespaces import (
    GRAPH,
    ID,
    MEMBERS_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    VIC,
    catalogue_graph,
    veterinary_graph,
)
from vic_semantic.ontology.loader import load_ontology_graph
from vic_semantic.service import VicService
from vic_semantic.validation.shapes import load_shapes_graph

logger = logging.getLogger(__name__)

FINGERPRINT_FILE = "demo-fingerprint"
AGREEMENTS_GRAPH = GRAPH["agreements"]
_CODE_INPUTS = ("vic_semantic/catalogues", "vic_semantic/demo.py", "vic_semantic/inference.py")


@dataclass(frozen=True)
class DemoManifest:
    """Which member sends which demo file (``demo/manifest.json``)."""

    registry: str
    catalogues: dict[str, str]
    supplier: str
    veterinary_files: list[str]
    agreement_files: list[str]

    @classmethod
    def read(cls, demo_dir: Path) -> DemoManifest:
        raw = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))
        return cls(
            registry=raw["registry"],
            catalogues=raw["catalogues"],
            supplier=raw["veterinary"]["supplier"],
            veterinary_files=raw["veterinary"]["files"],
            agreement_files=raw.get("agreements", []),
        )


def ensure_demo_loaded(service: VicService) -> None:
    """Build the demo graphs unless the store already holds this exact demo."""
    settings = service.settings
    if settings.store_url:
        _ensure_demo_in_remote(service)
        return

    fingerprint = _fingerprint([settings.ontology_dir, settings.shapes_dir, settings.demo_dir])
    marker = None if settings.in_memory else settings.data_dir / FINGERPRINT_FILE
    if marker is not None and marker.is_file() and marker.read_text() == fingerprint:
        logger.info("demo cluster already loaded; reopened the store")
        if restore_fixed_graphs(service):
            service.store.flush()
        return

    started = time.perf_counter()
    build_demo(service)
    service.store.flush()
    if marker is not None:
        marker.write_text(fingerprint)
    logger.info("built the demo cluster in %.1f s", time.perf_counter() - started)


def _ensure_demo_in_remote(service: VicService) -> None:
    if not service.store.is_empty():
        logger.info(
            "remote store %s holds data; demo cluster not loaded", service.settings.store_url
        )
        restore_fixed_graphs(service)
        return
    started = time.perf_counter()
    build_demo(service)
    logger.info(
        "built the demo cluster in the remote store %s in %.1f s",
        service.settings.store_url,
        time.perf_counter() - started,
    )


def restore_fixed_graphs(service: VicService) -> bool:
    """Reload the ontology and shapes graphs from their files where the store lacks them.

    Both are built from the repository's files only, so reloading them loses nothing that a
    client wrote. Member data is never rebuilt here. Returns whether a graph was restored.
    """
    settings = service.settings
    loaders: dict[str, Callable[[], Graph]] = {
        str(ONTOLOGY_GRAPH): lambda: load_ontology_graph(settings.ontology_dir),
        str(SHAPES_GRAPH): lambda: load_shapes_graph(settings.shapes_dir),
    }
    restored = False
    for graph_iri, load in loaders.items():
        if service.store.ask(f"ASK {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"):
            continue
        count = _replace(service, graph_iri, load())
        logger.warning("the graph %s was empty; restored %d triples from files", graph_iri, count)
        restored = True
    if restored:
        materialise(service.store)
    return restored


def build_demo(service: VicService) -> None:
    """Load the ontology, the shapes and every demo file into their named graphs."""
    settings = service.settings
    ontology = load_ontology_graph(settings.ontology_dir)
    _replace(service, str(ONTOLOGY_GRAPH), ontology)
    _replace(service, str(SHAPES_GRAPH), load_shapes_graph(settings.shapes_dir))

    manifest = DemoManifest.read(settings.demo_dir)
    files = settings.demo_dir / "catalogues"
    registry = read_table(manifest.registry, (files / manifest.registry).read_bytes())
    _replace(service, str(MEMBERS_GRAPH), convert_table(registry, ontology).graph)

    for file_name, member_name in manifest.catalogues.items():
        table = read_table(file_name, (files / file_name).read_bytes())
        graph = convert_table(table, ontology, slugify(member_name)).graph
        _attribute_to_manufacturer(graph, slugify(member_name))
        _replace(service, str(catalogue_graph(slugify(member_name))), graph)

    supplier = slugify(manifest.supplier)
    tables = [read_table(name, (files / name).read_bytes()) for name in manifest.veterinary_files]
    graph = convert_tables(tables, ontology, supplier).graph
    _describe_supplier(graph, manifest.supplier)
    _replace(service, str(veterinary_graph(supplier)), graph)

    # Data-exchange agreements are written in Turtle by hand; no member file describes them.
    agreements = Graph()
    for name in manifest.agreement_files:
        agreements.parse(settings.demo_dir / "agreements" / name, format="turtle")
    _replace(service, str(AGREEMENTS_GRAPH), agreements)

    materialise(service.store)


def load_member_file(service: VicService, name: str, data: bytes, member: str | None) -> str:
    """Convert one member file and replace the graph it belongs in; return a progress line."""
    if not member:
        raise InputError(
            f"Для файла участника «{name}» укажите --member (код участника, например "
            "molochnyj-zavod-1).",
            f"The member file '{name}' needs --member (the member's slug, for example "
            "molochnyj-zavod-1).",
        )
    ontology = load_ontology_graph(service.settings.ontology_dir)
    table = read_table(name, data)
    conversion = convert_table(table, ontology, member)
    if table.kind is FileKind.PRODUCTS:
        target = str(catalogue_graph(member))
    elif table.kind is FileKind.MEMBERS:
        target = str(MEMBERS_GRAPH)
    else:
        target = str(veterinary_graph(member))
    count = _replace(service, target, conversion.graph)
    return f"{name}: {table.kind} → {count} triples → <{target}>"


def _attribute_to_manufacturer(graph: Graph, member_slug: str) -> None:
    """State that the member who sent a catalogue makes every product in it."""
    member = URIRef(ID[f"member/{member_slug}"])
    for product in set(graph.subjects(VIC.inCatalogue, None)):
        graph.add((product, VIC.manufacturer, member))


def _describe_supplier(graph: Graph, name: str) -> None:
    supplier = URIRef(ID[f"organisation/{slugify(name)}"])
    graph.add((supplier, RDF.type, ORG.Organization))
    graph.add((supplier, VIC.name, Literal(name, lang="ru")))


def _replace(service: VicService, graph_iri: str, graph: Graph) -> int:
    data = graph.serialize(format="nt", encoding="utf-8")
    return service.store.replace_graph(graph_iri, data, ox.RdfFormat.N_TRIPLES)


def _fingerprint(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    inputs = [*folders, *(REPO_ROOT / path for path in _CODE_INPUTS)]
    for root in inputs:
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in paths:
            if path.suffix == ".pyc" or not path.exists():
                continue
            name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
            digest.update(str(name).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
