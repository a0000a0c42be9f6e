"""gunicorn settings for `make serve` (``-c python:registry.gunicorn_hooks``).

The arbiter imports the registry and makes the app once (``preload_app``), then reads what every
worker would otherwise read on its first request — the language-name table, the SPDX licence
list, every template compiled — and only then forks the workers. A new worker, at start or when
one is replaced after a crash or a timeout, so skips the second or so of imports, shares those
tables' memory with the others, and starts in milliseconds. Before it takes a request, each
worker drops the database connections it inherited (a connection must never be shared by two
processes), opens the machine's shared search index and answers one search, so its first real
search is as fast as the others.
"""

from __future__ import annotations

preload_app = True

#: The query a new worker answers before it takes requests: a common word, so the answer walks
#: the text, ranking, facet and page paths once.
WARMING_QUERY = "model"


def when_ready(server) -> None:
    """In the arbiter, after the app is made and before the first worker is forked."""
    from .facets import spdx_licensing
    from .search.languages import language_names

    app = server.app.wsgi()
    language_names()
    spdx_licensing()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def post_fork(server, worker) -> None:
    """In each new worker, just after the fork: leave the arbiter's database connections to it."""
    from .db import get_engine

    app = server.app.wsgi()
    if getattr(app, "extensions", None) and "registry_engine" in app.extensions:
        # Any pooled connection was opened by the arbiter and must not be used by two processes:
        # start a pool of our own without closing those, which would close them for the arbiter too.
        get_engine(app).dispose(close=False)


def post_worker_init(worker) -> None:
    from sqlmodel import Session
    from werkzeug.datastructures import MultiDict

    from .db import get_engine
    from .search import warm
    from .services.listing import list_entries, parse_entry_query

    app = worker.wsgi
    if getattr(app, "extensions", None) and "registry_engine" in app.extensions:
        engine = get_engine(app)
        if warm(engine):
            with app.app_context(), Session(engine) as session:
                list_entries(session, query=parse_entry_query(MultiDict([("q", WARMING_QUERY)])))
