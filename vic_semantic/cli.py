"""The ``vic-semantic`` command: serve, load, validate, dump and check the ontology."""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from vic_semantic.config import Settings
from vic_semantic.errors import InputError, RdfSyntaxError, VicError

if TYPE_CHECKING:
    from vic_semantic.backup import BackupManifest
    from vic_semantic.service import VicService
    from vic_semantic.validation import ValidationReport

app = typer.Typer(
    help="vic-semantic: семантическая совместимость ВИК / cluster semantic interoperability.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
logger = logging.getLogger(__name__)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder of the persistent store (default: var/)."),
]


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    turtle = "turtle"


class DumpFormat(StrEnum):
    trig = "trig"
    nquads = "nquads"


def _settings(data_dir: Path | None, **overrides: object) -> Settings:
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return Settings(**overrides)  # type: ignore[arg-type]


def _fail(error: VicError, lang: str = "ru") -> typer.Exit:
    console.print(f"[red]{error.message(lang)}[/red]")
    return typer.Exit(code=2)


def _open_service(settings: Settings) -> VicService:
    """Open the service for a command, naming a running server as the likely lock holder."""
    from vic_semantic.errors import StoreError
    from vic_semantic.service import VicService

    try:
        return VicService.open(settings)
    except StoreError as error:
        if "lock" not in str(error).lower():
            raise _fail(error) from error
        console.print(
            f"[red]Хранилище {settings.data_dir} занято: его держит запущенный сервер "
            "vic-semantic (или другой процесс). Остановите сервер и повторите команду, или "
            "работайте через его API (выгрузка: GET /graphs, загрузка: PUT /graphs?graph=...). / "
            f"The store at {settings.data_dir} is in use by a running vic-semantic server (or "
            "another process). Stop the server and run the command again, or use its API "
            "(dump: GET /graphs, load: PUT /graphs?graph=...).[/red]"
        )
        raise typer.Exit(code=2) from None


@app.callback()
def _configure_logging(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Serve the API and the demo cluster on http://HOST:PORT.

    On SIGTERM or Ctrl-C the server stops accepting connections, finishes the requests in
    progress (for at most shutdown_timeout_seconds), then flushes and closes the store.
    """
    import uvicorn

    from api.main import create_app
    from vic_semantic.logs import configure_logging

    settings = _settings(data_dir, base_url=f"http://{host}:{port}")
    configure_logging(settings.log_format, logging.getLogger().level)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        # The request middleware logs each request once, with its id and principal.
        access_log=False,
        # Longer than the idle time after which clients drop pooled connections (httpx: 5 s),
        # so the server never closes a connection at the moment a client reuses it.
        timeout_keep_alive=75,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
    )


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files or member files to load.")],
    graph: Annotated[
        str | None, typer.Option(help="Named graph IRI for RDF files (default: one per file).")
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(help="Member slug that owns member files (CSV, XLSX, JSON)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Load files into the store: each RDF file replaces its named graph whole, and several
    files into one --graph replace it with their union.

    RDF files into new or empty graphs are loaded together in one bulk pass, which lands
    whole or not at all; the inferences are updated once, after the last file.
    """
    from vic_semantic.loading import load_paths

    service = _open_service(_settings(data_dir, load_demo=False))
    try:
        for line in load_paths(service, files, graph=graph, member=member):
            console.print(line)
    except VicError as error:
        raise _fail(error) from error
    finally:
        service.close()


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Member files or RDF files to validate.")],
    output: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = (
        ReportFormat.table
    ),
    lang: Annotated[str, typer.Option(help="Language of the messages: ru or en.")] = "ru",
) -> None:
    """Validate files offline, without a server; exit code 1 when a violation is found.

    Member files (CSV, XLSX, JSON) are validated together, so deliveries are checked against
    the treatments given with them. RDF files are merged into one data graph.
    """
    try:
        report = _validate_paths(files)
    except OSError as error:
        raise _fail(_unreadable(error), lang) from error
    except VicError as error:
        raise _fail(error, lang) from error

    if output is ReportFormat.json:
        sys.stdout.write(json.dumps(report.to_json(lang), ensure_ascii=False, indent=2) + "\n")
    elif output is ReportFormat.turtle:
        sys.stdout.write(report.to_turtle())
    else:
        _print_report(report.to_json(lang), lang)
    raise typer.Exit(code=0 if report.conforms else 1)


def _unreadable(error: OSError) -> InputError:
    """Return the bilingual error for a file the command cannot read."""
    name = error.filename or ""
    return InputError(
        f"Файл {name} не прочитан: {error.strerror or error}. Проверьте путь и права на "
        "чтение.",
        f"Could not read {name}: {error.strerror or error}. Check the path and the read "
        "permission.",
    )


