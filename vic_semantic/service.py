"""The running service's state: settings and the open store, shared by the API and the CLI."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from vic_semantic.access import TokenRegistry
from vic_semantic.config import Settings
from vic_semantic.search.hooks import CustomFunction, install_functions
from vic_semantic.store.base import Store
from vic_semantic.store.embedded import EmbeddedStore
from vic_semantic.store.factory import open_store
from vic_semantic.write_audit import AUDIT_FILE, AuditLog, install_write_audit

logger = logging.getLogger(__name__)


@dataclass
class VicService:
    settings: Settings
    store: Store
    # SPARQL extension functions that every query of ``store`` can call, by function IRI.
    custom_functions: dict[ox.NamedNode, CustomFunction] = field(default_factory=dict)
    # Validations running now (member files, validated writes), at most
    # ``settings.validation_slots``; a validation's thread keeps its slot until it ends.
    validation_slots: threading.BoundedSemaphore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.validation_slots = threading.BoundedSemaphore(self.settings.validation_slots)

    @classmethod
    def open(cls, settings: Settings) -> VicService:
        """Open the store the settings name and, when they ask for it, load the demo."""
        from vic_semantic.demo import ensure_demo_loaded
        from vic_semantic.search.functions import search_functions

        functions = search_functions()
        store = open_store(settings, functions)
        # Python extension functions run only in the embedded store's engine, so a service
        # on a remote store offers none.
        embedded = isinstance(store, EmbeddedStore)
        service = cls(
            settings=settings, store=store, custom_functions=functions if embedded else {}
        )
        if isinstance(store, EmbeddedStore):
            install_functions(store, service.custom_functions)
        if settings.load_demo:
            ensure_demo_loaded(service)
        # Installed after the demo build, so the audit log records the writes of clients and
        # of the CLI's load command, not the demo graphs rebuilt at start-up.
        # The audit file lives in the local data folder for either store kind: a remote
        # server receives the writes but not the principal behind them.
        audit = AuditLog(None if settings.in_memory else settings.data_dir / AUDIT_FILE)
        on_disk = isinstance(store, EmbeddedStore) and not settings.in_memory
        install_write_audit(store, audit, sync=settings.sync_writes and on_disk)
        return service

    @property
    def tokens(self) -> TokenRegistry:
        """Return the bearer tokens of this data folder, with the environment's admin token."""
        return TokenRegistry(self.settings.data_dir / "tokens.json", self.settings.admin_token)

    def close(self) -> None:
        self.store.close()
