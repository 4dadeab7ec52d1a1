"""Who may call which route: every route of the app against every kind of principal.

Each row of ``CASES`` is one request on one route: a read, or a write aimed at a graph
chosen for the principal (its own veterinary graph, its own catalogue graph, another member's
graph, the ontology graph, the default graph, or graphs no member owns). A member owns its
catalogue graph but writes it only through POST /catalogues, so direct writes to it are
denied to members; direct writes to its veterinary graph are validated first, and the test
triple here has no violations. ``EXPECTED`` gives the status each principal gets
for each kind of operation. A route missing from ``CASES`` fails ``test_every_route_has_row``,
so a new route cannot ship without a decision on who may call it.

Every denied request must leave the store exactly as it was: the whole dataset is dumped
before and after and compared. Allowed writes are undone after the check by restoring the
dump, so the cases stay independent.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from conftest import store_settings
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.namespaces import (
    GRAPH,
    INFERRED_GRAPH,
    MEMBERS_GRAPH,
    ONTOLOGY_GRAPH,
    VIC,
    catalogue_graph,
    veterinary_graph,
)
from vic_semantic.service import VicService

# Starlette's multipart parser leaves a SpooledTemporaryFile for the garbage collector when
# /catalogues/validate does not close its form; that is a resource leak of the route, not an
# access decision, so its warning is not turned into an error here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)

MEMBER_A = "molochnyj-zavod-1"
MEMBER_B = "myasokombinat-1"
BASE_URL = "http://testserver"
DIRECT_GRAPH = f"{BASE_URL}/graphs/existing"
# The reader rejects a file without data rows with 400 for every role, so this file has one row.
PRODUCTS_CSV = "gtin,name\n9520001000041,Кефир 1%\n".encode()
PRINCIPALS = ["anonymous", "analyst", "member_a", "member_b", "admin"]
OK = 0  # placeholder in EXPECTED for the case's own success status
TRIPLE = "<https://example.org/s> <https://example.org/p> <https://example.org/o> ."


# --- which graph each kind of write aims at, per principal --------------------------------

Graph = str | None  # None is the store's default graph


def own_member(principal: str) -> str:
    """The principal's member slug; member A's for principals that are no member."""
    return MEMBER_B if principal == "member_b" else MEMBER_A


def other_member(principal: str) -> str:
    """Another member's slug: B for member A, A for member B, else B."""
    return MEMBER_A if principal == "member_b" else MEMBER_B


def own_graph(principal: str) -> str:
    """The principal's veterinary graph, which members write directly after validation."""
    return str(veterinary_graph(own_member(principal)))


def own_catalogue(principal: str) -> str:
    """The principal's catalogue graph, which members change only through POST /catalogues."""
    return str(catalogue_graph(own_member(principal)))


def other_graph(principal: str) -> str:
    return str(catalogue_graph(other_member(principal)))


TARGETS: dict[str, Callable[[str], Graph]] = {
    "write_own": own_graph,
    "write_own_catalogue": own_catalogue,
    "write_other": other_graph,
    "write_ontology": lambda _: str(ONTOLOGY_GRAPH),
    "write_default": lambda _: None,
}

DENIED_TO_ALL_BUT_ADMIN = {
    "anonymous": 401,
    "analyst": 403,
    "member_a": 403,
    "member_b": 403,
    "admin": OK,
}
EXPECTED: dict[str, dict[str, int]] = {
    "read": dict.fromkeys(PRINCIPALS, OK),
    "admin_read": DENIED_TO_ALL_BUT_ADMIN,
    "write_own": {"anonymous": 401, "analyst": 403, "member_a": OK, "member_b": OK, "admin": OK},
    # A member's own catalogue: direct writes are denied, POST /catalogues is the only way.
    "write_own_catalogue": DENIED_TO_ALL_BUT_ADMIN,
    "write_other": DENIED_TO_ALL_BUT_ADMIN,
    "write_ontology": DENIED_TO_ALL_BUT_ADMIN,
    "write_default": DENIED_TO_ALL_BUT_ADMIN,
    # Graphs no member may own: ALL, NAMED, GRAPH ?g, new or direct Graph Store graphs.
    "write_unowned": DENIED_TO_ALL_BUT_ADMIN,
    # The inferred graph: written only by the server.
    "write_inferred": {**DENIED_TO_ALL_BUT_ADMIN, "admin": 403},
    # A SPARQL update that names the inferred graph: rejected for everyone, the administrator
    # included, because the recompute after the update would throw the change away.
    "update_inferred": {**DENIED_TO_ALL_BUT_ADMIN, "admin": 403},
    # Methods the protocol does not define: the route rejects them for everyone.
    "not_allowed": dict.fromkeys(PRINCIPALS, 405),
}


# --- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One request on one route; ``build`` makes it for a principal."""

    name: str
    route: tuple[str, str]  # (path template, method)
    operation: str
    success: int
    build: Callable[[str], Call]


def iri(graph: Graph) -> str:
    return "DEFAULT" if graph is None else f"<{graph}>"


