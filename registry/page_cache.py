"""Rendered pages for anonymous readers, kept in each web process and never served stale.

Every committed write bumps one counter in the database (``page_generation``, in the same
transaction as the write), and a page rendered while the counter read *g* is served again only
while it still reads *g*. A hit costs one primary-key read instead of a dozen queries, Markdown
rendering and a template; any write anywhere (an edit, a harvest run, a translation, a new entry
a relation points at) makes every cached page miss once. Pages for signed-in people, pages that
set a cookie or carry a flashed message, and anything but the read-only pages below are never
cached. ``PAGE_CACHE_SIZE`` (pages per process, default 512; 0 turns it off) bounds the memory.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import NamedTuple

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import get_engine
from .extensions import UI_COOKIE

#: Read-only pages whose content depends only on the database, the URL and the reader's language.
CACHED_ENDPOINTS = frozenset({"pages.home", "pages.entries", "pages.entry"})
_BUMP = sa.text("UPDATE page_generation SET n = n + 1 WHERE id = 1")
_READ = "SELECT n FROM page_generation WHERE id = 1"


class _Page(NamedTuple):
    generation: int
    body: bytes
    headers: list[tuple[str, str]]


class PageCache:
    """A bounded, thread-safe least-recently-used map of rendered pages."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, _Page] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple, generation: int) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.generation != generation:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple, page: _Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


# --- the counter: bumped by every session that wrote -----------------------------------------


def _has_counter(conn: sa.Connection) -> bool:
    # Checked on every write (a cheap catalogue lookup): a database part-way through its migrations,
    # or taken down below the counter's migration, is written without it.
    return sa.inspect(conn).has_table("page_generation")


def _wrote(session: Session, _context) -> None:
    session.info["registry_wrote"] = True


_WRITING_SQL = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _bulk_wrote(state) -> None:
    # ORM-enabled update()/delete()/insert() statements and textual SQL (the search index,
    # `reindex`) write without a flush.
    statement = state.statement
    if (
        state.is_update
        or state.is_delete
        or state.is_insert
        or (isinstance(statement, sa.TextClause) and _WRITING_SQL.match(statement.text))
    ):
        state.session.info["registry_wrote"] = True


def _bump(session: Session) -> None:
    if session.info.pop("registry_wrote", False):
        conn = session.connection()
        if _has_counter(conn):
            conn.execute(_BUMP)


def _forget(session: Session) -> None:
    session.info.pop("registry_wrote", None)


_COUNTER_LISTENERS = (
    ("after_flush", _wrote),
    ("do_orm_execute", _bulk_wrote),
    ("before_commit", _bump),
    ("after_rollback", _forget),
)


def bind_write_counter() -> None:
    """Make every session of this process bump the write counter when it commits a write (once per process).

    Bound whether or not this process caches pages: the web processes' caches depend on every
    writer — the CLI, workers, other hosts — moving the counter.
    """
    for name, listener in _COUNTER_LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def current_generation(app: Flask) -> int | None:
    """Return the database's write counter, or None when it cannot be read (the page is then not cached)."""
    try:
        with get_engine(app).connect() as conn:
            return conn.exec_driver_sql(_READ).scalar()
    except sa.exc.DBAPIError:
        return None


# --- the web side -------------------------------------------------------------------------------


def _key() -> tuple | None:
    """Return the cache key for this request, or None when its page must not be cached."""
    if request.method != "GET" or request.endpoint not in CACHED_ENDPOINTS:
        return None
    if request.authorization is not None or request.headers.get("Authorization"):
        return None
    if not set(request.cookies) <= {UI_COOKIE}:
        return None  # a session or remember-me cookie: the page may be someone's own
    # Everything the page is made from besides the database: the address (canonical links are
    # absolute; every link starts with where the app is mounted), the query, and what chooses the languages.
    return (
        request.root_url,
        request.full_path,
        request.headers.get("Accept-Language", ""),
        request.cookies.get(UI_COOKIE, ""),
    )


def init_app(app: Flask) -> None:
    """Serve cached anonymous pages before the view runs; keep the ones it renders. Call last in create_app."""
    bind_write_counter()
    size = int(app.config.get("PAGE_CACHE_SIZE", 0) or 0)
    if size <= 0:
        return
    cache = PageCache(size)
    app.extensions["registry_page_cache"] = cache

    @app.before_request
    def _serve_cached():
        key = _key()
        if key is None:
            return None
        generation = current_generation(current_app)
        if generation is None:
            return None
        page = cache.get(key, generation)
        if page is None:
            g.page_cache = (key, generation)
            return None
        return Response(page.body, status=200, headers=page.headers)

    @app.after_request
    def _keep(response: Response) -> Response:
        # Registered last, so it runs first: it sees the view's own response, before the cache
        # and security headers (which are added again to every response, cached or not).
        pending = g.pop("page_cache", None)
        if (
            pending is None
            or response.status_code != 200
            or response.direct_passthrough
            or response.is_streamed
            or response.headers.get("Set-Cookie")
            or session
            or session.modified
        ):
            return response
        key, generation = pending
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        cache.put(key, _Page(generation, response.get_data(), headers))
        return response
