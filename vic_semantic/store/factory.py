"""Opening the store the settings name: a remote SPARQL server, or the embedded store."""

from __future__ import annotations

from vic_semantic.config import Settings
from vic_semantic.errors import StoreError
from vic_semantic.store.base import CustomFunctions, QueryLimits, Store
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.remote import RemoteEndpoints, RemoteStore


def open_store(settings: Settings, custom_functions: CustomFunctions | None = None) -> Store:
    """Open the remote store when ``settings.store_url`` is set, else the embedded one.

    ``custom_functions`` are SPARQL extension functions for the embedded store's queries; a
    remote server cannot run Python functions, so there a query that calls one is rejected.
    """
    limits = QueryLimits(
        timeout_seconds=settings.query_timeout_seconds, max_rows=settings.max_result_rows
    )
    if settings.store_url:
        return RemoteStore(
            remote_endpoints(settings),
            limits,
            settings.store_write_timeout_seconds,
            embedded_only_functions=[iri.value for iri in custom_functions or {}],
        )
    path = None if settings.in_memory else settings.store_path
    return EmbeddedStore(
        path, limits=limits, workers=settings.query_workers, custom_functions=custom_functions
    )


def remote_endpoints(settings: Settings) -> RemoteEndpoints:
    """Return the remote store's URLs and credentials from ``settings``."""
    if not settings.store_url or not settings.store_gsp_url:
        raise StoreError(
            "Для удалённого хранилища задайте и store_url (запросы SPARQL), и store_gsp_url "
            "(Graph Store Protocol); store_update_url по умолчанию равен store_url. Для "
            "Oxigraph server это …/query, …/store и …/update.",
            "A remote store needs both store_url (SPARQL queries) and store_gsp_url (Graph "
            "Store Protocol); store_update_url defaults to store_url. For Oxigraph server "
            "these are …/query, …/store and …/update.",
        )
    password = settings.store_password
    token = settings.store_token
    return RemoteEndpoints(
        query_url=settings.store_url,
        update_url=settings.store_update_url or settings.store_url,
        gsp_url=settings.store_gsp_url,
        user=settings.store_user,
        password=password.get_secret_value() if password else None,
        token=token.get_secret_value() if token else None,
        union_parameter=settings.store_union_parameter or None,
    )