def graph_block(graph: Graph, body: str) -> str:
    return body if graph is None else f"GRAPH <{graph}> {{ {body} }}"


def graph_query(graph: Graph) -> str:
    return "default" if graph is None else f"graph={quote(graph, safe='')}"


def update(text: str, params: str = "") -> Call:
    return Call(
        "POST",
        f"/sparql{params}",
        {"content": text.encode(), "headers": {"Content-Type": "application/sparql-update"}},
    )


def turtle(method: str, url: str) -> Call:
    return Call(
        method, url, {"content": TRIPLE.encode(), "headers": {"Content-Type": "text/turtle"}}
    )


def form(method: str, url: str, fields: dict[str, str]) -> Call:
    return Call(method, url, {"data": fields})


def get(url: str, method: str = "GET") -> Call:
    return Call(method, url)


UpdateText = Callable[[Graph], str]

# SPARQL updates, each writing the graph it is given. Some never reach the default graph.
UPDATES: dict[str, UpdateText] = {
    "insert_data": lambda g: f"INSERT DATA {{ {graph_block(g, TRIPLE)} }}",
    "delete_data": lambda g: (
        "DELETE DATA { "
        + graph_block(g, "<https://example.org/s> <https://example.org/p> 'absent' .")
        + " }"
    ),
    "insert_where": lambda g: (
        f"INSERT {{ {graph_block(g, '?s a <https://example.org/C>')} }} "
        "WHERE { BIND(<https://example.org/s> AS ?s) }"
    ),
    "delete_where": lambda g: (
        f"DELETE WHERE {{ {graph_block(g, '?s <https://example.org/p> ?o')} }}"
    ),
    "with": lambda g: (
        f"WITH <{g}> INSERT {{ ?s a <https://example.org/C> }} WHERE {{ BIND(<urn:x> AS ?s) }}"
        if g
        else "INSERT { ?s a <https://example.org/C> } WHERE { BIND(<urn:x> AS ?s) }"
    ),
    "clear": lambda g: f"CLEAR {'DEFAULT' if g is None else f'GRAPH <{g}>'}",
    "drop_silent": lambda g: f"DROP SILENT {'DEFAULT' if g is None else f'GRAPH <{g}>'}",
    "add_from_own": lambda g: f"ADD <{GRAPH[f'member/{MEMBER_A}/scratch']}> TO {iri(g)}",
    "copy_from_own": lambda g: f"COPY <{GRAPH[f'member/{MEMBER_A}/scratch']}> TO {iri(g)}",
    "move_from_own": lambda g: f"MOVE <{GRAPH[f'member/{MEMBER_A}/scratch']}> TO {iri(g)}",
    # MOVE empties its source, so moving out of a graph writes that graph.
    "move_out_of": lambda g: f"MOVE {iri(g)} TO <{GRAPH[f'member/{MEMBER_A}/moved']}>",
}


