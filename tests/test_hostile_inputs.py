"""Hostile inputs get a clear 4xx (or a correct 2xx), fetch nothing and leave the store as it was.

Each test sends one kind of attack. The kinds are entity expansion, deep nesting, huge
literals, invalid UTF-8, spreadsheet formulas, a zip bomb, path tricks in file names, an
attempt to redefine the ontology, oversized or deeply nested SPARQL, client text inside SPARQL
IRIs, and a Content-Type that lies about the body. The loopback listener of ``test_no_fetch``
records any connection the server makes, and the whole dataset is dumped before and after
each rejected request.

Inputs that would crash or exhaust the test process itself (a segfault of pyoxigraph, a
gigabyte zip bomb) are sent from a child process with a time limit.

A test marked xfail(strict=True) documents a known defect: it fails today and starts passing
(and so must lose its mark) once the defect is fixed.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2 as httpx  # the HTTP client under starlette's TestClient
import pyoxigraph as ox
import pytest
from conftest import register_member
from fastapi.testclient import TestClient
from test_no_fetch import Listener, listener

from api.main import create_app
from vic_semantic.access import Role, TokenRegistry
from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.config import REPO_ROOT, Settings
from vic_semantic.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, VIC, catalogue_graph
from vic_semantic.service import VicService
from vic_semantic.validation.engine import default_ontology

__all__ = ["listener"]  # the fixture is used by name below

MEMBER = "molochnyj-zavod-1"
ADMIN_TOKEN = "hostile-admin-token"
MB = 1024 * 1024
DAIRY_CSV = REPO_ROOT / "demo" / "catalogues" / "dairy-plant-1c-export.csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Api:
    client: TestClient
    service: VicService
    admin: dict[str, str]
    member: dict[str, str]

    def dump(self) -> bytes:
        return self.service.store.dump(ox.RdfFormat.N_QUADS)


def open_api(data_dir: Path, **overrides: Any) -> tuple[Api, TestClient]:
    """Open a service with an administrator and a member token, and a client not yet entered."""
    registry = TokenRegistry(data_dir / "tokens.json")
    member = registry.create(Role.MEMBER, member=MEMBER)[1]
    settings = Settings(data_dir=data_dir, admin_token=ADMIN_TOKEN, load_demo=False, **overrides)
    service = VicService.open(settings)
    # Writes of a member token need the member in the members graph, which no demo loads here.
    register_member(service, MEMBER)
    # A 500 comes back as a response, so a test fails on its status, not on a traceback.
    client = TestClient(create_app(settings, service=service), raise_server_exceptions=False)
    api = Api(
        client,
        service,
        {"Authorization": f"Bearer {ADMIN_TOKEN}"},
        {"Authorization": f"Bearer {member}"},
    )
    return api, client


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    found, client = open_api(tmp_path_factory.mktemp("hostile"))
    with client:
        seed = b'<https://example.org/seed> <https://example.org/p> "seed" .'
        response = client.put(
            f"/graphs?graph={quote(str(catalogue_graph(MEMBER)), safe='')}",
            content=seed,
            headers={"Content-Type": "application/n-triples", **found.admin},
        )
        assert response.status_code in {201, 204}, response.text
        yield found
    found.service.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Api]:
    """A service of its own, for attacks that might leave a large graph behind."""
    found, client = open_api(tmp_path)
    with client:
        yield found
    found.service.close()


@contextmanager
def unchanged(api: Api, listener: Listener | None = None) -> Iterator[None]:
    """Check that the block leaves the dataset byte-identical and fetches nothing."""
    before = api.dump()
    yield
    after = api.dump()
    assert after == before, "a rejected request changed the stored data"
    if listener is not None:
        listener.assert_untouched()


def graph_url(graph: str) -> str:
    return f"/graphs?graph={quote(graph, safe='')}"


def assert_clear_4xx(response: httpx.Response, *allowed: int) -> None:
    """Check for a 4xx in ``allowed`` (any 4xx when empty) with a JSON body naming the error."""
    status = response.status_code
    text = response.text
    if allowed:
        assert status in allowed, f"{status}: {text[:300]}"
    assert 400 <= status < 500, f"{status}: {text[:300]}"
    body = json.loads(text)
    assert body.get("error") or body.get("detail"), text[:300]


def upload(client: TestClient, path: str, name: str, data: bytes, **kwargs: Any) -> httpx.Response:
    return client.post(path, files={"file": (name, data, "application/octet-stream")}, **kwargs)


# --- XML entity expansion -------------------------------------------------------------------


def billion_laughs(levels: int) -> bytes:
    """Return RDF/XML under 1 KB whose one literal expands to 3 × 10**levels characters."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [{entities}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://example.org/">
  <rdf:Description rdf:about="https://example.org/s"><e:p>&lol{levels};</e:p></rdf:Description>
