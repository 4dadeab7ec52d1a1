"""The live search index: searches never wait for a rebuild once an index exists.

A rebuild is held in progress with threading events, so each test is sure that it is still
running when a search reads the index, without relying on timing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vic_semantic.config import Settings
from vic_semantic.search import Kind, LiveIndex, SearchIndex, store_version
from vic_semantic.service import VicService
from vic_semantic.store.embedded import EmbeddedStore

VIC = "https://w3id.org/vic-semantic/ontology/"
ID = "https://w3id.org/vic-semantic/id/"
# Failsafes only: a correct run never waits this long.
WAIT_SECONDS = 60.0
READERS = 8


class HeldBuild:
    """Builds real indexes, and holds every build after the first, complete, until released."""

    def __init__(self) -> None:
        self.builds = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, store: EmbeddedStore) -> SearchIndex:
        index = SearchIndex.from_store(store)
        with self._lock:
            self.builds += 1
            first = self.builds == 1
        if not first:
            self.held.set()
            if not self.release.wait(WAIT_SECONDS):
                raise TimeoutError("the test never released the held rebuild")
        return index


@pytest.fixture
def service(tmp_path: Path) -> Iterator[VicService]:
    service = VicService.open(Settings(data_dir=tmp_path, in_memory=True))
    yield service
    service.close()


def embedded(service: VicService) -> EmbeddedStore:
    store = service.store
    assert isinstance(store, EmbeddedStore)
    return store


def add_product(service: VicService, number: int, name: str) -> str:
    iri = f"{ID}product/test/{number}"
    service.store.update(
        f"INSERT DATA {{ GRAPH <{ID}graph-test> {{ <{iri}> a <{VIC}Tvorog> ; "
        f'<{VIC}productName> "{name}"@ru }} }}'
    )
    return iri


def found(index: SearchIndex, name: str) -> list[str]:
    return [hit.iri for hit in index.search(name, kinds=[Kind.PRODUCT])]


def test_search_after_write_gets_old_index(service: VicService) -> None:
    build = HeldBuild()
    live = LiveIndex(embedded(service), build=build)
    before = live.current()
    product = add_product(service, 1, "Творожок «Тестовый»")

    during = live.current()

    assert build.held.wait(WAIT_SECONDS)
    assert live.rebuilding
    assert during is before
    assert product not in found(during, "Творожок «Тестовый»")

    build.release.set()
    after = live.wait_current(timeout=WAIT_SECONDS)

    assert after is not before
    assert after.version == store_version(embedded(service))
    assert found(after, "Творожок «Тестовый»")[0] == product
    assert build.builds == 2


def test_concurrent_searches_during_rebuild(service: VicService) -> None:
    build = HeldBuild()
    live = LiveIndex(embedded(service), build=build)
    before = live.current()
    add_product(service, 1, "Творожок «Тестовый»")
    live.current()
    assert build.held.wait(WAIT_SECONDS)

    # Every reader passes the barrier only after current() returned; a reader blocked on
    # the held rebuild breaks the barrier when its timeout runs out.
    barrier = threading.Barrier(READERS + 1, timeout=WAIT_SECONDS)
    seen: list[SearchIndex | None] = [None] * READERS

    def read(number: int) -> None:
        seen[number] = live.current()
        barrier.wait()

    threads = [threading.Thread(target=read, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    barrier.wait()

    assert all(index is before for index in seen)
    assert live.rebuilding
    assert not build.release.is_set()
    assert build.builds == 2

    build.release.set()
    for thread in threads:
        thread.join()
    live.wait_current(timeout=WAIT_SECONDS)

    assert build.builds == 2


def test_writes_during_rebuild_coalesce(service: VicService) -> None:
    build = HeldBuild()
    live = LiveIndex(embedded(service), build=build)
    before = live.current()
    add_product(service, 1, "Творожок «Первый»")
    live.current()
    assert build.held.wait(WAIT_SECONDS)

    second = add_product(service, 2, "Творожок «Второй»")
    third = add_product(service, 3, "Творожок «Третий»")
    during = [live.current() for _ in range(READERS)]

    assert all(index is before for index in during)

    build.release.set()
    after = live.wait_current(timeout=WAIT_SECONDS)

    assert found(after, "Творожок «Второй»")[0] == second
    assert found(after, "Творожок «Третий»")[0] == third
    # The first build, the held rebuild, and one more for both writes made meanwhile.
    assert build.builds == 3


def test_first_search_waits_for_one_build(service: VicService) -> None:
    build = HeldBuild()
    live = LiveIndex(embedded(service), build=build)
    barrier = threading.Barrier(READERS)
    seen: list[SearchIndex | None] = [None] * READERS

    def read(number: int) -> None:
        barrier.wait()
        seen[number] = live.current()

    threads = [threading.Thread(target=read, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    first = seen[0]
    assert first is not None
    assert all(index is first for index in seen)
    assert first.version == store_version(embedded(service))
    assert first.documents
    assert build.builds == 1


def test_first_build_error_raised(service: VicService) -> None:
    def failing_build(store: EmbeddedStore) -> SearchIndex:
        raise RuntimeError("index build failed on purpose")

    live = LiveIndex(embedded(service), build=failing_build)

    with pytest.raises(RuntimeError, match="on purpose"):
        live.current()
    assert not live.rebuilding


def test_invalidate_serves_old_until_rebuilt(service: VicService) -> None:
    build = HeldBuild()
    live = LiveIndex(embedded(service), build=build)
    before = live.current()

    live.invalidate()
    during = live.current()

    assert build.held.wait(WAIT_SECONDS)
    assert during is before

    build.release.set()
    after = live.wait_current(timeout=WAIT_SECONDS)

    assert after is not before
    assert build.builds == 2


def test_failed_rebuild_keeps_old_index(service: VicService) -> None:
    builds: list[int] = []

    def fail_second_build(store: EmbeddedStore) -> SearchIndex:
        builds.append(len(builds) + 1)
        if len(builds) == 2:
            raise RuntimeError("second build failed on purpose")
        return SearchIndex.from_store(store)

    live = LiveIndex(embedded(service), build=fail_second_build)
    before = live.current()
    product = add_product(service, 1, "Творожок «Тестовый»")

    with pytest.raises(RuntimeError, match="on purpose"):
        live.wait_current(timeout=WAIT_SECONDS)
    during = live.current()
    after = live.wait_current(timeout=WAIT_SECONDS)

    assert during is before
    assert found(after, "Творожок «Тестовый»")[0] == product
    assert builds == [1, 2, 3]
