"""Service settings, read from the environment (prefix ``VIC_``) and overridable in code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where the store lives, what it loads, and the limits the API enforces."""

    model_config = SettingsConfigDict(env_prefix="VIC_", frozen=True)

    data_dir: Path = Field(
        default=REPO_ROOT / "var",
        description="Folder of the persistent embedded store; created on first run.",
    )
    in_memory: bool = Field(
        default=False, description="Keep the store in memory instead of under data_dir."
    )
    ontology_dir: Path = REPO_ROOT / "ontology"
    shapes_dir: Path = REPO_ROOT / "shapes"
    demo_dir: Path = REPO_ROOT / "demo"
    load_demo: bool = Field(
        default=True, description="Load the demo cluster into an empty store at start-up."
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest accepted request body, in bytes."
    )
    max_query_bytes: int = Field(
        default=1024 * 1024, description="Largest accepted SPARQL query or update, in bytes."
    )

    admin_token: str | None = Field(
        default=None,
        description="Bearer token of the administrator; SPARQL Update is disabled without it.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the service, used in the service description.",
    )

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings read from the environment once per process."""
    return Settings()