</rdf:RDF>
""".encode()


# Seven levels make 10**7 × "lol", a 30 MB literal from an 800-byte body. Nine make 3 GB, which
# pyoxigraph 0.5.13 builds in full (about 9 GB of memory and 40 s measured on this machine).
LAUGH_LEVELS = 7


def test_billion_laughs_document_is_small() -> None:
    """The attack body is tiny, so no body-size limit can stop it."""
    assert len(billion_laughs(LAUGH_LEVELS)) < 1024


def test_billion_laughs_validate_rejected(api: Api, listener: Listener) -> None:
    with unchanged(api, listener):
        response = api.client.post(
            "/validate",
            content=billion_laughs(LAUGH_LEVELS),
            headers={"Content-Type": "application/rdf+xml"},
        )

    assert_clear_4xx(response)


def test_billion_laughs_graph_store_rejected(fresh: Api, listener: Listener) -> None:
    with unchanged(fresh, listener):
        response = fresh.client.put(
            graph_url(str(catalogue_graph(MEMBER))),
            content=billion_laughs(LAUGH_LEVELS),
            headers={"Content-Type": "application/rdf+xml", **fresh.admin},
        )

    assert_clear_4xx(response)


# --- Deeply nested JSON ---------------------------------------------------------------------

DEPTH = 100_000
DEEP_ARRAY = "[" * DEPTH + "]" * DEPTH


def test_deep_json_catalogue_rejected(api: Api) -> None:
    with unchanged(api):
        response = upload(api.client, "/catalogues/validate", "deep.json", DEEP_ARRAY.encode())

    assert_clear_4xx(response, 400)


def test_deep_json_reconcile_post_rejected(api: Api) -> None:
    with unchanged(api):
        response = api.client.post("/reconcile", data={"queries": DEEP_ARRAY})

    assert_clear_4xx(response, 400)


def test_deep_json_reconcile_get_rejected(api: Api) -> None:
    # httpx refuses URLs with a query component over 64 KiB, so the GET nests 10,000 levels:
    # still ten times past Python's recursion limit.
    nested = "[" * 10_000 + "]" * 10_000

    with unchanged(api):
        response = api.client.get("/reconcile", params={"queries": nested})

    assert_clear_4xx(response, 400)


def test_deep_json_reconcile_extend_rejected(api: Api) -> None:
    with unchanged(api):
        response = api.client.post("/reconcile/extend", data={"extend": DEEP_ARRAY})

    assert_clear_4xx(response, 400)


@pytest.mark.parametrize(
    "document",
    [
        DEEP_ARRAY,
        '{"@id": "https://example.org/s", "https://example.org/p": '
        + '{"@list": [' * DEPTH
        + "]}" * DEPTH
        + "}",
        '{"@id": "https://example.org/s", "https://example.org/p": '
        + '{"https://example.org/q": ' * DEPTH
        + "1"
        + "}" * DEPTH
        + "}",
    ],
    ids=["array", "list", "object"],
)
def test_deep_jsonld_rejected(api: Api, document: str) -> None:
    with unchanged(api):
        response = api.client.post(
            "/validate",
            content=document.encode(),
            headers={"Content-Type": "application/ld+json"},
        )

    assert_clear_4xx(response, 400)
    assert response.json()["error"] == "rdf_syntax"


# --- Very long literals ---------------------------------------------------------------------


def long_literal_turtle(characters: int) -> bytes:
    return b'<https://example.org/s> <https://example.org/p> "' + b"x" * characters + b'" .'


def test_long_literal_within_limit_stored(fresh: Api) -> None:
    graph = "https://example.org/long"

    response = fresh.client.put(
        graph_url(graph),
        content=long_literal_turtle(10 * MB),
        headers={"Content-Type": "text/turtle", **fresh.admin},
    )
    stored = fresh.client.get(graph_url(graph), headers={"Accept": "application/n-triples"})

    assert response.status_code == 201, response.text[:300]
    assert stored.status_code == 200
    literal = next(iter(ox.parse(stored.content, format=ox.RdfFormat.N_TRIPLES))).object
    assert literal.value == "x" * (10 * MB)


def test_long_literal_within_limit_validated(api: Api) -> None:
    with unchanged(api):
        response = api.client.post(
            "/validate",
            content=long_literal_turtle(10 * MB),
            headers={"Content-Type": "text/turtle"},
        )

    assert response.status_code == 200, response.text[:300]
    assert response.json()["conforms"] is True


def test_long_literal_beyond_limit_rejected(tmp_path: Path) -> None:
    small, client = open_api(tmp_path, max_upload_bytes=5 * MB)
    with client, unchanged(small):
        put = client.put(
            graph_url("https://example.org/long"),
            content=long_literal_turtle(10 * MB),
            headers={"Content-Type": "text/turtle", **small.admin},
        )
        validate = client.post(
            "/validate",
            content=long_literal_turtle(10 * MB),
            headers={"Content-Type": "text/turtle"},
        )
        cell = upload(
            client, "/catalogues/validate", "long.csv", b"sku;name\n1;" + b"x" * (10 * MB)
        )
    small.service.close()

    assert_clear_4xx(put, 413)
    assert_clear_4xx(validate, 413)
    assert_clear_4xx(cell, 413)


def test_long_cell_within_limit_not_5xx(api: Api) -> None:
    header = "Код;Наименование;Штрихкод\n".encode()

    with unchanged(api):
        response = upload(
            api.client,
            "/catalogues/validate",
            "long.csv",
            header + b"1;" + b"x" * (10 * MB) + b";1\n",
        )

    assert response.status_code in {200, 400}, response.text[:300]


# --- Invalid UTF-8 --------------------------------------------------------------------------

INVALID = b"\xff\xfe\xc3\x28"
TURTLE_INVALID = b'<https://example.org/s> <https://example.org/p> "' + INVALID + b'" .'
CSV_HEADER = "Код;Наименование;Штрихкод\n".encode()


def form(fields: bytes) -> dict[str, object]:
    return {"content": fields, "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


# name: (method, path, keyword arguments, needs the admin token)
UTF8_CASES: dict[str, tuple[str, str, dict[str, object], bool]] = {
    "query_get": ("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D", {}, False),
    "query_post": (
        "POST",
        "/sparql",
        {
            "content": b'ASK { ?s ?p "' + INVALID + b'" }',
            "headers": {"Content-Type": "application/sparql-query"},
        },
        False,
    ),
    "query_form": ("POST", "/sparql", form(b"query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D"), False),
    "update_post": (
        "POST",
        "/sparql",
        {
            "content": b"INSERT DATA { GRAPH <https://example.org/u> { "
            + TURTLE_INVALID[:-2]
            + b" } }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        True,
    ),
    "update_form": ("POST", "/sparql", form(b"update=INSERT%20DATA%7B%7D%FF"), True),
    "turtle_validate": (
        "POST",
        "/validate",
        {"content": TURTLE_INVALID, "headers": {"Content-Type": "text/turtle"}},
        False,
    ),
    "turtle_graph_store": (
        "PUT",
        graph_url("https://example.org/utf8"),
        {"content": TURTLE_INVALID, "headers": {"Content-Type": "text/turtle"}},
        True,
    ),
    "jsonld_validate": (
        "POST",
        "/validate",
        {
            "content": b'{"@id": "https://example.org/s", "https://example.org/p": "'
            + INVALID
            + b'"}',
            "headers": {"Content-Type": "application/ld+json"},
        },
        False,
    ),
    # 0x98 is the one byte Windows-1251, the fallback encoding of member files, leaves undefined.
    "csv_without_bom": (
        "POST",
        "/catalogues/validate",
        {"files": {"file": ("a.csv", CSV_HEADER + b"1;\x98;1\n", "text/csv; charset=utf-8")}},
        False,
    ),
    "json_without_bom": (
        "POST",
        "/catalogues/validate",
        {"files": {"file": ("a.json", b'[{"sku": "\x98"}]', "application/json")}},
        False,
    ),
}

BOM_CASES = {
    "csv_validate": ("/catalogues/validate", "a.csv", CSV_HEADER),
    "json_validate": ("/catalogues/validate", "a.json", b'[{"sku": "'),
    "csv_map": ("/catalogues/map", "a.csv", CSV_HEADER),
}


@pytest.mark.parametrize("name", list(UTF8_CASES))
def test_invalid_utf8_rejected(api: Api, name: str) -> None:
    method, path, kwargs, as_admin = UTF8_CASES[name]
    kwargs = dict(kwargs)
    if as_admin:
        kwargs["headers"] = {**kwargs.get("headers", {}), **api.admin}  # type: ignore[dict-item]

    with unchanged(api):
        response = api.client.request(method, path, **kwargs)  # type: ignore[arg-type]

    assert_clear_4xx(response, 400)


@pytest.mark.parametrize("name", list(BOM_CASES))
def test_invalid_utf8_after_bom_rejected(api: Api, name: str) -> None:
    path, file_name, start = BOM_CASES[name]

    with unchanged(api):
        response = upload(api.client, path, file_name, b"\xef\xbb\xbf" + start + INVALID)

    assert_clear_4xx(response, 400)


def test_invalid_utf8_percent_escape_replaced(api: Api) -> None:
    """Search and reconciliation read a bad %-escape as U+FFFD and find nothing.

    NOTE: /sparql rejects the same escape with 400 invalid_encoding, but these two routes
    decode with the replacement character, which is harmless for a search.
    """
    with unchanged(api):
        reconciled = api.client.get(
            "/reconcile?queries=%7B%22q0%22%3A%7B%22query%22%3A%22%FF%22%7D%7D"
        )
        searched = api.client.get("/api/search?q=%FF")

    assert reconciled.status_code == 200, reconciled.text[:300]
    assert reconciled.json()["q0"]["result"] == []
    assert searched.status_code == 200, searched.text[:300]
    assert searched.json()["query"] == "\ufffd"
    assert searched.json()["hits"] == []


# --- Spreadsheet formulas in cells ----------------------------------------------------------


def formula_csv(listener: Listener) -> bytes:
    rows = [
        ["Код", "Наименование", "Ед. изм.", "Штрихкод", "Массовая доля жира, %"],
        [f'=HYPERLINK("{listener.url}/leak","x")', "Кефир 2,5% 1 л", "шт", "9520001000027", "2,5"],
        ["+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "шт", "9520001000034", "2,5"],
        ["-2+3+cmd|' /C calc'!A0", "=1+1", "шт", "9520001000041", "2,5"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_formulas_validated_as_text(api: Api, listener: Listener) -> None:
    with unchanged(api, listener):
        response = upload(api.client, "/catalogues/validate", "f.csv", formula_csv(listener))

    assert response.status_code in {200, 400}, response.text[:300]
    assert "calc" in response.text or response.status_code == 400


def test_formulas_mapped_as_text(api: Api, listener: Listener) -> None:
    with unchanged(api, listener):
        response = upload(api.client, "/catalogues/map", "f.csv", formula_csv(listener))

    assert response.status_code == 200, response.text[:300]
    codes = [row["code"] for row in response.json()["files"][0]["rows"]]
    names = [row["name"] for row in response.json()["files"][0]["rows"]]
    assert codes[0] == f'=HYPERLINK("{listener.url}/leak","x")'
    assert codes[1] == "+cmd|' /C calc'!A0"
    assert names[1] == "@SUM(1+1)*cmd|' /C calc'!A0"
    assert names[2] == "=1+1"


def test_formulas_neutralised_in_sssom(api: Api, listener: Listener) -> None:
    """A member cell a spreadsheet would run as a formula gets a leading quote in SSSOM."""
    with unchanged(api, listener):
        response = upload(
            api.client,
            "/catalogues/map",
            "f.csv",
            formula_csv(listener),
            headers={"Accept": "text/tab-separated-values"},
        )

    assert response.status_code == 200
    table = [line for line in response.text.splitlines() if not line.startswith("#")]
    fields = [field for row in csv.reader(table[1:], delimiter="\t") for field in row]
    live = [field for field in fields if field.startswith(FORMULA_STARTS)]
    assert live == [], f"fields a spreadsheet would run as formulas: {live}"
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in fields, "the text is kept behind the quote"
    assert "'=1+1" in fields


def test_formulas_verbatim_in_sparql_csv(fresh: Api) -> None:
    """SPARQL CSV and TSV results carry a formula literal unchanged.

    NOTE: the SPARQL 1.1 CSV/TSV results format requires the exact value, so the service does
    not prefix it; a spreadsheet that opens the file may evaluate it.
    """
    formula = '=HYPERLINK("http://127.0.0.1:9/x","y")'
    escaped = formula.replace('"', '\\"')
    turtle = f'<https://example.org/s> <https://example.org/p> "{escaped}" .'
    put = fresh.client.put(
        graph_url("https://example.org/formula"),
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", **fresh.admin},
    )
    assert put.status_code == 201, put.text

    query = quote("SELECT ?o WHERE { <https://example.org/s> <https://example.org/p> ?o }")
    as_csv = fresh.client.get(f"/sparql?query={query}", headers={"Accept": "text/csv"})
    as_tsv = fresh.client.get(
        f"/sparql?query={query}", headers={"Accept": "text/tab-separated-values"}
    )

    assert list(csv.reader(io.StringIO(as_csv.text)))[1] == [formula]
    assert as_tsv.text.splitlines()[1].startswith('"=HYPERLINK')


# --- XLSX zip bomb --------------------------------------------------------------------------


def xlsx_bomb(inflated_mb: int) -> bytes:
    """Return a valid XLSX whose one sheet XML inflates to ``inflated_mb`` MiB of one cell."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                b"<is><t>"
            )
            chunk = b"A" * MB
            for _ in range(inflated_mb):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()


