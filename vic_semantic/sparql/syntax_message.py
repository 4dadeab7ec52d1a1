"""Oxigraph's SPARQL syntax errors in plain words: the place, what was expected, the fix.

pyoxigraph 0.5 and the Oxigraph server report "error at L:C: expected one of <tokens>". The
list comes from the parser generator (rust-peg) and names grammar tokens: quoted characters
("?", "<"), keywords (OPTIONAL), character classes (['0'..='9']), [_] for any character, and
the grammar's own sentences ("Variables are not allowed in INSERT DATA"). It runs to dozens
of entries, and a person learns little from it. This module turns the list into a few words
(a variable, an IRI or a literal) and shows the text at the error with a marker.

The column counts characters from 1 on the line; the marker goes before that character.
Where the engine expected only keywords, its column is past the mistake, so the marker is
moved back (``likely_position``). The error's line and column stay the engine's.
NOTE: the engine reports the furthest place any alternative reached, which is sometimes
after the real mistake (an extra "}" is reported at the end of the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vic_semantic.errors import QuerySyntaxError

MARKER = "▶"
# Characters of the line shown before and after the marker.
CONTEXT_BEFORE = 24
CONTEXT_AFTER = 12
# At most this many alternatives are named; a handful is what a person reads.
MAX_ITEMS = 5
MAX_KEYWORDS = 3

_EXPECTED = re.compile(r"^expected (?:one of )?(.*)$", re.DOTALL)
_KEYWORD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Words:
    """One alternative in plain words, in Russian and English."""

    ru: str
    en: str


VARIABLE = Words("переменная (?x)", "a variable (?x)")
IRI = Words("IRI в угловых скобках (<http://…>)", "an IRI in angle brackets (<http://…>)")
PREFIXED_NAME = Words("имя с префиксом (vic:Product)", "a prefixed name (vic:Product)")
LITERAL = Words("литерал (строка в кавычках или число)", "a literal (a quoted string or a number)")
NUMBER = Words("число", "a number")
BLANK_NODE = Words("пустой узел (_:b или [ ])", "a blank node (_:b or [ ])")
STRING_END = Words("закрывающая кавычка строки", "the closing quote of the string")
_KIND_ORDER = (VARIABLE, IRI, PREFIXED_NAME, LITERAL, NUMBER, BLANK_NODE)

# Tokens that map to one of the kinds above, and tokens that only confuse a reader: property
# path operators, SPARQL 1.2 triple terms, the rest of a name being typed, and any character.
_TOKEN_WORDS: dict[str, Words] = {
    "?": VARIABLE,
    "$": VARIABLE,
    "<": IRI,
    ":": PREFIXED_NAME,
    "'": LITERAL,
    '"': LITERAL,
    "'''": LITERAL,
    '"""': LITERAL,
    "true": LITERAL,
    "false": LITERAL,
    "+": NUMBER,
    "-": NUMBER,
    "_:": BLANK_NODE,
    "[": BLANK_NODE,
}
_DROPPED_TOKENS = {"<<", "<<(", "{|", "|}", "~", "!", "^", "a", "|", "/"}
_STRING_ESCAPES = {"\\", "\\u", "\\U"}
_QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")

# SPARQL built-in functions and aggregates, for lists of them ("ABS, AVG, DAY, …").
_FUNCTIONS = {
    "ABS", "AVG", "BNODE", "BOUND", "CEIL", "COALESCE", "CONCAT", "CONTAINS", "COUNT",
    "DATATYPE", "DAY", "ENCODE_FOR_URI", "EXISTS", "FLOOR", "GROUP_CONCAT", "HOURS", "IF",
    "IRI", "LANG", "LANGMATCHES", "LCASE", "MAX", "MD5", "MIN", "MINUTES", "MONTH", "NOT",
    "NOW", "RAND", "REGEX", "REPLACE", "ROUND", "SAMPLE", "SECONDS", "SHA1", "SHA256",
    "SHA384", "SHA512", "STR", "STRAFTER", "STRBEFORE", "STRDT", "STRENDS", "STRLANG",
    "STRLEN", "STRSTARTS", "STRUUID", "SUBSTR", "SUM", "TIMEZONE", "TZ", "UCASE", "URI",
    "UUID", "YEAR", "isBLANK", "isIRI", "isLITERAL", "isNUMERIC", "isURI", "sameTerm",
    "PREDICATE", "OBJECT", "SUBJECT", "TRIPLE", "isTRIPLE", "LANGDIR", "hasLANG",
    "hasLANGDIR", "STRLANGDIR",
}  # fmt: skip

