"""Numbers of a JSON file that Python cannot hold or that JSON does not allow.

``json.loads`` accepts the non-standard constants NaN, Infinity and -Infinity, turns a float
literal too large for a double into infinity, and raises a bare ValueError for an integer
longer than ``sys.get_int_max_str_digits()`` digits (4300 by default since CPython 3.11).
The hooks below turn all of these into one error that names the value's line and column.
"""

from __future__ import annotations

import math
import re
import sys

from vic_semantic.catalogues.errors import UnreadableFileError

SHOWN_CHARACTERS = 40


class BadNumberError(ValueError):
    """A number literal of the JSON text that is not a finite number Python can hold."""

    def __init__(self, literal: str, too_long: bool) -> None:
        super().__init__(literal)
        self.literal = literal
        self.too_long = too_long


def parse_bounded_int(literal: str) -> int:
    """Parse an integer literal, or raise BadNumberError when it has too many digits."""
    try:
        return int(literal)
    except ValueError as error:
        raise BadNumberError(literal, too_long=True) from error


def parse_finite_float(literal: str) -> float:
    """Parse a float literal, or raise BadNumberError when it overflows to infinity."""
    value = float(literal)
    if not math.isfinite(value):
        raise BadNumberError(literal, too_long=False)
    return value


def reject_constant(name: str) -> float:
    """Raise BadNumberError for NaN, Infinity and -Infinity, which JSON does not allow."""
    raise BadNumberError(name, too_long=False)


def _position(text: str, literal: str) -> tuple[int, int] | None:
    """Return the line and column (from 1) of ``literal`` outside string values, or None."""
    strings = r'"(?:[^"\\]|\\.)*"'
    for match in re.finditer(f"{strings}|{re.escape(literal)}", text):
        if not match.group().startswith('"'):
            start = match.start()
            return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
    return None


def bad_number_error(file_name: str, text: str, error: BadNumberError) -> UnreadableFileError:
    """Build the error for ``error``'s literal, naming its line and column in ``text``."""
    shown_ru = shown_en = error.literal
    if len(error.literal) > SHOWN_CHARACTERS:
        shown_ru = f"{error.literal[:SHOWN_CHARACTERS]}… ({len(error.literal)} знаков)"
        shown_en = f"{error.literal[:SHOWN_CHARACTERS]}… ({len(error.literal)} characters)"
    found = _position(text, error.literal)
    where_ru = f"в строке {found[0]}, позиции {found[1]} " if found else ""
    where_en = f"at line {found[0]}, column {found[1]} " if found else ""
    if error.too_long:
        limit = sys.get_int_max_str_digits()
        return UnreadableFileError(
            f"число {shown_ru} {where_ru}длиннее {limit} цифр. Запишите значение короче или "
            "строкой в кавычках.",
            f"the number {shown_en} {where_en}has more than {limit} digits. Write a shorter value "
            "or a string in quotes.",
            file=file_name,
        )
    return UnreadableFileError(
        f"значение {shown_ru} {where_ru}не является конечным числом. JSON допускает только "
        "конечные числа: укажите число или удалите поле.",
        f"the value {shown_en} {where_en}is not a finite number. JSON allows finite numbers only: "
        "write a number or delete the field.",
        file=file_name,
    )
