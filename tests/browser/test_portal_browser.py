"""The portal in a real browser: Debian's Chromium, headless, driven by Playwright.

A uvicorn server of the app runs in a subprocess on a free loopback port with its own data
folder, so the pages, the vendored SPARQL editor and the upload form run exactly as served.
Chromium comes from Debian (``apt-get install -y chromium``), never from ``playwright
install``, which downloads a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vic_semantic.access import Role, TokenRegistry

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
DAIRY_EXPORT = REPO / "demo" / "catalogues" / "dairy-plant-1c-export.csv"
START_TIMEOUT_S = 120.0

if not CHROMIUM.is_file():
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's browser with `apt-get install -y chromium` "
        "to run the browser tests",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install playwright"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data folder; tokens created in its tokens.json are valid on the server."""
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="module")
def base_url(data_dir: Path) -> Iterator[str]:
    """A real uvicorn server of the app over a fresh demo store, stopped after the module."""
    log = data_dir / "server.log"
    port = _free_port()
    env = {**os.environ, "VIC_DATA_DIR": str(data_dir)}
    command = [
        sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ru-RU")
    opened = context.new_page()
    yield opened
    context.close()


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Кластер кратко"),
        ("/members", "Участники"),
        ("/members/molochnyj-zavod-1", "Молочный завод №1"),
        ("/analytics", "Аналитика кластера"),
        ("/editor", "Редактор запросов SPARQL"),
        ("/upload", "Проверка файлов участника"),
        ("/mapping", "Сопоставление каталога с онтологией"),
        ("/mapping?lang=en", "Catalogue mapping to the ontology"),
        ("/?lang=en", "The cluster at a glance"),
    ],
)
def test_page_loads(page: Any, base_url: str, path: str, heading: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(base_url + path)

    assert response is not None and response.status == 200
    assert page.locator("h1").first.inner_text() == heading
    assert errors == []


def test_charts_render_as_images(page: Any, base_url: str) -> None:
    page.goto(base_url + "/analytics")

    for image in page.locator("figure img").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt")


def test_narrow_screen_has_no_page_scroll(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    narrow = context.new_page()
    try:
        narrow.goto(base_url + "/")
        overflow = narrow.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        context.close()


def test_keyboard_reaches_skip_link(page: Any, base_url: str) -> None:
    page.goto(base_url + "/members")

    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_editor_runs_named_query(page: Any, base_url: str) -> None:
    page.goto(base_url + "/editor")
    page.wait_for_selector(".CodeMirror")

    page.select_option("#named-query", "members-without-role")
    page.click("#load-query")

    results = page.locator(".yasr")
    results.get_by_text("Лаборатория испытаний (условная)").first.wait_for(timeout=20_000)
    assert page.locator("#download-csv").get_attribute("href") == (
        "/api/cluster/queries/members-without-role?format=csv"
    )


def test_editor_highlights_syntax(page: Any, base_url: str) -> None:
    page.goto(base_url + "/editor?query=members-with-api")
    page.wait_for_selector(".CodeMirror")

    assert page.locator(".CodeMirror .cm-keyword").count() > 0


def test_upload_shows_findings(page: Any, base_url: str) -> None:
    page.goto(base_url + "/upload")

    page.set_input_files("#file", str(DAIRY_EXPORT))
    page.get_by_role("button", name="Проверить").click()

    row = page.locator("section.report-row", has_text="Строка 5").first
    row.wait_for(timeout=30_000)
    assert "9520001000051" in row.inner_text()
    assert "контрольная цифра GTIN" in row.inner_text()
    assert "Найдено замечаний" in page.locator("#report-status").inner_text()


def _map_dairy_export(page: Any) -> None:
    page.set_input_files("#file", str(DAIRY_EXPORT))
    page.get_by_role("button", name="Сопоставить", exact=True).click()
    page.locator("table.mapping").first.wait_for(timeout=60_000)


def test_mapping_shows_suggested_classes(page: Any, base_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base_url + "/mapping")

    _map_dairy_export(page)

    kefir = page.locator("tr", has_text="Кефир 1% 900 г п/э")
    assert kefir.locator("td.suggested").inner_text() == "кефир"
    assert kefir.locator("td.suggested a").get_attribute("href") == "/ontology/Kefir?lang=ru"
    assert kefir.locator("td[data-status]").inner_text() == "сопоставлена"
    gift = page.locator("tr", has_text="Набор подарочный")
    assert gift.locator("td[data-status]").get_attribute("data-status") == "unmapped"
    assert "Позиций: 30" in page.locator("#mapping-status").inner_text()
    assert errors == []


def test_mapping_correction_saved_and_wins(page: Any, base_url: str, data_dir: Path) -> None:
    _, token = TokenRegistry(data_dir / "tokens.json").create(
        Role.MEMBER, member="molochnyj-zavod-1", label="browser test"
    )
    page.goto(base_url + "/mapping")
    _map_dairy_export(page)
    row = page.locator("tr", has_text="Сыр полутвердый «Приднепровский»")
    assert row.locator("td.suggested").inner_text() != "сыр полутвёрдый"

    row.get_by_label("Решение для строки 14").select_option("vic:SemiHardCheese")
    page.get_by_label("Токен участника (Bearer)").fill(token)
    page.get_by_role("button", name="Сохранить решения").click()

    saved = page.locator("#save-status")
    saved.get_by_text("Сохранено решений: 1 (molochnyj-zavod-1)").wait_for(timeout=30_000)
    assert "status error" not in (saved.get_attribute("class") or "")
    assert token not in page.url

    _map_dairy_export(page)
    row = page.locator("tr", has_text="Сыр полутвердый «Приднепровский»")
    row.locator("td.suggested", has_text="сыр полутвёрдый").wait_for(timeout=30_000)
    assert row.locator("td.confidence").get_attribute("data-confidence") == "1"
    assert row.locator("td.confidence").inner_text() == "1,00"
    status = row.locator("td[data-status]")
    assert status.get_attribute("data-justification") == "semapv:ManualMappingCuration"
    assert "исправление участника" in row.inner_text()
    assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0


def test_mapping_save_shows_api_error(page: Any, base_url: str) -> None:
    page.goto(base_url + "/mapping")
    _map_dairy_export(page)

    page.locator("tr", has_text="Кефир 1% 900 г п/э").locator("select").select_option("vic:Kefir")
    page.get_by_label("Токен участника (Bearer)").fill("vic_not-a-real-token")
    page.get_by_role("button", name="Сохранить решения").click()

    failed = page.locator("#save-status")
    failed.get_by_text("Токен не найден или отозван").wait_for(timeout=30_000)
    assert "Решение не сохранено: Строка 4 (МЗ1-0004)" in failed.inner_text()
    assert failed.get_attribute("class") == "status error"


def test_mapping_admin_saves_for_chosen_member(
    page: Any, base_url: str, data_dir: Path
) -> None:
    _, token = TokenRegistry(data_dir / "tokens.json").create(Role.ADMIN, label="browser test")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "/mapping")
    _map_dairy_export(page)

    page.locator("tr", has_text="Кефир 1% 900 г п/э").locator("select").select_option("vic:Kefir")
    page.get_by_label("Токен участника (Bearer)").fill(token)
    page.get_by_role("button", name="Сохранить решения").click()
    status = page.locator("#save-status")
    status.get_by_text("выберите участника").wait_for(timeout=30_000)
    focused = page.evaluate("document.activeElement.id")

    page.get_by_label("Участник, за которого сохраняются решения").select_option(
        "molochnyj-zavod-2"
    )
    page.get_by_role("button", name="Сохранить решения").click()

    status.get_by_text("Сохранено решений: 1 (molochnyj-zavod-2)").wait_for(timeout=30_000)
    assert focused == "member-select"
    assert status.get_attribute("class") == "status"
    corrections = [url for url in requests if "/catalogues/map/corrections" in url]
    assert corrections[-1].endswith("/catalogues/map/corrections?member=molochnyj-zavod-2")
    assert token not in " ".join(requests)


def test_mapping_member_cannot_save_for_another(
    page: Any, base_url: str, data_dir: Path
) -> None:
    _, token = TokenRegistry(data_dir / "tokens.json").create(
        Role.MEMBER, member="molochnyj-zavod-3", label="browser test"
    )
    page.goto(base_url + "/mapping?lang=en")
    page.set_input_files("#file", str(DAIRY_EXPORT))
    page.get_by_role("button", name="Map", exact=True).click()
    page.locator("table.mapping").first.wait_for(timeout=60_000)

    page.locator("tr", has_text="Кефир 1% 900 г п/э").locator("select").select_option("vic:Kefir")
    page.get_by_label("Member token (Bearer)").fill(token)
    page.get_by_label("Member whose decisions are saved").select_option("myasokombinat-1")
    page.get_by_role("button", name="Save decisions").click()

    status = page.locator("#save-status")
    status.get_by_text("Decision not saved").wait_for(timeout=30_000)
    assert status.get_attribute("class") == "status error"


def test_mapping_page_fits_narrow_screen(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    narrow = context.new_page()
    try:
        narrow.goto(base_url + "/mapping")
        _map_dairy_export(narrow)
        overflow = narrow.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        context.close()


def test_mapping_keyboard_reaches_decision(page: Any, base_url: str) -> None:
    page.goto(base_url + "/mapping")
    _map_dairy_export(page)

    page.focus("#member-token")
    page.keyboard.press("Tab")
    focused_after_token = page.evaluate("document.activeElement.id")
    page.keyboard.press("Tab")
    focused_after_member = page.evaluate("document.activeElement.id")
    page.locator("#decision-0-1").focus()
    page.keyboard.press("ArrowDown")

    assert focused_after_token == "member-select"
    assert focused_after_member == "file"
    assert page.locator("#decision-0-1").input_value() == "vic:PasteurisedMilk"
