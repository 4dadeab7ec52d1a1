from __future__ import annotations

import pytest

from api.negotiation import choose_language, choose_media_type

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+xml, text/csv;q=0.5", "application/sparql-results+xml"),
        ("text/csv;q=0.9, application/*;q=0.1", "text/csv"),
        ("text/*;q=0, */*;q=0.1", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("image/png", None),
        ("text/csv;q=0", None),
        ("garbage", "application/sparql-results+json"),
    ],
)
def test_choose_media_type(accept: str | None, expected: str | None) -> None:
    chosen = choose_media_type(accept, OFFERS)
    if accept == "garbage":
        # A header with no valid range accepts nothing we offer.
        assert chosen is None
    else:
        assert chosen == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "ru"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("de, en;q=0.5", "en"),
        ("de", "ru"),
        ("en;q=0, ru", "ru"),
        ("*", "ru"),
    ],
)
def test_choose_language(header: str | None, expected: str) -> None:
    assert choose_language(header) == expected
