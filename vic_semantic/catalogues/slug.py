"""Deterministic ASCII slugs for IRIs, transliterating Russian and Belarusian letters.

«Молочный завод №1» → ``molochnyj-zavod-1``; «ГОСТ 31450-2013» → ``gost-31450-2013``.
A dot stays only between two letters or digits ("400000001.012"), as in classifier codes.
"""

from __future__ import annotations

import re

from vic_semantic.errors import InputError

TRANSLITERATION = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ў": "u",
}


def slugify(text: str) -> str:
    """Return a lower-case slug of ``text``: letters transliterated, other runs as "-"."""
    latin = "".join(TRANSLITERATION.get(char, char) for char in text.casefold())
    slug = re.sub(r"[^a-z0-9.]+", "-", latin)
    slug = re.sub(r"(?<![a-z0-9])\.|\.(?![a-z0-9])", "-", slug)
    return re.sub(r"-{2,}", "-", slug).strip("-")


def require_member_slug(text: str) -> str:
    """Return ``text`` if it is a member slug, which graph and version IRIs are built from.

    Raises ``InputError`` otherwise: the text goes into SPARQL as part of an IRI, so a space,
    an angle bracket or a stray ``%`` must stop here rather than reach the query engine.
    """
    if text and text == slugify(text):
        return text
    raise InputError(
        f"«{text}» не является идентификатором участника: допустимы строчные латинские буквы, "
        "цифры, точки и дефисы, например molochnyj-zavod-1.",
        f"'{text}' is not a member slug: use lower-case Latin letters, digits, dots and "
        "hyphens, for example molochnyj-zavod-1.",
    )
