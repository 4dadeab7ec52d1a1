"""Service settings, read from the environment (prefix ``VIC_``) and overridable in code."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from vic_semantic.catalogues.limits import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_ROWS, ReadLimits

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
    max_catalogue_rows: int = Field(
        default=DEFAULT_MAX_ROWS,
        gt=0,
        description="Most data rows one member file (CSV, XLSX, JSON) may have; a file with "
        "more is rejected with 400 and asked to be split.",
    )
    max_catalogue_columns: int = Field(
        default=DEFAULT_MAX_COLUMNS,
        gt=0,
        description="Most columns one member file may have; a value further right (an XLSX "
        "cell, a CSV field, a JSON key) is rejected with 400 naming its place.",
    )
    max_query_bytes: int = Field(
        default=1024 * 1024, description="Largest accepted SPARQL query or update, in bytes."
    )

    query_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest a SPARQL query of the API may run, in seconds; then it is stopped.",
    )
    max_result_rows: int = Field(
        default=100_000,
        gt=0,
        description="Most solutions (or triples) one SPARQL query of the API may return.",
    )
    query_workers: int = Field(
        default=4,
        gt=0,
        description="Worker processes that run the embedded store's API queries at once.",
    )
    queries_per_client: int | None = Field(
        default=None,
        gt=0,
        description="Maximum number of API queries (SPARQL queries and named queries) one "
        "client may have running at once. A query past it gets 429. A client is the member or "
        "the token behind a request, else its remote address. Unset: half of query_workers, "
        "rounded up. With query_workers or more, one client may again occupy every worker.",
    )

    store_url: str | None = Field(
        default=None,
        description="SPARQL query endpoint of a remote store; unset keeps the embedded store.",
    )
    store_update_url: str | None = Field(
        default=None,
        description="SPARQL update endpoint of the remote store (default: store_url).",
    )
    store_gsp_url: str | None = Field(
        default=None,
        description="Graph Store Protocol endpoint of the remote store; needed with store_url.",
    )
    store_user: str | None = Field(
        default=None, description="User name for HTTP basic authentication at the remote store."
    )
    store_password: SecretStr | None = Field(
        default=None, description="Password for HTTP basic authentication at the remote store."
    )
    store_token: SecretStr | None = Field(
        default=None, description="Bearer token for the remote store (instead of basic auth)."
    )
    store_union_parameter: str | None = Field(
        default="union-default-graph",
        description="Request parameter that makes the remote store's default graph the union "
        "of all graphs (Oxigraph server's); empty for a server that does so by itself.",
    )
    store_write_timeout_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Longest a write to the remote store may take, in seconds.",
    )

    admin_token: str | None = Field(
        default=None,
        description="Bearer token of the administrator, besides those in tokens.json.",
    )
    allow_anonymous_read: bool = Field(
        default=True,
        description="Let requests without a token read; with False they are rejected with 401.",
    )
    max_member_update_bytes: int = Field(
        default=16 * 1024,
        description="Largest SPARQL update, in bytes, from anyone but the administrator. "
        "Its written graphs are found with rdflib's parser, whose time grows with the square "
        "of the triples in one template; bulk data goes through the Graph Store.",
    )
    log_format: str = Field(
        default="text",
        pattern="^(text|json)$",
        description="Log line format of `vic-semantic serve`: text, or json (one JSON object "
        "per line, for log collectors).",
    )
    sync_writes: bool = Field(
        default=True,
        description="Flush the embedded store to disk (fsync) after every write of a client, "
        "before it is acknowledged, so it survives a power loss and not only a process crash.",
    )
    shutdown_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest `vic-semantic serve` waits for requests in progress after "
        "SIGTERM, in seconds; then it stops them and closes the store.",
    )
    validation_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        description="Longest one SHACL validation of the API may run, in seconds; then the "
        "request fails with 503.",
    )
    validation_slots: int = Field(
        default=2,
        gt=0,
        description="Most validations (member files, validated writes) the API runs at "
        "once; one more waits up to 30 s for a slot, then gets 503. A validation that "
        "passed its time limit keeps its slot until its thread ends.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the service, used in the service description.",
    )

    @property
    def client_query_limit(self) -> int:
        """Return the maximum number of API queries one client may run at once."""
        if self.queries_per_client is not None:
            return self.queries_per_client
        return max(1, math.ceil(self.query_workers / 2))

    @property
    def read_limits(self) -> ReadLimits:
        """Return the limits on the size of a member file's table."""
        return ReadLimits(self.max_catalogue_rows, self.max_catalogue_columns)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings read from the environment once per process."""
    return Settings()
