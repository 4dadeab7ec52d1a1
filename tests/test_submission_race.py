"""Concurrent catalogue submissions through two server processes over one Oxigraph server.

Two ``vic-semantic serve`` processes share a remote store, as a deployment with several
service instances does. Threads submit catalogues of two members through both processes at
once; some submissions break a SHACL shape and must be rejected. Afterwards the store must
hold exactly one version per acknowledged submission, numbered 1, 2, 3 and so on for each
member, and the catalogue graph must equal the snapshot of the member's latest version.

Every check reads the Oxigraph server directly, not through the service under test.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from remote_server import OxigraphServer
from served_app import ServedApp

from vic_semantic.access import Role, TokenRegistry
from vic_semantic.inference import sparql_rules
from vic_semantic.namespaces import INFERRED_GRAPH, PROV, VIC, catalogue_graph
from vic_semantic.store.remote import RemoteEndpoints, RemoteStore
from vic_semantic.submissions.pipeline import _claim_next_version, convert_catalogue
from vic_semantic.submissions.versions import PROVENANCE_GRAPH, catalogue_entity
from vic_semantic.validation.engine import default_ontology, validate_graph

pytestmark = pytest.mark.slow

ADMIN_TOKEN = "race-admin-token"
MEMBERS = ("gonka-moloko", "gonka-myaso")
THREADS = 12
SUBMISSIONS_PER_THREAD = 5
# Every third submission of a thread has a wrong GTIN check digit, a SHACL violation.
REJECT_EVERY = 3
# A product name carries the submission's tag and the row number, so any triple found in
# the store shows which submission wrote it.
NAME = re.compile(r"Товар (t\d+n\d+) (\d+)")


@dataclass(frozen=True)
class Attempt:
    """One submission as the client sent it and the response it got."""

    member: str
    tag: str
    rows: int
    valid: bool
    server: int
    status: int
    version: int | None
    body: str


@dataclass(frozen=True)
class Cluster:
    oxigraph: OxigraphServer
    servers: tuple[ServedApp, ServedApp]
    tokens: dict[str, str]


@dataclass(frozen=True)
class Race:
    """The two processes after every thread has finished its submissions."""

    cluster: Cluster
    attempts: list[Attempt]


def _catalogue(tag: str, rows: int, valid: bool) -> bytes:
    lines = ["Артикул,Наименование,Штрихкод"]
    for row in range(1, rows + 1):
        lines.append(f"{tag}-{row},Товар {tag} {row},")
    if not valid:
        # 4601234567890 is the valid code; the last digit is changed.
        lines.append(f"{tag}-bad,Товар {tag} {rows + 1},4601234567891")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Race]:
    tmp_path = tmp_path_factory.mktemp("race")
    oxigraph = OxigraphServer(tmp_path / "oxigraph")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    registry = TokenRegistry(first / "tokens.json")
    tokens = {member: registry.create(Role.MEMBER, member=member)[1] for member in MEMBERS}
    shutil.copy(first / "tokens.json", second / "tokens.json")
    remote = {
        "VIC_STORE_URL": f"{oxigraph.base}/query",
        "VIC_STORE_UPDATE_URL": f"{oxigraph.base}/update",
        "VIC_STORE_GSP_URL": f"{oxigraph.base}/store",
    }
    servers: list[ServedApp] = []
    try:
        # The first process loads the demo cluster, ontology included, into the empty store;
        # the second finds the store filled and loads nothing.
        servers.append(ServedApp(first, ADMIN_TOKEN, VIC_LOAD_DEMO="true", **remote))
        servers.append(ServedApp(second, ADMIN_TOKEN, VIC_LOAD_DEMO="true", **remote))
        cluster = Cluster(oxigraph, (servers[0], servers[1]), tokens)
        yield Race(cluster, _submit_many(cluster))
    finally:
        for server in servers:
            server.terminate()
        oxigraph.stop()


def _submit_many(cluster: Cluster) -> list[Attempt]:
    """Send every thread's submissions at once and return the attempts in no set order."""
    attempts: list[Attempt] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def run(thread: int) -> None:
        member = MEMBERS[thread % len(MEMBERS)]
        headers = {"Authorization": f"Bearer {cluster.tokens[member]}"}
        with httpx.Client(timeout=300) as client:
            start.wait()
            for number in range(SUBMISSIONS_PER_THREAD):
                tag = f"t{thread}n{number}"
                rows = 10 * (1 + (thread + number) % 4)
                valid = (number + 1) % REJECT_EVERY != 0
                server = (thread + number) % 2
                response = client.post(
                    cluster.servers[server].url + "/catalogues",
                    files=[("file", (f"{tag}.csv", _catalogue(tag, rows, valid), "text/csv"))],
                    headers=headers,
                )
                version = response.json().get("version") if response.status_code == 201 else None
                attempt = Attempt(
                    member, tag, rows, valid, server, response.status_code, version, response.text
                )
                with lock:
                    attempts.append(attempt)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return attempts