def sparql_update_cases() -> Iterator[Case]:
    for operation, target in TARGETS.items():
        for name, text in UPDATES.items():
            if name in {"add_from_own", "copy_from_own", "move_from_own"} and operation in {
                "write_own"
            }:
                # The source is member A's own scratch graph, so only A owns both ends.
                continue
            if name == "move_out_of" and operation == "write_own":
                continue
            yield Case(
                f"update_{name}_{operation}",
                ("/sparql", "POST"),
                operation,
                204,
                lambda p, t=target, x=text: update(x(t(p))),
            )

    # Copying the members graph into the own catalogue would store it unvalidated.
    yield Case(
        "update_copy_members_to_own_catalogue",
        ("/sparql", "POST"),
        "write_own_catalogue",
        204,
        lambda p: update(f"COPY <{MEMBERS_GRAPH}> TO <{own_catalogue(p)}>"),
    )

    # The protocol's using-graph-uri is written into the update as USING: a USING graph is
    # only read, so a member may name any graph there while writing its own.
    yield Case(
        "update_using_param_write_own",
        ("/sparql", "POST"),
        "write_own",
        204,
        lambda p: update(
            f"INSERT {{ GRAPH <{own_graph(p)}> {{ ?s a <https://example.org/C> }} }} "
            "WHERE { ?s a ?c } ",
            f"?using-graph-uri={quote(str(ONTOLOGY_GRAPH), safe='')}",
        ),
    )
    yield Case(
        "update_using_param_write_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"DELETE WHERE {{ GRAPH <{other_graph(p)}> {{ ?s <https://example.org/p> ?o }} }}",
            f"?using-graph-uri={quote(own_graph(p), safe='')}",
        ),
    )
    yield Case(
        "update_using_clause_write_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"INSERT {{ GRAPH <{other_graph(p)}> {{ ?s a <https://example.org/C> }} }} "
            f"USING <{own_graph(p)}> WHERE {{ ?s a ?c }}"
        ),
    )
    # One own write and one unowned write in the same request: the whole request is denied.
    yield Case(
        "update_own_then_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"INSERT DATA {{ GRAPH <{own_graph(p)}> {{ {TRIPLE} }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{other_graph(p)}> {{ {TRIPLE} }} }}"
        ),
    )
    # WITH names the own graph, but a GRAPH block inside the template writes another.
    yield Case(
        "update_with_own_graph_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"WITH <{own_graph(p)}> INSERT {{ ?s a <urn:c> . GRAPH <{other_graph(p)}> "
            "{ ?s a <urn:c> } } WHERE { BIND(<urn:x> AS ?s) }"
        ),
    )
    # BASE resolves before the check: from the own member folder, ../../catalogue/X is the
    # other member's catalogue.
    yield Case(
        "update_relative_iri_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"BASE <{GRAPH[f'member/{own_member(p)}/']}> "
            f"INSERT DATA {{ GRAPH <../../catalogue/{other_member(p)}> {{ {TRIPLE} }} }}"
        ),
    )
    yield Case(
        "update_prefixed_name_other",
        ("/sparql", "POST"),
        "write_other",
        204,
        lambda p: update(
            f"PREFIX g: <{GRAPH}catalogue/> "
            f"INSERT DATA {{ GRAPH g:{other_member(p)} {{ {TRIPLE} }} }}"
        ),
    )
    yield Case(
        "update_own_member_subgraph",
        ("/sparql", "POST"),
        "write_own",
        204,
        lambda p: update(
            f"INSERT DATA {{ GRAPH <{GRAPH[f'member/{own_member(p)}/notes']}> {{ {TRIPLE} }} }}"
        ),
    )
    for name, text in {
        "drop_all": "DROP ALL",
        "clear_named": "CLEAR NAMED",
        "drop_named": "DROP SILENT NAMED",
        "variable_graph": "INSERT { GRAPH ?g { <urn:x> a <urn:c> } } WHERE { GRAPH ?g { } }",
        "dot_segments": "INSERT DATA { GRAPH <"
        + str(GRAPH[f"member/{MEMBER_A}/../{MEMBER_B}/x"])
        + f"> {{ {TRIPLE} }} }}",
    }.items():
        yield Case(
            f"update_{name}", ("/sparql", "POST"), "write_unowned", 204, lambda p, x=text: update(x)
        )
    yield Case(
        "update_inferred",
        ("/sparql", "POST"),
        "update_inferred",
        204,
        lambda p: update(f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ {TRIPLE} }} }}"),
    )


def graph_store_cases() -> Iterator[Case]:
    for operation, target in TARGETS.items():
        yield Case(
            f"gsp_put_{operation}",
            ("/graphs", "PUT"),
            operation,
            204,
            lambda p, t=target: turtle("PUT", f"/graphs?{graph_query(t(p))}"),
        )
        yield Case(
            f"gsp_post_{operation}",
            ("/graphs", "POST"),
            operation,
            204,
            lambda p, t=target: turtle("POST", f"/graphs?{graph_query(t(p))}"),
        )
        yield Case(
            f"gsp_delete_{operation}",
            ("/graphs", "DELETE"),
            operation,
            204,
            lambda p, t=target: get(f"/graphs?{graph_query(t(p))}", "DELETE"),
        )
        yield Case(
            f"gsp_dataset_{operation}",
            ("/graphs", "POST"),
            operation,
            204,
            lambda p, t=target: Call(
                "POST",
                "/graphs",
                {
                    "content": (
                        f"{TRIPLE}\n" if t(p) is None else f"<{t(p)}> {{ {TRIPLE} }}\n"
                    ).encode(),
                    "headers": {"Content-Type": "application/trig"},
                },
            ),
        )
    # A dataset with the own graph and another member's: all or nothing.
    yield Case(
        "gsp_dataset_own_and_other",
        ("/graphs", "POST"),
        "write_other",
        204,
        lambda p: Call(
            "POST",
            "/graphs",
            {
                "content": (
                    f"<{own_graph(p)}> <https://example.org/p> <urn:o> <{own_graph(p)}> .\n"
                    f"<{own_graph(p)}> <https://example.org/p> <urn:o> <{other_graph(p)}> .\n"
                ).encode(),
                "headers": {"Content-Type": "application/n-quads"},
            },
        ),
    )
    # Triples posted to the store land in a new graph under /graphs/, which no member owns.
    yield Case(
        "gsp_post_new_graph",
        ("/graphs", "POST"),
        "write_unowned",
        201,
        lambda p: turtle("POST", "/graphs"),
    )
    yield Case(
        "gsp_put_inferred",
        ("/graphs", "PUT"),
        "write_inferred",
        204,
        lambda p: turtle("PUT", f"/graphs?{graph_query(str(INFERRED_GRAPH))}"),
    )
    yield Case(
        "gsp_dataset_inferred",
        ("/graphs", "POST"),
        "write_inferred",
        204,
        lambda p: Call(
            "POST",
            "/graphs",
            {
                "content": f"<{INFERRED_GRAPH}> {{ {TRIPLE} }}".encode(),
                "headers": {"Content-Type": "application/trig"},
            },
        ),
    )
    direct = "/graphs/{graph_path:path}"
    yield Case(
        "gsp_direct_put",
        (direct, "PUT"),
        "write_unowned",
        204,
        lambda p: turtle("PUT", "/graphs/existing"),
    )
    yield Case(
        "gsp_direct_post",
        (direct, "POST"),
        "write_unowned",
        204,
        lambda p: turtle("POST", "/graphs/existing"),
    )
    yield Case(
        "gsp_direct_delete",
        (direct, "DELETE"),
        "write_unowned",
        204,
        lambda p: get("/graphs/existing", "DELETE"),
    )


KEFIR_QUERY = json.dumps({"q0": {"query": "Кефир"}})
EXTEND_QUERY = json.dumps({"ids": ["member/molochnyj-zavod-1"], "properties": [{"id": "name"}]})


def read_cases() -> Iterator[Case]:
    reads: list[tuple[str, str, int, Callable[[str], Call]]] = [
        ("home", "/", 200, lambda p: get("/")),
        ("health", "/health", 200, lambda p: get("/health")),
        ("openapi", "/openapi.json", 200, lambda p: get("/openapi.json")),
        ("openapi_head", "/openapi.json", 200, lambda p: get("/openapi.json", "HEAD")),
        ("docs", "/docs", 200, lambda p: get("/docs")),
        ("docs_head", "/docs", 200, lambda p: get("/docs", "HEAD")),
        ("oauth", "/docs/oauth2-redirect", 200, lambda p: get("/docs/oauth2-redirect")),
        (
            "oauth_head",
            "/docs/oauth2-redirect",
            200,
            lambda p: get("/docs/oauth2-redirect", "HEAD"),
        ),
        ("redoc", "/redoc", 200, lambda p: get("/redoc")),
        ("redoc_head", "/redoc", 200, lambda p: get("/redoc", "HEAD")),
        ("sparql_get", "/sparql", 200, lambda p: get("/sparql?query=ASK%7B%7D")),
        (
            "sparql_post_query",
            "/sparql",
            200,
            lambda p: Call(
                "POST",
                "/sparql",
                {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
            ),
        ),
        ("graphs_get", "/graphs", 200, lambda p: get(f"/graphs?{graph_query(own_graph(p))}")),
        ("graphs_head", "/graphs", 200, lambda p: get("/graphs", "HEAD")),
        ("direct_get", "/graphs/{graph_path:path}", 200, lambda p: get("/graphs/existing")),
        (
            "direct_head",
            "/graphs/{graph_path:path}",
            200,
            lambda p: get("/graphs/existing", "HEAD"),
        ),
        ("validate", "/validate", 200, lambda p: turtle("POST", "/validate")),
        (
            "catalogues_validate",
            "/catalogues/validate",
            200,
            lambda p: Call(
                "POST",
                "/catalogues/validate",
                {"files": {"file": ("products.csv", PRODUCTS_CSV, "text/csv")}},
            ),
        ),
        (
            "catalogues_map",
            "/catalogues/map",
            200,
            lambda p: Call(
                "POST",
                "/catalogues/map",
                {"files": {"file": ("products.csv", MAP_CSV, "text/csv")}},
            ),
        ),
        ("ontology", "/ontology", 200, lambda p: get("/ontology?format=ttl")),
        ("ontology_docs", "/ontology/docs", 200, lambda p: get("/ontology/docs")),
        ("ontology_term", "/ontology/{term}", 200, lambda p: get("/ontology/DairyProduct")),
        (
            "search",
            "/api/search",
            200,
            lambda p: get(f"/api/search?q={quote('кефир')}"),
        ),
        ("reconcile_get", "/reconcile", 200, lambda p: get("/reconcile")),
        (
            "reconcile_post",
            "/reconcile",
            200,
            lambda p: form("POST", "/reconcile", {"queries": KEFIR_QUERY}),
        ),
        (
            "reconcile_preview",
            "/reconcile/preview",
            200,
            lambda p: get("/reconcile/preview?id=member/molochnyj-zavod-1"),
        ),
        (
            "suggest_entity",
            "/reconcile/suggest/entity",
            200,
            lambda p: get("/reconcile/suggest/entity?prefix=%D0%BA"),
        ),
        (
            "suggest_type",
            "/reconcile/suggest/type",
            200,
            lambda p: get("/reconcile/suggest/type?prefix=K"),
        ),
        (
            "suggest_property",
            "/reconcile/suggest/property",
            200,
            lambda p: get("/reconcile/suggest/property?prefix=g"),
        ),
        (
            "extend_propose",
            "/reconcile/extend/propose",
            200,
            lambda p: get("/reconcile/extend/propose?type=Kefir"),
        ),
        (
            "extend_get",
            "/reconcile/extend",
            200,
            lambda p: get(f"/reconcile/extend?extend={quote(EXTEND_QUERY)}"),
        ),
        (
            "extend_post",
            "/reconcile/extend",
            200,
            lambda p: form("POST", "/reconcile/extend", {"extend": EXTEND_QUERY}),
        ),
    ]
    pair = "a=molochnyj-zavod-1&b=myasokombinat-1"
    reads += [
        ("cluster_coverage", "/api/cluster/coverage", 200, lambda p: get("/api/cluster/coverage")),
        (
            "cluster_closeness",
            "/api/cluster/closeness",
            200,
            lambda p: get(f"/api/cluster/closeness?{pair}"),
        ),
        (
            "cluster_matrix",
            "/api/cluster/closeness/matrix",
            200,
            lambda p: get("/api/cluster/closeness/matrix"),
        ),
        ("cluster_members", "/api/cluster/members", 200, lambda p: get("/api/cluster/members")),
        (
            "cluster_member",
            "/api/cluster/members/{member_id}",
            200,
            lambda p: get(f"/api/cluster/members/{MEMBER_A}"),
        ),
        ("cluster_queries", "/api/cluster/queries", 200, lambda p: get("/api/cluster/queries")),
        (
            "cluster_query",
            "/api/cluster/queries/{query_id}",
            200,
            lambda p: get("/api/cluster/queries/api-pairs"),
        ),
        ("portal_members", "/members", 200, lambda p: get("/members")),
        ("portal_member", "/members/{member_id}", 200, lambda p: get(f"/members/{MEMBER_A}")),
        ("portal_editor", "/editor", 200, lambda p: get("/editor")),
        ("portal_upload", "/upload", 200, lambda p: get("/upload")),
        ("portal_mapping", "/mapping", 200, lambda p: get("/mapping")),
        ("portal_analytics", "/analytics", 200, lambda p: get("/analytics")),
        (
            "chart_coverage",
            "/portal/charts/coverage.svg",
            200,
            lambda p: get("/portal/charts/coverage.svg"),
        ),
        (
            "chart_closeness",
            "/portal/charts/closeness.svg",
            200,
            lambda p: get("/portal/charts/closeness.svg"),
        ),
        ("ready", "/ready", 200, lambda p: get("/ready")),
        ("metrics", "/metrics", 200, lambda p: get("/metrics")),
    ]
    # An online backup copies every graph, so only the administrator may take one.
    yield Case(
        "admin_backup", ("/admin/backup", "GET"), "admin_read", 200, lambda p: get("/admin/backup")
    )
    # Static files are a mount, outside the routers' dependencies: public stylesheets and
    # scripts, readable even when anonymous reading is closed.
    yield Case(
        "read_static", ("/static", "MOUNT"), "read", 200, lambda p: get("/static/portal.css")
    )
    for name, path, status, build in reads:
        method = build("analyst").method
        yield Case(f"read_{name}", (path, method), "read", status, build)

    for method in ("PUT", "DELETE", "PATCH"):
        yield Case(
            f"sparql_{method.lower()}",
            ("/sparql", method),
            "not_allowed",
            405,
            lambda p, m=method: get("/sparql", m),
        )
    for method in ("PUT", "DELETE"):
        yield Case(
            f"graph_store_{method.lower()}",
            ("/graphs", method),
            "not_allowed",
            405,
            lambda p, m=method: get("/graphs", m),
        )


MAP_CSV = "Код;Наименование;Штрихкод\nA-1;Кефир 2,5% 900 г;4810000000001\n".encode()
PROFILE = {"Номенклатура": "name", "Артикул": "sku"}
PROFILE_PATH = "/catalogues/profiles/{name}"


def mapping_cases() -> Iterator[Case]:
    """Saved profiles and corrections live in the member's own graphs (graph/member/{slug}/)."""
    for operation, member in (("write_own", own_member), ("write_other", other_member)):
        yield Case(
            f"profile_put_{operation}",
            (PROFILE_PATH, "PUT"),
            operation,
            204,
            lambda p, m=member: Call(
                "PUT", f"/catalogues/profiles/main?member={m(p)}", {"json": PROFILE}
            ),
        )
        # Every reader may read any member's profiles, as it may read their graphs. No
        # profile is saved in the fresh store, so an allowed read finds none: 404 shows that
        # access was granted before the lookup.
        yield Case(
            f"profile_get_{operation}",
            (PROFILE_PATH, "GET"),
            "read",
            404,
            lambda p, m=member: get(f"/catalogues/profiles/absent?member={m(p)}"),
        )
        yield Case(
            f"correction_{operation}",
            ("/catalogues/map/corrections", "POST"),
            operation,
            200,
            lambda p, m=member: Call(
                "POST",
                f"/catalogues/map/corrections?member={m(p)}",
                {"json": {"code": "A-1", "class": "vic:Kefir"}},
            ),
        )


CATALOGUE = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\n".encode()


def catalogue_cases() -> Iterator[Case]:
    """POST /catalogues replaces a member's catalogue graph: only its own, or any for admin."""

    def submit(member: str) -> Call:
        return Call(
            "POST",
            f"/catalogues?member={member}",
            {"files": {"file": ("catalogue.csv", CATALOGUE, "text/csv")}},
        )

    yield Case(
        "catalogue_submit_own",
        ("/catalogues", "POST"),
        "write_own",
        201,
        lambda p: submit(own_member(p)),
    )
    yield Case(
        "catalogue_submit_other",
        ("/catalogues", "POST"),
        "write_other",
        201,
        lambda p: submit(other_member(p)),
    )
    # No version is stored in this store, so one version and a diff end in 404: what
    # matters is that no principal gets 401 or 403.
    yield Case(
        "read_catalogue_versions",
        ("/catalogues/{slug}/versions", "GET"),
        "read",
        200,
        lambda p: get(f"/catalogues/{MEMBER_A}/versions"),
    )
    yield Case(
        "read_catalogue_version",
        ("/catalogues/{slug}/versions/{number}", "GET"),
        "read",
        404,
        lambda p: get(f"/catalogues/{MEMBER_A}/versions/1"),
    )
    yield Case(
        "read_catalogue_diff",
        ("/catalogues/{slug}/diff", "GET"),
        "read",
        404,
        lambda p: get(f"/catalogues/{MEMBER_A}/diff?from=1&to=2"),
    )


def veterinary_version_cases() -> Iterator[Case]:
    """The versions of veterinary logs are read like catalogue versions: by every reader.

    The demo loads its veterinary graph directly, so no version is stored and one version
    and a diff end in 404.
    """
    yield Case(
        "read_veterinary_versions",
        ("/veterinary/{slug}/versions", "GET"),
        "read",
        200,
        lambda p: get(f"/veterinary/{MEMBER_A}/versions"),
    )
    yield Case(
        "read_veterinary_version",
        ("/veterinary/{slug}/versions/{number}", "GET"),
        "read",
        404,
        lambda p: get(f"/veterinary/{MEMBER_A}/versions/1"),
    )
    yield Case(
        "read_veterinary_diff",
        ("/veterinary/{slug}/diff", "GET"),
        "read",
        404,
        lambda p: get(f"/veterinary/{MEMBER_A}/diff?from=1&to=2"),
    )


CASES = [
    *read_cases(),
    *sparql_update_cases(),
    *graph_store_cases(),
    *mapping_cases(),
    *catalogue_cases(),
    *veterinary_version_cases(),
]


# --- fixtures -----------------------------------------------------------------------------


@dataclass
class World:
    """An app over a demo store and a bearer token per principal."""

    service: VicService
    client: TestClient
    tokens: dict[str, str]

    def headers(self, principal: str) -> dict[str, str]:
        token = self.tokens.get(principal)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def send(self, call: Call, principal: str) -> int:
        kwargs = dict(call.kwargs)
        kwargs["headers"] = {**kwargs.get("headers", {}), **self.headers(principal)}
        with warnings.catch_warnings():
            # FastAPI warns about the Graph Store routes' shared operation ids when it builds
            # /openapi.json; that is a documentation defect, not an access decision.
            warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
            response = self.client.request(call.method, call.url, **kwargs)
        return response.status_code

    def dump(self) -> bytes:
        return bytes(self.service.store.dump(ox.RdfFormat.N_QUADS))

    def restore(self, dump: bytes) -> None:
        """Put back the quads of ``dump``; blank nodes get new labels, the content is equal."""
        self.service.store.update("DROP ALL")
        self.service.store.add_quads(list(ox.parse(dump, format=ox.RdfFormat.N_QUADS)))


def same_quads(before: bytes, after: bytes) -> bool:
    # The dump lists quads in the store's index order, so unequal bytes are compared again
    # as sorted lines before calling them different.
    return before == after or sorted(before.splitlines()) == sorted(after.splitlines())


def make_tokens(data_dir: Path) -> dict[str, str]:
    registry = TokenRegistry(data_dir / "tokens.json")
    return {
        "analyst": registry.create(Role.ANALYST, label="analyst")[1],
        "member_a": registry.create(Role.MEMBER, member=MEMBER_A)[1],
        "member_b": registry.create(Role.MEMBER, member=MEMBER_B)[1],
        "admin": registry.create(Role.ADMIN)[1],
    }


def open_world(
    data_dir: Path, allow_anonymous_read: bool, location: dict[str, Any]
) -> Iterator[World]:
    """Open the app over a demo store; ``location`` points it at a remote store, if any."""
    settings = Settings(
        data_dir=data_dir,
        base_url=BASE_URL,
        allow_anonymous_read=allow_anonymous_read,
        **location,
    )
    tokens = make_tokens(data_dir)
    service = VicService.open(settings)
    service.store.put_graph(
        DIRECT_GRAPH, [ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))]
    )
    service.store.put_graph(
        str(GRAPH[f"member/{MEMBER_A}/scratch"]),
        [ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("scratch"))],
    )
    # Every member's own veterinary graph exists, so PUT returns 204 and DELETE finds it.
    for member in (MEMBER_A, MEMBER_B):
        service.store.put_graph(
            str(veterinary_graph(member)),
            [ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("vet"))],
        )
    app: FastAPI = create_app(settings, service=service)
    with TestClient(app) as client:
        yield World(service, client, tokens)
    service.close()


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    location = store_settings(request, store_kind, "access")
    yield from open_world(tmp_path_factory.mktemp("access"), True, location)


