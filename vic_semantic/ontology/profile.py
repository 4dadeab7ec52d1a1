"""Check the ontology against the OWL 2 DL profile, offline, with the OWL API in HermiT.jar.

owlready2 ships HermiT as a jar that bundles OWL API 3.4 with its ``OWL2DLProfile`` checker.
``Owl2DlProfileCheck.java`` next to this module loads an RDF/XML file with that OWL API and
prints the violations. The JDK single-file launcher (``java File.java``, Java 11 and later)
compiles and runs it on each call, so nothing is built in advance.

The check finds what HermiT itself does not always reject: punning of a property as both
object and data property, an entity used without a declaration or with two kinds, reserved
vocabulary used as a class or property, an annotation property inside a logical axiom, a
non-simple property in a cardinality restriction, and the other global restrictions of
OWL 2 DL.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph
from rdflib.namespace import OWL

from vic_semantic.ontology.errors import JavaNotFoundError, ProfileCheckError

logger = logging.getLogger(__name__)

CHECKER_SOURCE = Path(__file__).resolve().parent / "Owl2DlProfileCheck.java"
HERMIT_JAR = Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class ProfileViolation:
    """One OWL 2 DL profile violation: the OWL API class that names the rule, and its text."""

    kind: str
    message: str


def dl_profile_violations(graph: Graph) -> tuple[ProfileViolation, ...]:
    """Return every OWL 2 DL profile violation of ``graph``, in the order the OWL API lists them.

    owl:imports are removed first, because the check must not fetch other ontologies.
    Raises JavaNotFoundError when no Java runtime is on the PATH, and ProfileCheckError
    when the checker cannot run or cannot load the graph.
    """
    java = owlready2.JAVA_EXE
    if shutil.which(java) is None:
        raise JavaNotFoundError(java)

    checked = Graph() + graph
    checked.remove((None, OWL.imports, None))

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vic-profile-") as folder:
        path = Path(folder) / "ontology.owl"
        checked.serialize(destination=path, format="xml")
        output = _run_checker(java, path)

    violations = tuple(_parse(line) for line in output.splitlines() if line.strip())
    logger.info(
        "OWL 2 DL profile: %d violations, %.1f s", len(violations), time.perf_counter() - started
    )
    return violations


def profile_problems(graph: Graph) -> list[str]:
    """Return one message, Russian then English, per OWL 2 DL profile violation of ``graph``."""
    violations = sorted(set(dl_profile_violations(graph)), key=lambda v: (v.kind, v.message))
    return [
        f"нарушение профиля OWL 2 DL ({v.kind}): {v.message} / "
        f"OWL 2 DL profile violation ({v.kind}): {v.message}"
        for v in violations
    ]


def _run_checker(java: str, path: Path) -> str:
    command = [java, "-cp", str(HERMIT_JAR), str(CHECKER_SOURCE), str(path)]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ProfileCheckError(
            f"Проверка профиля OWL 2 DL не завершилась за {TIMEOUT_SECONDS} с",
            f"The OWL 2 DL profile check did not finish within {TIMEOUT_SECONDS} s",
        ) from error

    if finished.returncode != 0:
        detail = finished.stderr.strip()[-2000:]
        raise ProfileCheckError(
            f"Проверка профиля OWL 2 DL завершилась с кодом {finished.returncode}: {detail}. "
            "Нужен JDK 11 или новее (java с компилятором) и HermiT.jar из owlready2.",
            f"The OWL 2 DL profile check exited with code {finished.returncode}: {detail}. "
            "It needs JDK 11 or later (java with the compiler) and HermiT.jar from owlready2.",
        )
    return finished.stdout


def _parse(line: str) -> ProfileViolation:
    kind, _, message = line.partition("\t")
    return ProfileViolation(kind.strip(), message.strip())
