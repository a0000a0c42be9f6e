"""The scheduler: queue the sources that are due, and fold the search index's changes into a new shared set, every so often."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from flask import Flask

from .queue import JobRef


def run_scheduler(
    app: Flask,
    *,
    interval: float,
    ticks: int | None = None,
    report: Callable[[list[JobRef], list[JobRef]], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> int:
    """Queue the due sources and discoveries every ``interval`` seconds until stopped (SIGTERM, SIGINT) or ``ticks`` ran out."""
    from ..db import sessions
    from ..search.build import fold_for_app
    from ..services.discoveries import queue_due_discoveries
    from ..services.sources import queue_due_sources

    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
    done = 0
    while not stop.is_set():
        try:
            with app.app_context(), sessions(app).read() as session:
                queued, pending = queue_due_sources(session)
        except Exception as err:
            if on_error:
                on_error(err)
        else:
            if report:
                report(queued, pending)
        try:  # discoveries due now: each one a queued job (its items then harvested by the workers)
            with app.app_context(), sessions(app).read() as session:
                queue_due_discoveries(session)
        except Exception as err:
            if on_error:
                on_error(err)
        try:  # the machine's shared search index: the change log folded into a new set when grown
            with app.app_context():
                fold_for_app(app)
        except Exception as err:
            if on_error:
                on_error(err)
        done += 1
        if ticks is not None and done >= ticks:
            break
        stop.wait(interval)
    return done
