"""Header synonyms of each file kind, and recognition of a file's kind from its header.

Members name their columns in Russian or English, with units after a comma
("Масса нетто, кг") and in any case or spacing. A header matches a field when its normalised
text, or its part before the first comma, equals one of the field's synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vic_semantic.catalogues.table import FileKind


@dataclass(frozen=True)
class Field:
    """A column the converter reads: its key and the header spellings that mean it."""

    key: str
    synonyms: tuple[str, ...]


PRODUCT_FIELDS = (
    Field("sku", ("код", "артикул", "код товара", "sku", "article", "code", "item code")),
    Field(
        "name",
        (
            "наименование",
            "наименование продукции",
            "наименование товара",
            "название",
            "продукция",
            "товар",
            "name",
            "product name",
            "productname",
            "title",
        ),
    ),
    Field(
        "gtin",
        ("штрихкод", "штрих-код", "штрих код", "gtin", "ean", "ean-13", "ean13", "barcode"),
    ),
    Field(
        "fat",
        (
            "массовая доля жира",
            "м.д.ж.",
            "мдж",
            "жирность",
            "fatpercent",
            "fat",
            "fat percent",
            "fatmassfraction",
        ),
    ),
    Field(
        "net",
        (
            "объем/масса нетто",
            "масса/объем нетто",
            "масса нетто",
            "объем нетто",
            "нетто",
            "вес нетто",
            "net",
            "net.value",
            "netcontent",
            "net content",
            "netweight",
        ),
    ),
    Field("net_unit", ("net.unit", "netunit", "net content unit")),
    Field(
        "standard",
        (
            "нормативный документ",
            "гост/ту",
            "гост",
            "нд",
            "тнпа",
            "стандарт",
            "standard",
            "normative document",
        ),
    ),
    Field("tnved", ("код тн вэд", "тн вэд", "тнвэд", "hscode", "hs code", "tnved")),
    Field(
        "shelf_life",
        ("срок годности", "срок хранения", "shelflifedays", "shelf life", "shelflife"),
    ),
    Field(
        "storage",
        ("температура хранения", "условия хранения", "storage", "storage temperature"),
    ),
    Field("storage_min", ("storage.mincelsius", "storage.min")),
    Field("storage_max", ("storage.maxcelsius", "storage.max")),
    Field("category", ("категория", "category", "meatcategory")),
    Field("okpd2", ("окпд2", "код окпд2", "okpd2")),
)

MEMBER_FIELDS = (
    Field("member", ("участник", "наименование участника", "организация", "member")),
    Field("kind", ("тип", "тип участника", "вид", "type")),
    Field("region", ("регион", "region")),
    Field("roles", ("роли в инновационном цикле", "роли", "roles")),
    Field("formats", ("форматы обмена", "форматы", "formats", "exchange formats")),
    Field("api", ("есть api", "api", "provides api")),
)

TREATMENT_FIELDS = (
    Field("group", ("группа животных", "группа", "animal group")),
    Field("date", ("дата обработки", "treatment date")),
    Field("preparation", ("препарат", "preparation")),
    Field("atcvet", ("код atcvet", "atcvet", "atcvet code")),
    Field("milk_withdrawal", ("срок ожидания (молоко)", "milk withdrawal days")),
    Field("meat_withdrawal", ("срок ожидания (мясо)", "meat withdrawal days")),
)

DELIVERY_FIELDS = (
    Field("date", ("дата поставки", "delivery date")),
    Field("group", ("группа животных", "группа", "animal group")),
    Field("volume", ("объем", "объем молока", "volume", "volume litres")),
    Field("recipient", ("получатель", "recipient")),
)

KIND_FIELDS: dict[FileKind, tuple[Field, ...]] = {
    FileKind.PRODUCTS: PRODUCT_FIELDS,
    FileKind.MEMBERS: MEMBER_FIELDS,
    FileKind.TREATMENTS: TREATMENT_FIELDS,
    FileKind.DELIVERIES: DELIVERY_FIELDS,
}

# Each inner tuple is a group of alternatives; a header must match one field of every group.
REQUIRED_FIELDS: dict[FileKind, tuple[tuple[str, ...], ...]] = {
    FileKind.PRODUCTS: (("name",), ("gtin", "standard", "net")),
    FileKind.MEMBERS: (("member",), ("kind", "region", "roles")),
    FileKind.TREATMENTS: (("group",), ("date",)),
    FileKind.DELIVERIES: (("date",), ("group",)),
}

KIND_TITLES: dict[FileKind, tuple[str, str]] = {
    FileKind.PRODUCTS: ("каталог продукции", "product catalogue"),
    FileKind.MEMBERS: ("реестр участников", "member registry"),
    FileKind.TREATMENTS: ("журнал ветеринарных обработок", "veterinary treatment log"),
    FileKind.DELIVERIES: ("журнал поставок молока", "milk delivery log"),
}

_SPACES = re.compile(r"\s+")


def normalise_header(header: object) -> str:
    """Return the header in lower case with ё as е and single spaces, for comparison."""
    text = "" if header is None else str(header)
    text = text.replace("\ufeff", "").replace("ё", "е").replace("Ё", "Е")
    return _SPACES.sub(" ", text).strip().rstrip(":").strip().casefold()


def header_unit(header: str) -> str | None:
    """Return the unit a header names after its first comma ("Масса нетто, кг" → "кг")."""
    _, comma, unit = header.partition(",")
    return unit.strip() or None if comma else None


def _matches(header: str, field: Field) -> bool:
    full = normalise_header(header)
    base = full.split(",", 1)[0].strip()
    return full in field.synonyms or base in field.synonyms


def match_columns(kind: FileKind, headers: Iterable[str]) -> dict[str, str]:
    """Return field key → header as the file spells it, for every header that matches a field.

    The first header matching a field wins, so a later duplicate is ignored.
    """
    columns: dict[str, str] = {}
    for header in headers:
        for field in KIND_FIELDS[kind]:
            if field.key not in columns and _matches(header, field):
                columns[field.key] = header
                break
    return columns


def _satisfies(kind: FileKind, columns: dict[str, str]) -> bool:
    return all(any(key in columns for key in group) for group in REQUIRED_FIELDS[kind])


def detect_kind(headers: Sequence[str]) -> FileKind | None:
    """Return the kind whose required headers are all present (most matches wins), or None."""
    best: tuple[int, FileKind] | None = None
    for kind in FileKind:
        columns = match_columns(kind, headers)
        if _satisfies(kind, columns) and (best is None or len(columns) > best[0]):
            best = (len(columns), kind)
    return best[1] if best else None


def expected_headers() -> tuple[str, str]:
    """Return, in Russian and English, the headers each file kind needs."""
    lines_ru = []
    lines_en = []
    for kind, groups in REQUIRED_FIELDS.items():
        fields = {field.key: field for field in KIND_FIELDS[kind]}
        needed = [" или ".join(f"«{fields[key].synonyms[0]}»" for key in g) for g in groups]
        needed_en = [" or ".join(f'"{fields[key].synonyms[0]}"' for key in g) for g in groups]
        title_ru, title_en = KIND_TITLES[kind]
        lines_ru.append(f"{title_ru}: {', '.join(needed)}")
        lines_en.append(f"{title_en}: {', '.join(needed_en)}")
    return "; ".join(lines_ru), "; ".join(lines_en)
