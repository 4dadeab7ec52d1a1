"""Errors raised while loading and checking the OWL ontology.

OntologyError (VicError)             the ontology files cannot be used: a 5xx in the API
 ├── OntologyNotFoundError            the ontology folder is missing or contains no .ttl file
 ├── OntologySyntaxError              a .ttl file does not parse
 ├── ProfileCheckError                the OWL 2 DL profile checker could not run
 └── ReasonerError                    HermiT could not run or failed
      └── JavaNotFoundError           no Java runtime to start HermiT or the checker with

These are faults of the deployment, not of a user's request, so none of them is an
InputError.
"""

from __future__ import annotations

from pathlib import Path

from vic_semantic.errors import VicError


class OntologyError(VicError):
    """The ontology files cannot be loaded or checked."""


class OntologyNotFoundError(OntologyError, FileNotFoundError):
    """The ontology folder does not exist or contains no Turtle file."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            f"Не найдены файлы онтологии (*.ttl) в папке {directory}. "
            "Укажите папку в переменной окружения VIC_ONTOLOGY_DIR.",
            f"No ontology files (*.ttl) found in {directory}. "
            "Set the environment variable VIC_ONTOLOGY_DIR to the ontology folder.",
        )
        self.directory = directory


class OntologySyntaxError(OntologyError):
    """A Turtle file of the ontology failed to parse at ``line``:``column``."""

    def __init__(self, path: Path, line: int | None, column: int | None, detail: str) -> None:
        where_ru = f"строка {line}, столбец {column}" if line else "позиция неизвестна"
        where_en = f"line {line}, column {column}" if line else "position unknown"
        super().__init__(
            f"Синтаксическая ошибка Turtle в {path} ({where_ru}): {detail}",
            f"Turtle syntax error in {path} at {where_en}: {detail}",
        )
        self.path = path
        self.line = line
        self.column = column


class ProfileCheckError(OntologyError):
    """The OWL 2 DL profile checker (OWL API from HermiT.jar) failed to run."""


class ReasonerError(OntologyError):
    """The HermiT reasoner failed to run on the ontology."""


class JavaNotFoundError(ReasonerError):
    """No Java runtime was found, so HermiT cannot start."""

    def __init__(self, java: str) -> None:
        super().__init__(
            f"Не найдена Java ({java!r}), нужная для запуска HermiT. "
            "Установите Java (проект проверен с OpenJDK 17) "
            "или укажите путь в owlready2.JAVA_EXE.",
            f"Java ({java!r}) was not found, and HermiT needs it. "
            "Install Java (the project is tested with OpenJDK 17) "
            "or set owlready2.JAVA_EXE to its path.",
        )
        self.java = java
