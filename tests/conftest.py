"""Fixtures shared by the test modules: settings, stores, the app and the shared folder."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from remote_server import OxigraphServers

from api.main import create_app
from vic_semantic.config import REPO_ROOT, Settings
from vic_semantic.service import VicService

TESTS = Path(__file__).resolve().parent
STORE_KINDS = ("embedded", "remote")
# Test modules whose store-facing tests run on both stores; every other module uses the
# embedded store only.
BOTH_STORES = {
    "test_sparql_api.py",
    "test_graph_store.py",
    "test_demo.py",
    "test_query_limits.py",
    "test_client_query_limit.py",
    "test_access_matrix.py",
    "test_no_fetch.py",
    "test_result_streaming.py",
    "test_cluster_api.py",
    "test_named_queries.py",
    "test_search.py",
    "test_sparql_clients.py",
    "test_catalogue_submission.py",
    "test_veterinary_versions.py",
    "test_expected_submissions.py",
    "test_trust_submissions.py",
    "test_mapping_api.py",
    "test_reconcile.py",
    "test_operations.py",
    "test_backup.py",
    "w3c/test_protocol.py",
    "w3c/test_graph_store.py",
}

# Opens a service on the test's store; keyword arguments override Settings fields.
ServiceFactory = Callable[..., VicService]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each store-facing test of the BOTH_STORES modules once per store kind."""
    module = Path(str(metafunc.definition.path)).resolve().relative_to(TESTS).as_posix()
    if "store_kind" in metafunc.fixturenames and module in BOTH_STORES:
        metafunc.parametrize("store_kind", STORE_KINDS, indirect=True, ids=STORE_KINDS)


def shared_dir() -> Path:
    """Return the folder of shared reference material (VIC_SHARED_DIR, default ../shared)."""
    return Path(os.environ.get("VIC_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "catalogues").is_dir():
        pytest.skip(
            f"shared reference material not found at {path}; set VIC_SHARED_DIR to the folder "
            "that holds catalogues/ and reference/"
        )
    return path


@pytest.fixture(scope="session")
def store_kind(request: pytest.FixtureRequest) -> str:
    """Return "embedded" or "remote": the store the test's services use."""
    return str(getattr(request, "param", "embedded"))


@pytest.fixture(scope="session")
def oxigraph_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServers]:
    """Oxigraph servers on free loopback ports, started when a test first needs one."""
    servers = OxigraphServers(tmp_path_factory.mktemp("oxigraph"))
    yield servers
    servers.stop()


# Oxigraph servers by name, with their own query timeout in seconds (None: no timeout). A
# query the service gives up on keeps running on the server until that timeout.
REMOTE_SERVERS: dict[str, int | None] = {
    "demo": None,
    "scratch": None,
    "limits": 10,
    # Module-scoped services of test_access_matrix.py and test_no_fetch.py, which must not
    # share a server with tests that empty theirs.
    "access": None,
    "access-closed": None,
    "no-fetch": None,
    # Module-scoped servers of modules that write: one each, so no test empties another's.
    "clients": None,
    "submissions": None,
    "trust": None,
    "mapping": None,
}


def store_settings(request: pytest.FixtureRequest, store_kind: str, server: str) -> dict[str, Any]:
    """Return the Settings fields for ``store_kind``; a remote server is emptied first."""
    if store_kind != "remote":
        return {}
    servers: OxigraphServers = request.getfixturevalue("oxigraph_servers")
    remote = servers.get(server, REMOTE_SERVERS[server])
    remote.clear()
    return remote.settings


@pytest.fixture
def remote_server_name() -> str:
    """Return the name of the Oxigraph server that remote tests of a module use."""
    return "scratch"


@pytest.fixture
def service_factory(
    request: pytest.FixtureRequest, store_kind: str, remote_server_name: str, tmp_path: Path
) -> Iterator[ServiceFactory]:
    """Open services on one fresh store of the test's kind; all are closed afterwards.

    Services opened by one test share the store: the embedded one under ``tmp_path``, or the
    remote server ``remote_server_name``, emptied before the test.
    """
    location = store_settings(request, store_kind, remote_server_name)
    # Finalizers hold no reference to the service, so a test that closes and drops one
    # releases the embedded store's lock before it opens the next.
    closers: list[weakref.finalize[Any, Any]] = []

    def open_service(**overrides: Any) -> VicService:
        settings = Settings(**{"data_dir": tmp_path, **location, **overrides})
        service = VicService.open(settings)
        closers.append(weakref.finalize(service, service.store.close))
        return service

    yield open_service
    for close in closers:
        close()


@pytest.fixture
def empty_service(service_factory: ServiceFactory) -> VicService:
    """A service on a fresh store with nothing loaded."""
    return service_factory(load_demo=False)


@pytest.fixture(scope="session")
def demo_service(
    request: pytest.FixtureRequest, store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VicService]:
    """A service with the demo cluster loaded, shared by read-only tests."""
    data_dir = tmp_path_factory.mktemp("demo")
    location = store_settings(request, store_kind, "demo")
    settings = Settings(data_dir=data_dir, admin_token="test-admin-token", **location)
    service = VicService.open(settings)
    yield service
    service.close()


@pytest.fixture(scope="session")
def client(demo_service: VicService) -> Iterator[TestClient]:
    """An HTTP client of the app over the demo store; read-only tests only."""
    app = create_app(demo_service.settings, service=demo_service)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def empty_client(empty_service: VicService) -> Iterator[TestClient]:
    app = create_app(empty_service.settings, service=empty_service)
    with TestClient(app) as test_client:
        yield test_client


def register_member(service: VicService, slug: str) -> None:
    """Describe the member ``slug`` in the members graph, as loading its registry row would."""
    import pyoxigraph as ox

    from vic_semantic.namespaces import ID, MEMBERS_GRAPH, VIC

    row = ox.Quad(
        ox.NamedNode(f"{ID}member/{slug}"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode(str(VIC.ClusterMember)),
        ox.NamedNode(str(MEMBERS_GRAPH)),
    )
    service.store.add_quads([row])