def _select(oxigraph: OxigraphServer, query: str) -> list[dict[str, str]]:
    response = httpx.post(
        f"{oxigraph.base}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return [
        {name: cell["value"] for name, cell in row.items()}
        for row in response.json()["results"]["bindings"]
    ]


def _graph(oxigraph: OxigraphServer, graph: str) -> Graph:
    response = httpx.get(
        f"{oxigraph.base}/store",
        params={"graph": graph},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    if response.status_code == 404:
        return Graph()
    response.raise_for_status()
    return Graph().parse(data=response.text, format="nt")


def _names(graph: Graph) -> set[tuple[str, int]]:
    """Return the (tag, row) pairs of the product names in ``graph``."""
    found = set()
    for value in graph.objects():
        if isinstance(value, Literal) and (match := NAME.fullmatch(str(value))):
            found.add((match.group(1), int(match.group(2))))
    return found


def _expected_names(attempt: Attempt) -> set[tuple[str, int]]:
    return {(attempt.tag, row) for row in range(1, attempt.rows + 1)}


def _version_facts(oxigraph: OxigraphServer, member: str) -> list[dict[str, str]]:
    """Return one row per (version, number, snapshot, activity, start) found for ``member``."""
    return _select(
        oxigraph,
        f"SELECT ?version ?n ?snapshot ?activity ?started WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
        f"?version <{PROV.specializationOf}> <{catalogue_entity(member)}> . "
        f"OPTIONAL {{ ?version <{VIC.versionNumber}> ?n }} "
        f"OPTIONAL {{ ?version <{VIC.snapshot}> ?snapshot }} "
        f"OPTIONAL {{ ?version <{PROV.wasGeneratedBy}> ?activity . "
        f"OPTIONAL {{ ?activity <{PROV.startedAtTime}> ?started }} }} }} }}",
    )


def _count(rows: list[dict[str, str]], version: str, column: str) -> int:
    return len({row[column] for row in rows if row["version"] == version and column in row})


def test_two_processes_number_versions_once(race: Race) -> None:
    cluster, attempts = race.cluster, race.attempts

    unexpected = [a for a in attempts if a.status != (201 if a.valid else 422)]
    assert not unexpected, "\n".join(
        f"{a.tag} to server {a.server}: {a.status} {a.body[:500]}" for a in unexpected
    )

    for member in MEMBERS:
        accepted = [a for a in attempts if a.member == member and a.status == 201]
        rejected = [a for a in attempts if a.member == member and a.status == 422]
        numbers = sorted(a.version for a in accepted if a.version is not None)
        assert len(numbers) == len(accepted), f"{member}: a 201 without a version number"
        assert numbers == list(range(1, len(accepted) + 1)), (
            f"{member}: acknowledged version numbers are not 1..{len(accepted)}: {numbers}"
        )

        facts = _version_facts(cluster.oxigraph, member)
        versions = {row["version"] for row in facts}
        assert len(versions) == len(accepted), (
            f"{member}: {len(versions)} versions stored for {len(accepted)} acknowledged"
        )
        for version in sorted(versions):
            for column in ("n", "snapshot", "activity", "started"):
                found = _count(facts, version, column)
                assert found == 1, f"{version} has {found} values of ?{column}"
        stored_numbers = sorted(int(row["n"]) for row in facts)
        assert stored_numbers == numbers, f"{member}: stored numbers {stored_numbers}"

        snapshots = {
            int(row["n"]): Graph().parse(data=row["snapshot"], format="nt") for row in facts
        }
        for attempt in accepted:
            assert attempt.version is not None
            names = _names(snapshots[attempt.version])
            assert names == _expected_names(attempt), (
                f"version {attempt.version} of {member} does not hold submission {attempt.tag}"
            )

        latest = snapshots[len(accepted)]
        current = _graph(cluster.oxigraph, str(catalogue_graph(member)))
        assert isomorphic(current, latest), (
            f"the catalogue graph of {member} ({len(current)} triples, products "
            f"{sorted(_names(current))}) differs from version {len(accepted)} "
            f"({len(latest)} triples, products {sorted(_names(latest))})"
        )

        recorded = _select(
            cluster.oxigraph,
            f"SELECT (COUNT(?attempt) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ "
            f"?attempt a <{VIC.RejectedSubmission}> ; "
            f"<{PROV.wasAssociatedWith}> <https://w3id.org/vic-semantic/id/member/{member}> }} }}",
        )
        assert int(recorded[0]["n"]) == len(rejected), f"{member}: rejection records"

    rejected_tags = {a.tag for a in attempts if a.status == 422}
    leaked = _select(
        cluster.oxigraph,
        "SELECT DISTINCT ?g ?value WHERE { GRAPH ?g { ?s ?p ?value } "
        'FILTER(isLiteral(?value) && REGEX(STR(?value), "Товар t[0-9]+n[0-9]+ ")) }',
    )
    for row in leaked:
        assert not any(f"Товар {tag} " in row["value"] for tag in rejected_tags), (
            f"a rejected submission left data in {row['g']}: {row['value'][:200]}"
        )


def test_inferred_graph_matches_recomputation(race: Race) -> None:
    # Recomputes the inferred graph in place, so it runs after the test above.
    cluster = race.cluster
    assert Counter(a.status for a in race.attempts)[201] > 0
    left = _graph(cluster.oxigraph, str(INFERRED_GRAPH))

    response = httpx.post(
        f"{cluster.oxigraph.base}/update",
        content=sparql_rules().encode(),
        headers={"Content-Type": "application/sparql-update"},
        timeout=300,
    )
    response.raise_for_status()
    recomputed = _graph(cluster.oxigraph, str(INFERRED_GRAPH))

    stale: defaultdict[str, int] = defaultdict(int)
    for triple in set(left) - set(recomputed):
        stale[str(triple[1])] += 1
    missing = len(set(recomputed) - set(left))
    assert not stale, f"inferred triples with no basis left after the submissions: {dict(stale)}"
    assert missing == 0, f"{missing} inferred triples missing after the submissions"


def test_simultaneous_claims_get_distinct_numbers(race: Race) -> None:
    # Each RemoteStore object shares nothing with the others but the server, as separate
    # processes do. All of them claim the next version of one member at the same moment.
    member, clients, rounds = "gonka-klienty", 6, 8
    base = race.cluster.oxigraph.base
    endpoints = RemoteEndpoints(f"{base}/query", f"{base}/update", f"{base}/store")
    stores = [RemoteStore(endpoints) for _ in range(clients)]
    files = [("c.csv", _catalogue("t0n0", 3, valid=True))]
    conversion = convert_catalogue(files, member, default_ontology())
    report = validate_graph(conversion.graph, "ru", ontology=default_ontology())
    numbers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def claim(store: RemoteStore, index: int) -> None:
        for round_number in range(rounds):
            start.wait()
            started = f"2026-01-01T00:{round_number:02d}:{index:02d}.000+00:00"
            number = _claim_next_version(store, member, conversion, files, started, report)
            with lock:
                numbers.append(number)

    threads = [
        threading.Thread(target=claim, args=(store, index)) for index, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()

    duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
    assert not duplicates, f"version numbers returned to more than one claim: {duplicates}"
    assert sorted(numbers) == list(range(1, clients * rounds + 1))
    facts = _version_facts(race.cluster.oxigraph, member)
    snapshots = Counter(row["version"] for row in facts)
    shared = sorted(version for version, times in snapshots.items() if times > 1)
    assert not shared, f"versions stored by more than one claim: {shared}"
    assert len(snapshots) == clients * rounds