def _validate_paths(files: list[Path]) -> ValidationReport:
    from vic_semantic.rdf import parse_rdf, to_rdflib
    from vic_semantic.sparql.formats import FILE_EXTENSIONS
    from vic_semantic.validation import validate_files, validate_graph

    rdf = [path for path in files if path.suffix.lower() in FILE_EXTENSIONS]
    if rdf and len(rdf) < len(files):
        raise InputError(
            "Проверяйте RDF и файлы участников (CSV, XLSX, JSON) отдельными командами.",
            "Validate RDF files and member files (CSV, XLSX, JSON) in separate runs.",
        )
    if not rdf:
        # The limits come from the environment (VIC_MAX_CATALOGUE_ROWS and _COLUMNS), as
        # for the server.
        limits = Settings().read_limits
        return validate_files([(path.name, path.read_bytes()) for path in files], limits=limits)

    quads = []
    for path in rdf:
        try:
            quads.extend(parse_rdf(path.read_bytes(), FILE_EXTENSIONS[path.suffix.lower()]))
        except RdfSyntaxError as error:
            raise InputError(
                f"Файл «{path.name}»: {error.message_ru}", f"File '{path.name}': {error.message_en}"
            ) from error
    return validate_graph(to_rdflib(quads))


REPORT_COLUMNS = ("file", "row", "column", "value", "severity", "message")
# A tab or line break inside a value would split its line of tab-separated output.
FIELD_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def _print_report(report: dict[str, object], lang: str) -> None:
    english = lang == "en"
    results = report.get("results")
    rows = results if isinstance(results, list) else []
    cells = [[str(result.get(key) or "") for key in REPORT_COLUMNS] for result in rows]
    out = Console()
    if out.is_terminal:
        table = Table(title="Validation report" if english else "Отчёт о проверке")
        for column in REPORT_COLUMNS:
            # Folding wraps a long value (a GTIN, a code) instead of cutting it with "…".
            table.add_column(column, overflow="fold")
        for values in cells:
            table.add_row(*values)
        out.print(table)
    else:
        # Piped output gets one finding per line, tab-separated, so that no width cuts a
        # value and grep or a spreadsheet can read it.
        sys.stdout.write("\t".join(REPORT_COLUMNS) + "\n")
        for values in cells:
            sys.stdout.write("\t".join(value.translate(FIELD_BREAKS) for value in values) + "\n")
    verdict = report.get("conforms")
    if english:
        console.print("Conforms." if verdict else f"{len(rows)} finding(s).")
    else:
        console.print("Данные соответствуют правилам." if verdict else f"Замечаний: {len(rows)}.")


@app.command()
def dump(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    rdf_format: Annotated[DumpFormat, typer.Option("--format", help="Dataset syntax.")] = (
        DumpFormat.trig
    ),
    data_dir: DataDir = None,
) -> None:
    """Write the whole dataset, every named graph included, as TriG or N-Quads."""
    import pyoxigraph as ox

    chosen = ox.RdfFormat.TRIG if rdf_format is DumpFormat.trig else ox.RdfFormat.N_QUADS
    service = _open_service(_settings(data_dir, load_demo=False))
    try:
        data = service.store.dump(chosen)
    finally:
        service.close()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        console.print(f"{len(data)} bytes → {output}")


@app.command("check-ontology")
def check_ontology() -> None:
    """Check the ontology: quality rules, the OWL 2 DL profile, then HermiT consistency;
    exit code 1 on a problem."""
    from vic_semantic.ontology.consistency import check_consistency
    from vic_semantic.ontology.loader import load_ontology_graph
    from vic_semantic.ontology.profile import profile_problems
    from vic_semantic.ontology.quality import quality_problems

    graph = load_ontology_graph()
    problems = [*quality_problems(graph), *profile_problems(graph)]
    for problem in problems:
        console.print(f"[yellow]{problem}[/yellow]")
    report = check_consistency(graph)
    console.print(
        f"HermiT: consistent={report.consistent}, unsatisfiable={len(report.unsatisfiable_classes)}"
    )
    for name in report.unsatisfiable_classes:
        console.print(f"[red]unsatisfiable: {name}[/red]")
    if problems or not report.consistent or report.unsatisfiable_classes:
        raise typer.Exit(code=1)
    console.print("[green]Ontology OK[/green]")


