"""Fixtures shared by the test modules: settings, stores, the app and the shared folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from vic_semantic.config import REPO_ROOT, Settings
from vic_semantic.service import VicService


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


@pytest.fixture
def empty_service(tmp_path: Path) -> Iterator[VicService]:
    """A service on a fresh on-disk store with nothing loaded."""
    service = VicService.open(Settings(data_dir=tmp_path, load_demo=False))
    yield service
    service.close()


@pytest.fixture(scope="session")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VicService]:
    """A service with the demo cluster loaded, shared by read-only tests."""
    data_dir = tmp_path_factory.mktemp("demo")
    service = VicService.open(Settings(data_dir=data_dir, admin_token="test-admin-token"))
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
