"""`make serve`'s gunicorn, for real: two workers forked from an arbiter that made the app once.

The workers share nothing but the database and the machine's search index: each answers
searches, each finds an entry written after it started (by another process, as a harvest
would), and a worker killed with SIGKILL is replaced by a fork that answers at once and reads
the same data.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import add_entry

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(p) for p in found}


def _search(port: int, q: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/entries?q={q}", timeout=10) as answer:
        return json.loads(answer.read())


def _until(check, what: str, limit: float = 60):
    deadline = time.monotonic() + limit
    while True:
        try:
            found = check()
            if found:
                return found
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def served(app, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("serves the SQLite file of the test's app (the PostgreSQL pass covers the same code in process)")
    add_entry(app, "lab/first", name="Kiswahili Tokenizer", summary="Splits Swahili text into words.")
    port = _port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": app.config["DATABASE_URL"], "REGISTRY_SECRET_KEY": "serve-test",
           "REGISTRY_INSTANCE_PATH": app.config["INSTANCE_PATH"], "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "-c", "python:registry.gunicorn_hooks", "registry:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        _until(lambda: len(_children(server.pid)) == 2 and _search(port, "tokenizer"), "both workers up")
        yield server, port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_forked_workers_answer_see_new_writes_and_are_replaced(app, served):
    server, port = served
    first = _search(port, "tokenizer")
    assert [e["slug"] for e in first["items"]] == ["lab/first"]

    # Written by another process after the workers started: every worker finds it (several
    # requests, so both workers answer some of them).
    add_entry(app, "lab/second", name="Yoruba Tokenizer", summary="Splits Yoruba text into words.")
    for _ in range(10):
        assert _search(port, "tokenizer")["total"] == 2

    before = _children(server.pid)
    victim = sorted(before)[0]
    os.kill(victim, signal.SIGKILL)
    _until(lambda: len(_children(server.pid) - before) == 1 and len(_children(server.pid)) == 2,
           "the killed worker replaced")
    add_entry(app, "lab/third", name="Hausa Tokenizer", summary="Splits Hausa text into words.")
    for _ in range(10):
        assert _search(port, "tokenizer")["total"] == 3
    assert server.poll() is None