token_app = typer.Typer(help="Bearer tokens: create, list and revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="analyst, member or admin.")],
    member: Annotated[
        str | None, typer.Option(help="Member slug, for the member role (molochnyj-zavod-1).")
    ] = None,
    label: Annotated[str, typer.Option(help="A note saying who holds the token.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create a token and print it once; only its SHA-256 digest is stored."""
    from vic_semantic.access import Role, TokenRegistry

    settings = _settings(data_dir)
    try:
        chosen = Role(role)
    except ValueError as error:
        console.print(f"[red]Unknown role '{role}'; use analyst, member or admin.[/red]")
        raise typer.Exit(code=2) from error
    if chosen is Role.MEMBER and member:
        _check_member_registered(settings, member)
    registry = TokenRegistry(settings.data_dir / "tokens.json")
    try:
        token_id, secret = registry.create(chosen, member=member, label=label)
    except VicError as error:
        raise _fail(error) from error
    console.print(f"token id: {token_id} (the secret is shown only now)")
    sys.stdout.write(secret + "\n")


def _check_member_registered(settings: Settings, member: str) -> None:
    """Exit with an error when the store opens and does not describe ``member``.

    A store that cannot be opened (a running server has it open, or a remote one is down)
    only gets a warning: the administrator may create tokens before the server stops.
    """
    from vic_semantic.errors import StoreError
    from vic_semantic.member_registry import UnknownMemberError, is_registered_member
    from vic_semantic.service import VicService

    try:
        service = VicService.open(settings.model_copy(update={"load_demo": False}))
    except StoreError as error:
        console.print(
            f"[yellow]Не удалось проверить, что участник «{member}» зарегистрирован: "
            f"{error.message_ru} Токен создан без проверки. / Could not check that the "
            f"member '{member}' is registered: {error.message_en} The token is created "
            "unchecked.[/yellow]"
        )
        return
    try:
        registered = is_registered_member(service.store, member)
    finally:
        service.close()
    if not registered:
        raise _fail(UnknownMemberError(member))


@token_app.command("list")
def token_list(data_dir: DataDir = None) -> None:
    """List tokens by id, role and member; secrets are never shown."""
    from vic_semantic.access import TokenRegistry

    registry = TokenRegistry(_settings(data_dir).data_dir / "tokens.json")
    table = Table(title="Tokens")
    for column in ("id", "role", "member", "created", "label"):
        table.add_column(column)
    for record in registry.records():
        table.add_row(record.id, record.role, record.member or "", record.created, record.label)
    Console().print(table)


@token_app.command("revoke")
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke a token by id; requests with it are rejected from then on."""
    from vic_semantic.access import TokenRegistry

    registry = TokenRegistry(_settings(data_dir).data_dir / "tokens.json")
    try:
        registry.revoke(token_id)
    except VicError as error:
        raise _fail(error) from error
    console.print(f"revoked {token_id}")


@app.command()
def backup(
    destination: Annotated[Path, typer.Argument(help="New folder for the backup.")],
    server: Annotated[
        str | None,
        typer.Option(
            help="URL of a running vic-semantic server to back up online, e.g. "
            "http://127.0.0.1:8000; it needs the administrator's token in VIC_ADMIN_TOKEN."
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Back up the store into a new folder; writes may go on meanwhile.

    Without --server the command opens the store itself: a remote store (VIC_STORE_URL)
    while it serves, the embedded store only while no server holds it.
    """
    from vic_semantic.backup import backup as backup_store

    settings = _settings(data_dir, load_demo=False)
    try:
        if server is not None:
            manifest = _backup_from_server(server, settings, destination)
        else:
            service = _open_for_backup(settings)
            try:
                manifest = backup_store(service.store, settings.data_dir, destination)
            finally:
                service.close()
    except VicError as error:
        raise _fail(error) from error
    console.print(
        f"{manifest.kind}: {manifest.triples} triples in {len(manifest.graphs)} graphs → "
        f"{destination}"
    )


def _open_for_backup(settings: Settings) -> VicService:
    from vic_semantic.errors import StoreError
    from vic_semantic.service import VicService

    try:
        return VicService.open(settings)
    except StoreError as error:
        raise StoreError(
            f"{error.message_ru} Если хранилище открыто сервером, сделайте копию через него: "
            "vic-semantic backup ПАПКА --server http://127.0.0.1:8000.",
            f"{error.message_en} If a server holds the store, back it up through the server: "
            "vic-semantic backup FOLDER --server http://127.0.0.1:8000.",
        ) from error


def _backup_from_server(server: str, settings: Settings, destination: Path) -> BackupManifest:
    """Download the server's online backup (GET /admin/backup) and unpack it."""
    import tarfile
    import tempfile

    import httpx

    from vic_semantic.backup import BackupManifest, require_empty

    if not settings.admin_token:
        raise InputError(
            "Для копии через сервер задайте токен администратора в VIC_ADMIN_TOKEN.",
            "A backup through the server needs the administrator's token in VIC_ADMIN_TOKEN.",
        )
    require_empty(destination, "резервной копии", "backup")
    url = server.rstrip("/") + "/admin/backup"
    headers = {"Authorization": f"Bearer {settings.admin_token}"}
    with tempfile.TemporaryFile() as archive:
        with httpx.stream("GET", url, headers=headers, timeout=600) as response:
            if response.status_code != 200:
                response.read()
                raise InputError(
                    f"Сервер {url} ответил {response.status_code}: {response.text[:500]}",
                    f"The server {url} answered {response.status_code}: {response.text[:500]}",
                )
            for chunk in response.iter_bytes():
                archive.write(chunk)
        archive.seek(0)
        destination.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=archive, mode="r") as tar:
            tar.extractall(destination, filter="data")
    return BackupManifest.read(destination)


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="Backup folder made by the backup command.")],
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="New, empty data folder to restore into.")
    ],
) -> None:
    """Restore a backup into a new data folder; then serve it with --data-dir."""
    from vic_semantic.backup import restore as restore_backup

    try:
        manifest = restore_backup(source, data_dir)
    except VicError as error:
        raise _fail(error) from error
    console.print(
        f"restored {manifest.triples} triples in {len(manifest.graphs)} graphs into {data_dir}"
    )


def _register_map_command() -> None:
    from vic_semantic.mapping.cli import map_command

    app.command("map")(map_command)


_register_map_command()
