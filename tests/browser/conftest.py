"""Real Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright, one browser per
session, a fresh context per test, the app served by werkzeug on a free port against a real SQLite file."""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from registry import create_app
from registry.db import get_engine
from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
# Quiet and offline: no sandbox (containers), no GPU, no QUIC, no first-run or background traffic.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str) -> None:
    # On a developer machine a missing browser skips these tests; in CI it is a failure.
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session."""
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed at /usr/bin/chromium: "
                     "apt-get install chromium fonts-noto-core fonts-noto-cjk")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(tmp_path, template_db):
    """The registry on 127.0.0.1:<free port>, in a thread, on its own migrated SQLite file."""
    db_path = tmp_path / "browser.db"
    shutil.copyfile(template_db, db_path)
    app = create_app({
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "browser-test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "HARVEST_TIMEOUT": 30,
        # The test submits a repository built on this machine.
        "HARVEST_ALLOW_LOCAL": True,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        get_engine(app).dispose()


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts (one per person) that only ever reach the live server; all closed after the test."""
    opened = []

    def open_context(**options):
        ctx = browser.new_context(base_url=live_server.url, locale="en-US", **options)
        ctx.set_default_timeout(20_000)
        # Nothing but the registry under test is fetched: a test never reaches the internet.
        ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else route.abort())
        opened.append(ctx)
        return ctx

    yield open_context
    for ctx in opened:
        ctx.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context."""
    return new_context().new_page()