# Runs in a child process, so a bomb that is read in full cannot exhaust the test process.
# It prints the status, the seconds taken and the growth of peak memory in MiB.
CHILD_UPLOAD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from fastapi.testclient import TestClient
    from api.main import create_app
    from vic_semantic.config import Settings
    from vic_semantic.service import VicService

    if __name__ == "__main__":
        data_dir, path, name, content_type, body_file = sys.argv[1:6]
        headers = json.loads(sys.argv[6])
        settings = Settings(data_dir=Path(data_dir), load_demo=False, admin_token="child-admin")
        service = VicService.open(settings)
        body = Path(body_file).read_bytes()
        with TestClient(create_app(settings, service=service)) as client:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.monotonic()
            if name:
                response = client.post(path, files={"file": (name, body, content_type)})
            else:
                response = client.post(
                    path, content=body, headers={"Content-Type": content_type, **headers}
                )
            seconds = time.monotonic() - started
            grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
            alive = client.get("/sparql", params={"query": "ASK {}"}).status_code
        print(json.dumps({"status": response.status_code, "seconds": seconds,
                          "grown_mb": grown, "alive": alive, "body": response.text[:300]}))
    """
)


@dataclass
class ChildResult:
    status: int
    seconds: float
    grown_mb: float
    alive: int
    body: str


def run_in_child(
    tmp_path: Path,
    path: str,
    body: bytes,
    content_type: str,
    *,
    file_name: str = "",
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> ChildResult:
    """Send one request from a child process; fail the test if it crashes or overruns."""
    body_file = tmp_path / "body.bin"
    body_file.write_bytes(body)
    command = [
        sys.executable,
        "-c",
        CHILD_UPLOAD,
        str(tmp_path / "store"),
        path,
        file_name,
        content_type,
        str(body_file),
        json.dumps(headers or {}),
    ]
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the request took longer than {timeout:g} s")
    assert done.returncode == 0, (
        f"the server process ended with {done.returncode}: {done.stderr[-1500:]}"
    )
    return ChildResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def test_xlsx_bomb_is_small() -> None:
    bomb = xlsx_bomb(1024)

    assert len(bomb) < 2 * MB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    assert inflated > 1024 * MB


@pytest.mark.slow
def test_xlsx_bomb_rejected_quickly(tmp_path: Path) -> None:
    result = run_in_child(
        tmp_path,
        "/catalogues/validate",
        xlsx_bomb(1024),
        XLSX_TYPE,
        file_name="bomb.xlsx",
        timeout=30.0,
    )

    assert 400 <= result.status < 500, result.body
    # A loose bound: the point is "not in proportion to the inflated gigabyte".
    assert result.grown_mb < 512, f"peak memory grew by {result.grown_mb:.0f} MiB"


# --- Path tricks in uploaded file names -----------------------------------------------------


def multipart(name: bytes, data: bytes) -> tuple[bytes, str]:
    """Return a multipart body whose file name bytes are sent exactly as given."""
    boundary = "hostile-boundary-7d1f"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


FILE_NAMES = {
    # name: (file name bytes as sent, base name the report may quote)
    "parent_dirs": (b"../../etc/passwd", "passwd"),
    "windows_drive": (b"C:\\x\\y.csv", "y.csv"),
    "windows_parent": (b"..\\..\\boot.ini", "boot.ini"),
    "nul_byte": (b"a\x00b/../c.csv", "c.csv"),
    "dot_dot": (b"..", "file"),
    "slash_only": (b"/", "file"),
    # NOTE: a long base name is quoted whole; it is the client's own text and harmless.
    "long_name": (b"n" * 4000 + b".csv", "n" * 4000 + ".csv"),
}


def echoed_name(response: httpx.Response) -> str | None:
    """Return the file name a catalogue error message quotes, or None when none is quoted."""
    message = str(response.json().get("message", ""))
    if "«" not in message:
        return None
    return message.split("«", 1)[1].split("»", 1)[0]


@pytest.mark.parametrize(
    "key",
    FILE_NAMES,
)
@pytest.mark.parametrize("path", ["/catalogues/validate", "/catalogues/map"])
def test_file_name_reduced_to_base_name(api: Api, path: str, key: str) -> None:
    sent, expected = FILE_NAMES[key]
    body, content_type = multipart(sent, b"junk;junk\n1;2\n")

    with unchanged(api):
        response = api.client.post(path, content=body, headers={"Content-Type": content_type})

    assert_clear_4xx(response, 400)
    assert echoed_name(response) == expected


# --- Redefining the ontology in data --------------------------------------------------------

REDEFINITIONS = {
    "kefir_is_meat": f"<{VIC}Kefir> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
    f"<{VIC}MeatProduct> .",
    "kefir_is_member": f"<{VIC}Kefir> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
    f"<{VIC}ClusterMember> .",
    "kefir_is_butter": f"<{VIC}Kefir> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
    f"<{VIC}Butter> .",
    "thing_is_kefir": "<http://www.w3.org/2002/07/owl#Thing> "
    f"<http://www.w3.org/2002/07/owl#equivalentClass> <{VIC}Kefir> .",
    "dairy_cycle": f"<{VIC}DairyProduct> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
    f"<{VIC}Kefir> .",
}


@pytest.fixture(scope="module")
def dairy_turtle() -> bytes:
    """The demo dairy plant's catalogue, converted to RDF as members' files are."""
    table = read_table(DAIRY_CSV.name, DAIRY_CSV.read_bytes())
    graph = convert_tables([table], default_ontology(), MEMBER).graph
    return graph.serialize(format="nt", encoding="utf-8")


def report_key(response: httpx.Response) -> list[tuple[str, str, str, str]]:
    results = response.json()["results"]
    return sorted(
        (str(r.get("focusNode")), str(r.get("path")), str(r.get("sourceShape")), r["severity"])
        for r in results
    )


@pytest.mark.parametrize("name", list(REDEFINITIONS))
def test_redefinition_ignored_by_validation(api: Api, dairy_turtle: bytes, name: str) -> None:
    headers = {"Content-Type": "application/n-triples", "Accept": "application/json"}
    with unchanged(api):
        plain = api.client.post("/validate", content=dairy_turtle, headers=headers)
        redefined = api.client.post(
            "/validate",
            content=dairy_turtle + REDEFINITIONS[name].encode() + b"\n",
            headers=headers,
        )

    assert plain.status_code == 200, plain.text[:300]
    assert redefined.status_code == 200, redefined.text[:300]
    assert report_key(redefined) == report_key(plain)


def inferred_types(client: TestClient) -> set[tuple[str, str]]:
    query = f"SELECT ?s ?t WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?t }} }}"
    response = client.get(
        f"/sparql?query={quote(query)}", headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return {(b["s"]["value"], b["t"]["value"]) for b in bindings}


def test_redefinition_ignored_by_inference(fresh: Api, dairy_turtle: bytes) -> None:
    graph = graph_url(str(catalogue_graph(MEMBER)))
    headers = {"Content-Type": "application/n-triples", **fresh.admin}
    ontology = default_ontology().serialize(format="nt", encoding="utf-8")
    loaded = fresh.client.put(graph_url(str(ONTOLOGY_GRAPH)), content=ontology, headers=headers)
    assert loaded.status_code == 201, loaded.text

    plain = fresh.client.put(graph, content=dairy_turtle, headers=headers)
    expected = inferred_types(fresh.client)
    everything = "\n".join(REDEFINITIONS.values()).encode()
    redefined = fresh.client.put(graph, content=dairy_turtle + everything, headers=headers)
    found = inferred_types(fresh.client)

    assert plain.status_code == 201, plain.text
    assert redefined.status_code == 204, redefined.text
    assert {t for _, t in expected} >= {f"{VIC}DairyProduct"}
    assert found == expected


# --- SPARQL size and nesting ----------------------------------------------------------------

BIG_QUERY = "ASK { ?s ?p ?o } #" + "x" * MB


def test_sparql_query_over_1mb_rejected(api: Api) -> None:
    with unchanged(api):
        direct = api.client.post(
            "/sparql",
            content=BIG_QUERY.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        in_form = api.client.post("/sparql", data={"query": BIG_QUERY})
        update = api.client.post(
            "/sparql",
            content=("INSERT DATA {} #" + "x" * MB).encode(),
            headers={"Content-Type": "application/sparql-update", **api.admin},
        )

    assert_clear_4xx(direct, 413)
    assert_clear_4xx(in_form, 413)
    assert_clear_4xx(update, 413)


def test_sparql_get_over_limit_rejected(tmp_path: Path) -> None:
    # httpx refuses a URL query over 64 KiB, so the GET path is checked with a lower limit.
    small, client = open_api(tmp_path, max_query_bytes=16 * 1024)
    query = quote("ASK { ?s ?p ?o } #" + "x" * 20_000)
    with client:
        response = client.get(f"/sparql?query={query}")
    small.service.close()

    assert_clear_4xx(response, 413)


NESTED_GROUPS = "SELECT * WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000
NESTED_PARENS = "ASK { ?s ?p ?o FILTER(" + "(" * 10_000 + "true" + ")" * 10_000 + ") }"


@pytest.mark.parametrize("query", [NESTED_GROUPS, NESTED_PARENS], ids=["groups", "parens"])
def test_nested_query_rejected(api: Api, query: str) -> None:
    with unchanged(api):
        response = api.client.post(
            "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )

    assert_clear_4xx(response, 400)


def test_service_answers_after_nested_query(api: Api) -> None:
    """A query that kills its worker process leaves the service and the next query working."""
    response = api.client.post(
        "/sparql",
        content=NESTED_GROUPS.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    after = api.client.get("/sparql", params={"query": "ASK { }"})

    assert response.status_code < 600
    assert after.status_code == 200
    assert after.json()["boolean"] is True


def test_nested_member_update_rejected(api: Api) -> None:
    """A member's update is parsed by rdflib first, which stops at its recursion limit."""
    update = (
        f"INSERT {{ GRAPH <{catalogue_graph(MEMBER)}> {{ ?s ?p ?o }} }} WHERE "
        + "{" * 3_000
        + "?s ?p ?o"
        + "}" * 3_000
    )

    with unchanged(api):
        response = api.client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **api.member},
        )

    assert_clear_4xx(response, 400)