@pytest.fixture(scope="module")
def closed_world(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    location = store_settings(request, store_kind, "access-closed")
    yield from open_world(tmp_path_factory.mktemp("closed"), False, location)


# --- tests --------------------------------------------------------------------------------


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    keys = set()
    for route in iter_route_contexts(app.routes):
        # A mount (static files) has no methods; it still needs a row.
        for method in route.methods or ("MOUNT",):
            keys.add((str(route.path), method))
    return keys


def test_every_route_has_row(world: World) -> None:
    routes = route_keys(world.client.app)  # type: ignore[arg-type]
    covered = {case.route for case in CASES}

    assert routes - covered == set(), "routes without a row in CASES"
    assert covered - routes == set(), "rows in CASES for routes the app does not have"


def test_every_operation_has_expectation() -> None:
    assert {case.operation for case in CASES} <= set(EXPECTED)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_access(world: World, case: Case, principal: str) -> None:
    expected = EXPECTED[case.operation][principal] or case.success

    before = world.dump()

    status = world.send(case.build(principal), principal)

    unchanged = same_quads(before, world.dump())
    if not unchanged:
        world.restore(before)
    assert status == expected
    if status >= 400:
        assert unchanged, "a denied request changed the store"


@pytest.mark.parametrize("case", [c for c in CASES if c.operation == "read"], ids=lambda c: c.name)
def test_closed_reads(closed_world: World, case: Case) -> None:
    open_paths = {
        "/health",
        "/ready",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/static",
    }
    expected_anonymous = case.success if case.route[0] in open_paths else 401

    anonymous = closed_world.send(case.build("anonymous"), "anonymous")
    analyst = closed_world.send(case.build("analyst"), "analyst")

    assert anonymous == expected_anonymous
    assert analyst == case.success


def test_closed_write_without_token(closed_world: World) -> None:
    before = closed_world.dump()

    status = closed_world.send(update(UPDATES["insert_data"](own_graph("member_a"))), "anonymous")

    assert status == 401
    assert same_quads(before, closed_world.dump())


def test_unknown_token_rejected(world: World) -> None:
    response = world.client.get(
        "/sparql?query=ASK%7B%7D", headers={"Authorization": "Bearer vic_not-a-token"}
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_denial_names_graph(world: World) -> None:
    target = other_graph("member_a")
    response = world.client.post(
        "/sparql",
        content=UPDATES["insert_data"](target).encode(),
        headers={"Content-Type": "application/sparql-update", **world.headers("member_a")},
    )

    assert response.status_code == 403
    assert f"<{target}>" in response.json()["message"]


@pytest.mark.parametrize("keyword", ["ALL", "NAMED", "DEFAULT"])
def test_drop_keyword_named_in_denial(world: World, keyword: str) -> None:
    response = world.client.post(
        "/sparql",
        content=f"DROP {keyword}".encode(),
        headers={"Content-Type": "application/sparql-update", **world.headers("member_a")},
    )

    assert response.status_code == 403
    assert keyword in response.json()["message"]


def test_member_update_size_limit(world: World) -> None:
    limit = world.service.settings.max_member_update_bytes
    padding = "#" + "x" * limit + "\n"
    before = world.dump()

    response = world.client.post(
        "/sparql",
        content=(padding + UPDATES["insert_data"](own_graph("member_a"))).encode(),
        headers={"Content-Type": "application/sparql-update", **world.headers("member_a")},
    )

    assert response.status_code == 413
    assert same_quads(before, world.dump())


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL.

    ``log_config=None`` keeps uvicorn from installing its own handlers, so its records,
    access log included, reach the root logger where caplog listens.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, log_level="debug", access_log=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start within 10 s"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_tokens_never_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "starlette", "fastapi", "httpx"):
        caplog.set_level(logging.DEBUG, logger=name)
    logged_cases = [
        case
        for case in CASES
        if case.name
        in {
            "read_sparql_get",
            "update_insert_data_write_own",
            "update_drop_all",
            "gsp_put_write_other",
        }
    ]
    app = create_app(world.service.settings, service=world.service)
    statuses = []

    with served(app) as base_url, httpx.Client(base_url=base_url) as client:
        for principal in ("analyst", "member_a", "member_b", "admin"):
            for case in logged_cases:
                call = case.build(principal)
                kwargs = dict(call.kwargs)
                kwargs["headers"] = {**kwargs.get("headers", {}), **world.headers(principal)}
                before = world.dump()
                statuses.append(client.request(call.method, call.url, **kwargs).status_code)
                if not same_quads(before, world.dump()):
                    world.restore(before)
        wrong = client.get("/graphs", headers={"Authorization": "Bearer vic_wrong-secret-value"})

    assert wrong.status_code == 401
    assert 204 in statuses and 403 in statuses, "both allowed and denied requests were sent"
    assert any(record.name == "uvicorn.access" for record in caplog.records)
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.__dict__!r}"
        for record in caplog.records
    )
    for principal, token in world.tokens.items():
        assert token not in logged, f"the {principal} token appears in a log record"
        assert token[len("vic_") :] not in logged
    assert "wrong-secret-value" not in logged