# The grammar's own sentences (Oxigraph's SPARQL parser), in Russian and English.
_SENTENCES: dict[str, Words] = {
    "Prefix not found": Words(
        "префикс не объявлен: добавьте в начало PREFIX с IRI пространства имён",
        "the prefix is not declared: add a PREFIX line with the namespace IRI at the start",
    ),
    "Variables are not allowed in INSERT DATA": Words(
        "в INSERT DATA переменные недопустимы: запишите IRI и литералы или используйте "
        "INSERT { … } WHERE { … }",
        "variables are not allowed in INSERT DATA: write IRIs and literals, or use "
        "INSERT { … } WHERE { … }",
    ),
    "Variables and blank nodes are not allowed in DELETE DATA": Words(
        "в DELETE DATA недопустимы переменные и пустые узлы: запишите IRI и литералы или "
        "используйте DELETE WHERE { … }",
        "variables and blank nodes are not allowed in DELETE DATA: write IRIs and literals, "
        "or use DELETE WHERE { … }",
    ),
    "Blank nodes are not allowed in DELETE WHERE": Words(
        "в DELETE WHERE пустые узлы недопустимы: замените их переменными",
        "blank nodes are not allowed in DELETE WHERE: replace them with variables",
    ),
    "IRI parsing failed": Words(
        "IRI записан неверно, например содержит пробел или недопустимый символ",
        "the IRI is invalid, for example it contains a space or a character not allowed there",
    ),
    "The SELECT contains a variable that is unbound": Words(
        "SELECT выводит переменную, которой нет в GROUP BY и которая не внутри агрегатной "
        "функции (COUNT, SAMPLE, …)",
        "the SELECT returns a variable that is neither in GROUP BY nor inside an aggregate "
        "(COUNT, SAMPLE, …)",
    ),
    "BIND is overriding an existing variable": Words(
        "BIND задаёт переменную, которая уже связана раньше в шаблоне: выберите другое имя",
        "BIND sets a variable that is already bound earlier in the pattern: choose another name",
    ),
}


def expected_tokens(detail: str) -> list[str] | None:
    """Return the tokens of an "expected …" message, or None for any other message."""
    match = _EXPECTED.match(detail.strip())
    if match is None:
        return None
    return _split_tokens(match.group(1))


def _quoted_end(text: str, start: int, quote: str) -> int:
    """Return the index after the quote that closes the one at ``start``; "\\" escapes."""
    position = start + 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == quote:
            return position + 1
        position += 1
    return len(text)


def _bracket_end(text: str, start: int) -> int:
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "'":
            position = _quoted_end(text, position, "'")
            continue
        if char == "]":
            return position + 1
        position += 1
    return len(text)


def _split_tokens(text: str) -> list[str]:
    tokens = []
    position = 0
    while position < len(text):
        char = text[position]
        if char in ", \n\t":
            position += 1
            continue
        if char == '"':
            end = _quoted_end(text, position, '"')
        elif char == "[":
            end = _bracket_end(text, position)
        else:
            comma = text.find(", ", position)
            end = len(text) if comma < 0 else comma
        tokens.append(text[position:end].strip())
        position = end
    return tokens


def _unquote(token: str) -> str:
    # The engine writes tokens as Rust string literals: "\"" is a quote, "\\" a backslash.
    inner = token[1:-1]
    return re.sub(r"\\(.)", r"\1", inner)


def _class_words(token: str) -> Words | None:
    """Return the kind of a character class token, or None for one that only confuses."""
    if "\\u{00B7}" in token or token == "['_']":
        return None  # the rest of a name being typed
    if token.startswith(("['A'", "['a'")):
        return PREFIXED_NAME
    if token.replace(" ", "") == "['0'..='9']":
        return NUMBER
    return None


@dataclass
class _Expectation:
    """The engine's tokens sorted into kinds, punctuation, keywords and sentences."""

    kinds: list[Words]
    punctuation: list[str]
    keywords: list[str]
    sentences: list[str]
    string_open: bool = False


def _sort(tokens: list[str]) -> _Expectation:
    found = _Expectation([], [], [], [])
    for token in tokens:
        if token.startswith('"') and token.endswith('"') and len(token) >= 2:
            _sort_quoted(found, _unquote(token))
        elif token.startswith("["):
            words = _class_words(token)
            if words is not None and words not in found.kinds:
                found.kinds.append(words)
        elif _KEYWORD.match(token):
            found.keywords.append(token)
        elif token:
            found.sentences.append(token)
    return found


