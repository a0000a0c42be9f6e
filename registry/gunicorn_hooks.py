"""gunicorn settings for `make serve` (``-c python:registry.gunicorn_hooks``).

Each worker reads the search index into its in-memory copy before it takes a request, so the
first search after a start or a restart is as fast as the others (about 7 s of start-up per
worker at 100k entries, instead of one slow search).
"""

from __future__ import annotations


def post_worker_init(worker) -> None:
    from .db import get_engine
    from .search import warm

    app = worker.wsgi
    if getattr(app, "extensions", None) and "registry_engine" in app.extensions:
        warm(get_engine(app))
