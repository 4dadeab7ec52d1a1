"""Bounds on the API's validations: how many run at once, and no write after the deadline."""

from __future__ import annotations

import threading

import pytest
from conftest import ServiceFactory, register_member
from fastapi.testclient import TestClient

from api import validation_http
from api.main import create_app
from vic_semantic.catalogues.errors import TableLayoutError
from vic_semantic.catalogues.limits import DEFAULT_MAX_ROWS
from vic_semantic.catalogues.readers import read_table
from vic_semantic.submissions.pipeline import submit_catalogue
from vic_semantic.submissions.versions import latest_version
from vic_semantic.validation.fast.evaluator import ValidationTimeoutError

MEMBER = "molochnyj-zavod-1"
CSV = "Артикул,Наименование,Штрихкод\nA-1,Товар без класса,\n".encode()


def _validate(client: TestClient, lang: str = "ru"):  # type: ignore[no-untyped-def]
    return client.post(
        "/catalogues/validate",
        files=[("file", ("catalogue.csv", CSV, "text/csv"))],
        headers={"Accept-Language": lang},
    )


def test_validation_over_the_slots_waits_then_gets_503(
    service_factory: ServiceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validation_http, "_SLOT_WAIT_SECONDS", 0.3)
    service = service_factory(load_demo=False, validation_slots=1)
    with TestClient(create_app(service.settings, service=service)) as client:
        # A validation whose thread still runs keeps its slot.
        assert service.validation_slots.acquire(blocking=False)
        try:
            busy = _validate(client, "en")
        finally:
            service.validation_slots.release()
        first, second = _validate(client), _validate(client)

    assert busy.status_code == 503
    assert busy.json()["error"] == "validation_busy"
    assert busy.headers["Retry-After"] == "60"
    assert "VIC_VALIDATION_SLOTS" in busy.json()["message"]
    assert "0.3" in busy.json()["message"]
    # Each finished validation gave its slot back.
    assert (first.status_code, second.status_code) == (200, 200)


def test_submission_not_stored_after_its_deadline(service_factory: ServiceFactory) -> None:
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)

    # Less than the safety margin before the deadline is left once the file is validated.
    with pytest.raises(ValidationTimeoutError):
        submit_catalogue(service.store, [("catalogue.csv", CSV)], MEMBER, timeout_seconds=4.0)

    assert latest_version(service.store, MEMBER) == 0


def test_submission_with_time_left_is_stored(service_factory: ServiceFactory) -> None:
    service = service_factory(load_demo=False)
    register_member(service, MEMBER)

    submission = submit_catalogue(
        service.store, [("catalogue.csv", CSV)], MEMBER, timeout_seconds=60.0
    )

    assert submission.stored
    assert latest_version(service.store, MEMBER) == 1


def test_default_row_limit() -> None:
    rows = "".join(f"A-{n},Товар {n},\n" for n in range(DEFAULT_MAX_ROWS + 1))
    data = ("Артикул,Наименование,Штрихкод\n" + rows).encode()

    with pytest.raises(TableLayoutError) as caught:
        read_table("big.csv", data)

    assert DEFAULT_MAX_ROWS == 20_000
    assert "20000" in caught.value.message_en.replace(",", "").replace(" ", "")


def test_validation_waits_for_a_slot_freed_meanwhile(service_factory: ServiceFactory) -> None:
    service = service_factory(load_demo=False, validation_slots=1)
    assert service.validation_slots.acquire(blocking=False)
    timer = threading.Timer(0.5, service.validation_slots.release)
    timer.start()
    try:
        with TestClient(create_app(service.settings, service=service)) as client:
            response = _validate(client)
    finally:
        timer.join()

    assert response.status_code == 200, response.text