def test_admin_update_inferred_rejected(world: World) -> None:
    inferred = f"/graphs?graph={quote(str(INFERRED_GRAPH), safe='')}"
    accept = {"Accept": "application/n-triples"}
    before = world.client.get(inferred, headers=accept).text
    dump = world.dump()

    response = world.client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{INFERRED_GRAPH}> {{ {TRIPLE} }} }}",
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {world.tokens['admin']}",
        },
    )
    after = world.client.get(inferred, headers=accept).text
    unchanged = same_quads(dump, world.dump())
    if not unchanged:
        world.restore(dump)

    assert response.status_code == 403, response.text
    assert response.json()["error"] == "inferred_graph"
    assert unchanged
    assert sorted(after.splitlines()) == sorted(before.splitlines())


# --- the catalogue only through POST /catalogues, the veterinary graph only valid ----------

VIC_IRI = str(VIC)


def treatment(atcvet: str) -> str:
    """A treatment in Turtle whose ATCvet code is ``atcvet``; valid codes start with Q."""
    return (
        f"<urn:treatment:1> a <{VIC_IRI}VeterinaryTreatment> ; "
        f'<{VIC_IRI}atcvetCode> "{atcvet}" ; '
        f'<{VIC_IRI}treatmentDate> "2026-11-02"^^<http://www.w3.org/2001/XMLSchema#date> .'
    )


