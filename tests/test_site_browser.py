"""The timeline in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import need_env
from playwright.sync_api import sync_playwright
from sitehelp import build, hostile_event, prepared

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(make_config, sqlite_url, tmp_path):
    config = make_config()
    engine = prepared(config, sqlite_url)
    hostile_event(engine)
    out = tmp_path / "site"
    build(config, engine, out)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser():
    executable = need_env("VEILLEUR_TEST_CHROMIUM")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield instance
        instance.close()


def test_the_vsa_timeline_filters_searches_and_stays_inert(served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served}/dossiers/vsa/index.html")
    page.wait_for_selector("#filtres:not([hidden])")
    events = page.locator("li.event")
    assert events.count() == 61
    dates = events.evaluate_all("els => els.map(e => e.dataset.date)")
    assert dates == sorted(dates, reverse=True)
    # the hostile title is text, and its script never ran
    assert page.evaluate("window.pwned === undefined")
    assert "<script>window.pwned=1</script>" in page.inner_text("body")
    page.select_option("#kind", "decree")
    visible = page.locator("li.event:not([hidden])")
    assert visible.count() == 3
    assert set(visible.evaluate_all("els => els.map(e => e.dataset.kind)")) == {"decree"}
    page.select_option("#kind", "")
    page.fill("#q", "2023-380")
    found = visible.evaluate_all("els => els.map(e => e.dataset.key)")
    assert "20230519-jorftext000047561974" in found and 0 < len(found) < 61
    page.fill("#q", "")
    page.fill("#from", "2025-01-01")
    page.fill("#to", "2025-03-31")
    assert all(
        "2025-01-01" <= d <= "2025-03-31"
        for d in visible.evaluate_all("els => els.map(e => e.dataset.date)")
    )
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.fill("#from", "")
    page.fill("#to", "")
    page.screenshot(path=str(ARTIFACTS / "vsa-desktop.png"), full_page=True)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{served}/dossiers/vsa/index.html")
    phone.wait_for_selector("#filtres:not([hidden])")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.screenshot(path=str(ARTIFACTS / "vsa-phone.png"), full_page=True)


def test_without_javascript_everything_is_readable(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/dossiers/vsa/index.html")
    assert page.locator("li.event").count() == 61
    assert page.locator("#filtres").is_hidden()
    page.goto(f"{served}/index.html")
    assert "Vidéosurveillance algorithmique" in page.inner_text("main")
    context.close()