def _sort_quoted(found: _Expectation, token: str) -> None:
    if token in _STRING_ESCAPES:
        found.string_open = True
    elif token in _TOKEN_WORDS:
        if _TOKEN_WORDS[token] not in found.kinds:
            found.kinds.append(_TOKEN_WORDS[token])
    elif token not in _DROPPED_TOKENS:
        found.punctuation.append(token)


def _join(items: list[str], conjunction: str) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _keyword_words(keywords: list[str]) -> list[Words]:
    if len(keywords) == 1 and keywords[0] in _QUERY_FORMS:
        # The engine names one form after failing at the first word; all four are meant.
        forms = ", ".join(_QUERY_FORMS)
        return [Words(f"начало запроса ({forms})", f"the start of a query ({forms})")]
    if keywords == ["VERSION"]:
        # A SPARQL 1.2 prologue keyword, which the engine names after a misspelt first word.
        return [
            Words(
                "начало запроса или обновления (SELECT, INSERT, DELETE, …)",
                "the start of a query or an update (SELECT, INSERT, DELETE, …)",
            )
        ]

    words = []
    functions = [k for k in keywords if k in _FUNCTIONS]
    if len(functions) >= 2:
        # A list of functions means an expression was expected there.
        examples = ", ".join(functions[:2])
        words.append(
            Words(
                f"выражение (переменная, значение или функция вроде {examples})",
                f"an expression (a variable, a value or a function such as {examples})",
            )
        )
        keywords = [k for k in keywords if k not in _FUNCTIONS]

    if len(keywords) == 1:
        words.append(Words(f"ключевое слово {keywords[0]}", f"the keyword {keywords[0]}"))
    elif keywords:
        shown = keywords[:MAX_KEYWORDS]
        more = len(keywords) > MAX_KEYWORDS
        listed_ru = _join(shown + (["другое"] if more else []), "или")
        listed_en = _join(shown + (["another"] if more else []), "or")
        words.append(
            Words(f"одно из ключевых слов {listed_ru}", f"one of the keywords {listed_en}")
        )
    return words


def _named_mistake(found: _Expectation) -> Words | None:
    """Return the mistake a grammar sentence names, which replaces the list of tokens."""
    for sentence in found.sentences:
        if sentence in _SENTENCES:
            return _SENTENCES[sentence]
    if found.sentences:
        sentence = found.sentences[0]
        return Words(f"парсер сообщает: {sentence}", f"the parser reports: {sentence}")
    return None


def _listed(found: _Expectation) -> Words | None:
    """Return the expected alternatives joined with "or", at most a handful, or None."""
    items = [kind for kind in _KIND_ORDER if kind in found.kinds]
    if LITERAL in items and NUMBER in items:
        items.remove(NUMBER)  # a literal already names numbers
    items += [Words(f"«{p}»", f'"{p}"') for p in found.punctuation]
    items += _keyword_words(found.keywords)
    if not items:
        return None
    items = items[:MAX_ITEMS]
    return Words(_join([i.ru for i in items], "или"), _join([i.en for i in items], "or"))


def plain_expectation(tokens: list[str]) -> Words | None:
    """Return what the engine expected in a few plain words, or None when it names nothing.

    A grammar sentence ("Variables are not allowed in INSERT DATA") replaces the list,
    because it names the mistake itself.
    """
    found = _sort(tokens)
    named = _named_mistake(found)
    if named is not None:
        return named
    if found.string_open:
        return Words(f"ожидается {STRING_END.ru}", f"expected {STRING_END.en}")
    listed = _listed(found)
    if listed is None:
        return None
    return Words(f"ожидается {listed.ru}", f"expected {listed.en}")


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(previous) + 1 for previous in lines[: line - 1]) + column - 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def likely_position(text: str, line: int, column: int, tokens: list[str] | None) -> tuple[int, int]:
    """Return where the text most likely goes wrong, for the marker.

    The engine compares a keyword by reading as many characters as the keyword has, and a
    failed comparison reports the position after them. A read that runs past the end of the
    text fails as [_] (any character). So when only keywords and [_] were expected, the
    position is past the mistake, and the shortest keyword's read began at the last place
    the parser reached: the marker goes there. Other expectations keep the engine's position.
    NOTE: this follows the errors of pyoxigraph 0.5; another version may place them otherwise.
    """
    if not tokens or not 1 <= line <= text.count("\n") + 1:
        return line, column
    keywords = [t for t in tokens if _KEYWORD.match(t)]
    others = [t for t in tokens if not _KEYWORD.match(t) and t != "[_]"]
    if not keywords or others:
        return line, column

    offset = _offset(text, line, column) - min(len(k) for k in keywords)
    if offset < 0:
        return line, column
    return _line_column(text, offset)