@pytest.mark.parametrize(
    "call",
    [
        update(f"COPY <{MEMBERS_GRAPH}> TO <{own_catalogue('member_a')}>"),
        turtle("PUT", f"/graphs?{graph_query(own_catalogue('member_a'))}"),
    ],
    ids=["sparql_copy", "graph_store_put"],
)
def test_catalogue_write_points_to_submission(world: World, call: Call) -> None:
    before = world.dump()
    headers = {**call.kwargs.get("headers", {}), **world.headers("member_a")}

    response = world.client.request(call.method, call.url, **{**call.kwargs, "headers": headers})

    assert response.status_code == 403
    assert response.json()["error"] == "catalogue_submission_only"
    assert f"<{own_catalogue('member_a')}>" in response.json()["message"]
    assert "POST /catalogues" in response.json()["message"]
    assert same_quads(before, world.dump())


def veterinary_write(how: str, atcvet: str) -> Call:
    graph = own_graph("member_a")
    if how == "sparql":
        return update(f"INSERT DATA {{ GRAPH <{graph}> {{ {treatment(atcvet)} }} }}")
    return Call(
        how,
        f"/graphs?{graph_query(graph)}",
        {"content": treatment(atcvet).encode(), "headers": {"Content-Type": "text/turtle"}},
    )