@pytest.mark.slow
def test_nested_admin_update_keeps_server(tmp_path: Path) -> None:
    update = "INSERT { ?s ?p ?o } WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000

    result = run_in_child(
        tmp_path,
        "/sparql",
        update.encode(),
        "application/sparql-update",
        headers={"Authorization": "Bearer child-admin"},
    )

    assert result.status == 400, result.body
    assert result.alive == 200


# --- Graph Store Content-Type that lies about the body --------------------------------------

TURTLE = b"<https://example.org/s> <https://example.org/p> 1 ."
RDF_XML = (
    b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="https://example.org/s"/></rdf:RDF>'
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
LIES = {
    # name: (method, body, declared Content-Type, statuses allowed)
    "turtle_as_rdfxml": ("PUT", TURTLE, "application/rdf+xml", {400}),
    "turtle_as_jsonld": ("PUT", TURTLE, "application/ld+json", {400}),
    "rdfxml_as_turtle": ("PUT", RDF_XML, "text/turtle", {400}),
    "png_as_turtle": ("PUT", PNG, "text/turtle", {400}),
    "png_as_png": ("PUT", PNG, "image/png", {415}),
    "nquads_as_ntriples": (
        "PUT",
        b"<https://example.org/s> <https://example.org/p> 1 <https://example.org/g> .",
        "application/n-triples",
        {400},
    ),
    "trig_as_turtle": (
        "POST",
        b"<https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 }",
        "text/turtle",
        {400},
    ),
    "turtle_as_multipart": ("PUT", TURTLE, "multipart/form-data; boundary=x", {400, 415}),
    "turtle_as_form": ("PUT", TURTLE, "application/x-www-form-urlencoded", {415}),
    "cp1251_as_utf8": (
        "PUT",
        '<https://example.org/s> <https://example.org/p> "жир" .'.encode("cp1251"),
        "text/turtle; charset=utf-8",
        {400},
    ),
}


@pytest.mark.parametrize("name", list(LIES))
def test_lying_content_type_rejected(api: Api, name: str) -> None:
    method, body, content_type, allowed = LIES[name]
    target = graph_url(str(catalogue_graph(MEMBER)))

    with unchanged(api):
        response = api.client.request(
            method, target, content=body, headers={"Content-Type": content_type, **api.admin}
        )

    assert_clear_4xx(response, *allowed)


def test_missing_content_type_rejected(api: Api) -> None:
    with unchanged(api):
        response = api.client.put(
            graph_url(str(catalogue_graph(MEMBER))), content=TURTLE, headers=api.admin
        )

    assert_clear_4xx(response)


# --- Client text inside SPARQL IRIs ---------------------------------------------------------

INTERPOLATED = {
    # name: (method, path, needs the admin token); the text ends up inside a SPARQL IRI
    "versions": ("GET", "/catalogues/a%20b/versions", False),
    "version": ("GET", "/catalogues/a%20b/versions/1", False),
    "diff": ("GET", "/catalogues/a%20b/diff?from=1&to=2", False),
    "veterinary_versions": ("GET", "/veterinary/a%20b/versions", False),
    "veterinary_version": ("GET", "/veterinary/a%20b/versions/1", False),
    "veterinary_diff": ("GET", "/veterinary/a%20b/diff?from=1&to=2", False),
    "propose": ("GET", "/reconcile/extend/propose?type=%25zz", False),
    "map_member": ("POST", "/catalogues/map?member=a%20b", True),
    "profile_member": ("GET", "/catalogues/profiles/p?member=a%20b", False),
}


@pytest.mark.parametrize("name", list(INTERPOLATED))
def test_bad_iri_text_rejected(api: Api, name: str) -> None:
    method, path, as_admin = INTERPOLATED[name]
    headers = api.admin if as_admin else {}

    with unchanged(api):
        response = api.client.request(method, path, headers=headers)

    assert_clear_4xx(response)
