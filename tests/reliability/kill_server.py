"""A prepared process that forks the real `flask --app registry harvest …` and kills it with SIGKILL.

Run as ``python -m tests.reliability.kill_server`` with the registry's REGISTRY_* variables set.
Python, Flask, the registry and the language model are loaded once here; each request forks a
child that runs the real command line (flask.cli.main, exactly what the `flask` script runs) and
is killed at the moment the request asks for:

- ``{"mode": "delay", "delay": s}``: s seconds after the fork;
- ``{"mode": "write", "nth": n, "jitter": s}``: s seconds after the n-th write transaction wrote
  its first row (so the kill lands inside or just after a write);
- ``{"mode": "none"}``: not at all (a complete run, to measure one).

The child reports what it does through a pipe, one byte per event: ``W`` the first row a write
transaction writes, ``C`` a commit starting, ``c`` a commit done, ``r`` a rollback. Read after the
child is dead, the bytes say exactly where it was killed. Each answer is one JSON line:
``{"killed": bool, "status": exit status or -signal, "events": "WCcWC…", "seconds": s}``.
"""
from __future__ import annotations

import json
import os
import select
import signal
import sys
import time

import flask.cli
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

import harvesters.language
import registry  # noqa: F401  (imported once, before any fork)
import registry.cli  # noqa: F401

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _instrument(fd: int) -> None:
    """Report the child's transactions on ``fd`` (runs in the child only)."""
    state = {"wrote": False}

    def emit(byte: bytes) -> None:
        os.write(fd, byte)

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        if not state["wrote"] and statement.lstrip().upper().startswith(_WRITES):
            state["wrote"] = True
            emit(b"W")

    @event.listens_for(Engine, "commit")
    def _commit(conn):
        emit(b"C")

    @event.listens_for(Engine, "rollback")
    def _rollback(conn):
        state["wrote"] = False
        emit(b"r")

    @event.listens_for(Session, "after_commit")
    def _committed(session):
        state["wrote"] = False
        emit(b"c")


def _child(fd: int, sources: list[str], log: str) -> None:
    code = 70
    try:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdin.close()
        _instrument(fd)
        sys.argv = ["flask", "--app", "registry", "harvest", *sources]
        try:
            flask.cli.main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(fd: int, timeout: float) -> bytes | None:
    """What the child wrote within ``timeout`` (b"" if nothing), or None at the end of the pipe (it exited)."""
    ready, _, _ = select.select([fd], [], [], max(timeout, 0))
    if not ready:
        return b""
    return os.read(fd, 4096) or None


def run(request: dict) -> dict:
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, request["sources"], request["log"])
    os.close(write_fd)
    events = b""
    mode = request["mode"]
    deadline = started + request.get("delay", 0)
    finished = False
    while True:
        timeout = deadline - time.monotonic() if mode == "delay" else 60
        if mode == "delay" and timeout <= 0:
            break
        chunk = _wait(read_fd, timeout)
        if chunk is None:
            finished = True
            break
        events += chunk
        if mode == "write" and events.count(b"W") >= request["nth"]:
            time.sleep(request.get("jitter", 0))
            break
    if not finished:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    while (chunk := _wait(read_fd, 0)):  # what the child wrote before it died
        events += chunk
    os.close(read_fd)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return {"killed": code == -signal.SIGKILL, "status": code, "events": events.decode(),
            "seconds": time.monotonic() - started}


def main() -> int:
    harvesters.language._identifier()  # load the language model once, for every child
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(run(json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