@pytest.mark.parametrize("how", ["sparql", "PUT", "POST"])
def test_invalid_veterinary_write_rejected(world: World, how: str) -> None:
    call = veterinary_write(how, "J51CF02")
    before = world.dump()
    headers = {**call.kwargs.get("headers", {}), **world.headers("member_a")}

    response = world.client.request(call.method, call.url, **{**call.kwargs, "headers": headers})

    assert response.status_code == 422
    body = response.json()
    assert body["stored"] is False
    assert body["conforms"] is False
    assert any(result["value"] == "J51CF02" for result in body["results"])
    assert same_quads(before, world.dump())


@pytest.mark.parametrize("how", ["sparql", "PUT", "POST"])
def test_valid_veterinary_write_stored(world: World, how: str) -> None:
    call = veterinary_write(how, "QJ51DE90")
    before = world.dump()
    headers = {**call.kwargs.get("headers", {}), **world.headers("member_a")}

    response = world.client.request(call.method, call.url, **{**call.kwargs, "headers": headers})

    stored = world.service.store.ask(
        f'ASK {{ GRAPH <{own_graph("member_a")}> {{ ?t <{VIC_IRI}atcvetCode> "QJ51DE90" }} }}'
    )
    world.restore(before)
    assert response.status_code in {201, 204}
    assert stored


def test_veterinary_copy_checks_result(world: World) -> None:
    """A COPY from another graph is validated on the graph it produces, not on the text."""
    source = str(GRAPH[f"member/{MEMBER_A}/draft"])
    world.service.store.put_graph(
        source, list(ox.parse(treatment("J51CF02").encode(), format=ox.RdfFormat.TURTLE))
    )
    before = world.dump()

    status = world.send(update(f"COPY <{source}> TO <{own_graph('member_a')}>"), "member_a")

    unchanged = same_quads(before, world.dump())
    world.service.store.delete_graph(source)
    assert status == 422
    assert unchanged