@dataclass(frozen=True)
class Excerpt:
    """The text around the error with the marker, and whether the error is at the end."""

    text: str
    at_end: bool


def excerpt(text: str, line: int, column: int) -> Excerpt | None:
    """Return the text near ``line``:``column`` (both from 1) with the marker, or None."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or column < 1:
        return None
    current = lines[line - 1].rstrip("\r").replace("\t", " ")
    index = min(column - 1, len(current))
    before = current[:index]
    after = current[index:]
    at_end = not after.strip() and not any(rest.strip() for rest in lines[line:])

    shown_before = before[-CONTEXT_BEFORE:]
    if len(before) > CONTEXT_BEFORE:
        shown_before = "…" + shown_before
    elif not before.strip():
        shown_before = _previous_line_tail(lines, line) + before.lstrip()
    shown_after = after[:CONTEXT_AFTER].rstrip()
    if len(after.rstrip()) > CONTEXT_AFTER:
        shown_after += "…"
    return Excerpt(f"{shown_before}{MARKER}{shown_after}", at_end)


def _previous_line_tail(lines: list[str], line: int) -> str:
    """Return the end of the last non-empty line before ``line``, then a line-break sign."""
    for previous in reversed(lines[: line - 1]):
        stripped = previous.rstrip("\r").replace("\t", " ").strip()
        if stripped:
            tail = stripped[-CONTEXT_BEFORE:]
            prefix = "…" if len(stripped) > CONTEXT_BEFORE else ""
            return f"{prefix}{tail} ↵ "
    return ""


def _fix(near: Excerpt, *, moved: bool, is_update: bool) -> Words:
    if moved:
        return Words(
            f"Исправьте текст начиная с места {MARKER}.", f"Correct the text from {MARKER} on."
        )
    if near.at_end:
        noun_ru = "Текст обновления" if is_update else "Текст запроса"
        noun_en = "The update" if is_update else "The query"
        return Words(
            f"{noun_ru} обрывается: закройте все скобки {{ }} и ( ) и кавычки и допишите "
            "последнюю тройку.",
            f"{noun_en} ends too early: close every {{ }}, ( ) and quote, and complete the "
            "last triple.",
        )
    return Words(
        f"Исправьте текст в месте {MARKER} или прямо перед ним.",
        f"Correct the text at {MARKER} or just before it.",
    )


_STOPPED = Words("разбор здесь остановился", "the parser stopped here")
_CHECK_BRACKETS = Words(
    f"Проверьте текст перед {MARKER}: частая причина — лишняя или недостающая скобка.",
    f"Check the text before {MARKER}: an extra or a missing bracket is a common cause.",
)


def describe(error: QuerySyntaxError, text: str, *, is_update: bool) -> Words | None:
    """Return the short message for a syntax error in ``text``, or None.

    None means the error has no position in ``text``, so the caller keeps its message.
    """
    if error.line is None or error.column is None:
        return None
    tokens = expected_tokens(error.detail)
    line, column = likely_position(text, error.line, error.column, tokens)
    near = excerpt(text, line, column)
    if near is None:
        return None
    moved = (line, column) != (error.line, error.column)
    fix = _fix(near, moved=moved, is_update=is_update)
    if tokens is None:
        return with_excerpt(near, Words(error.detail_ru, error.detail), fix)

    found = _sort(tokens)
    named = _named_mistake(found)
    if named is not None:
        return with_excerpt(near, named)
    if moved:
        # The engine's keywords are what it tried at the marker, not what must stand there.
        listed = _listed(found) or Words("другое", "something else")
        problem = Words(
            f"с места {MARKER} текст не разбирается; здесь подошло бы {listed.ru}",
            f"the text does not parse from {MARKER} on; {listed.en} would fit here",
        )
        return with_excerpt(near, problem, fix)
    expectation = plain_expectation(tokens)
    if expectation is None:
        return with_excerpt(near, _STOPPED, _CHECK_BRACKETS)
    return with_excerpt(near, expectation, fix)


def with_excerpt(near: Excerpt, problem: Words, fix: Words | None = None) -> Words:
    """Return ``problem`` (and ``fix``) after the text near the error, in both languages."""
    fix_ru = f" {fix.ru}" if fix else ""
    fix_en = f" {fix.en}" if fix else ""
    # A hint already ends with a full stop.
    problem_ru = problem.ru.rstrip(".")
    problem_en = problem.en.rstrip(".")
    return Words(
        f"рядом с «{near.text}» ({MARKER} — место ошибки): {problem_ru}.{fix_ru}",
        f'near "{near.text}" ({MARKER} marks the error): {problem_en}.{fix_en}',
    )
