"""The SPARQL 1.1 Protocol update dataset: ``using-graph-uri`` and ``using-named-graph-uri``.

pyoxigraph's ``Store.update`` takes no dataset arguments, so the protocol parameters are
written into the update itself: each DELETE/INSERT ... WHERE operation gets the matching
``USING <g>`` and ``USING NAMED <g>`` clauses right before its WHERE, which is what
SPARQL 1.1 Update section 3.1.3 defines the parameters to mean. An update that already
names its dataset with USING or WITH conflicts with the parameters and is rejected, as the
protocol (section 2.2.3) requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vic_semantic.sparql.lexer import Token, scan
from vic_semantic.sparql.protocol import ProtocolError


@dataclass(frozen=True)
class Insertion:
    """Text added to the update at ``offset``, a character offset in the original text."""

    offset: int
    text: str


@dataclass(frozen=True)
class RewrittenUpdate:
    """An update with the protocol dataset written in, and where the additions went."""

    original: str
    text: str
    insertions: tuple[Insertion, ...] = field(default=())

    def original_position(self, line: int, column: int) -> tuple[int, int]:
        """Map a 1-based line and column in ``text`` back to the same place in ``original``.

        A position inside added text maps to the place the text was added at.
        """
        offset = _offset(self.text, line, column)
        shift = 0
        for insertion in self.insertions:
            start = insertion.offset + shift
            if offset < start:
                break
            if offset < start + len(insertion.text):
                return _line_column(self.original, insertion.offset)
            shift += len(insertion.text)
        return _line_column(self.original, offset - shift)


def add_update_dataset(
    update: str, using: Sequence[str], using_named: Sequence[str]
) -> RewrittenUpdate:
    """Return ``update`` with USING clauses for the protocol's dataset graphs.

    Raises ProtocolError (``dataset_conflict``) when the update has its own USING or WITH.
    The graph IRIs must already be valid absolute IRIs.
    """
    if not using and not using_named:
        return RewrittenUpdate(update, update)

    tokens = [token for token in scan(update) if not token.is_comment]
    _reject_own_dataset(tokens)
    clauses = " ".join(
        [f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named]
    )

    insertions = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and token.is_word and token.text.upper() == "WHERE":
            insertions.append(_insertion_before_where(update, tokens, index, clauses))

    text = update
    for insertion in reversed(insertions):
        text = text[: insertion.offset] + insertion.text + text[insertion.offset :]
    return RewrittenUpdate(update, text, tuple(insertions))


def _reject_own_dataset(tokens: list[Token]) -> None:
    # USING and WITH occur nowhere in the update grammar but in DELETE/INSERT operations.
    for token in tokens:
        word = token.text.upper()
        if token.is_word and word in {"USING", "WITH"}:
            raise ProtocolError(
                "dataset_conflict",
                f"Обновление задаёт набор данных словом {word}, а запрос также передаёт "
                "using-graph-uri или using-named-graph-uri. Оставьте что-то одно.",
                f"The update names its dataset with {word} and the request also sends "
                "using-graph-uri or using-named-graph-uri. Keep only one of them.",
            )


def _insertion_before_where(
    update: str, tokens: list[Token], index: int, clauses: str
) -> Insertion:
    where = tokens[index]
    previous = tokens[index - 1] if index > 0 else None
    if previous is None or not (previous.is_word and previous.text.upper() == "DELETE"):
        return Insertion(where.start, f"{clauses} ")

    # DELETE WHERE { pattern } takes no USING clause, so it is spelled out as the
    # equivalent DELETE { pattern } USING ... WHERE { pattern }.
    pattern = _group_text(update, tokens, index + 1)
    return Insertion(where.start, f"{pattern} {clauses} ")


def _group_text(update: str, tokens: list[Token], index: int) -> str:
    """Return the text of the brace group that opens at ``tokens[index]``, braces included."""
    if index >= len(tokens) or tokens[index].text != "{":
        return ""  # not valid SPARQL: the engine reports the syntax error
    depth = 0
    for token in tokens[index:]:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth == 0:
                return update[tokens[index].start : token.start + 1]
    return update[tokens[index].start :]


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    before = sum(len(part) + 1 for part in lines[: max(line - 1, 0)])
    return min(before + max(column - 1, 0), len(text))


def _line_column(text: str, offset: int) -> tuple[int, int]:
    head = text[:offset]
    line = head.count("\n") + 1
    return line, offset - (head.rfind("\n") + 1) + 1
