"""One database engine per app, sessions per request or per unit of work, and migrations.

Writers take the write lock up front on both databases, so that every service may read, check
and then write (a free slug, an unchanged base revision, a source not yet known) without another
writer slipping in between: ``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on
PostgreSQL. Write transactions here are short (clones and parsing run outside them), so one
writer at a time costs little; a writer waits up to 30 s for the lock on either database.

A database that cannot be written — a full disk, a read-only file system or server, an I/O
error — raises :class:`StorageError`: a 503 page or JSON error on the web, a one-line
``Error: …`` on the command line, and in both cases nothing half-written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from .errors import Unavailable
from .inputs import read_stored_json

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Seconds a writer waits for the write lock (SQLite's busy timeout, PostgreSQL's lock_timeout).
LOCK_TIMEOUT = 30
#: The advisory lock every PostgreSQL writer holds until it commits (advisory locks are per database).
WRITE_LOCK_KEY = -7495800854410506628  # sha256("ai-commons-registry writers")[:8]
_WRITE = "registry_write"


class StorageError(Unavailable, click.ClickException):  # type: ignore[misc]  # (click: message Final)
    """The database cannot be written (or opened): said in plain words, never half-applied.

    Also a ClickException, so every command of the CLI ends with ``Error: <message>`` and exit
    status 1 instead of a traceback.
    """

    def __init__(self, message: str):
        super().__init__(message)


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xff) and what they mean for an operator.
_SQLITE_PROBLEMS = {
    5: "the database stayed busy with another write for longer than the wait allows",  # SQLITE_BUSY
    8: "the database is read-only (a read-only disk or mount)",  # SQLITE_READONLY
    10: "the disk could not be written or read (input/output error: it may be full or failing)",  # SQLITE_IOERR
    13: "the disk is full",  # SQLITE_FULL
    14: "the database file cannot be opened (its folder may be missing or read-only)",  # SQLITE_CANTOPEN
}
# PostgreSQL's SQLSTATEs of the same troubles.
_POSTGRES_PROBLEMS = {
    "53100": "the database server's disk is full",  # disk_full
    "53000": "the database server ran out of resources",  # insufficient_resources
    "25006": "the database server is read-only (a standby, or writes are turned off)",  # read_only_sql_transaction
    "58030": "the database server could not read or write its disk",  # io_error
    "55P03": "the database stayed busy with another write for longer than the wait allows",  # lock_not_available
}


def storage_problem(err: BaseException) -> str | None:
    """Say in plain words why the database could not be used, when it is the storage's fault (else None)."""
    orig = getattr(err, "orig", None) or err
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return _SQLITE_PROBLEMS.get(code & 0xFF)
        text = str(orig).lower()  # Python before 3.11 has no error codes: match SQLite's own messages
        for needle, code in (
            ("database or disk is full", 13),
            ("readonly database", 8),
            ("disk i/o error", 10),
            ("unable to open database", 14),
            ("database is locked", 5),
        ):
            if needle in text:
                return _SQLITE_PROBLEMS[code]
        return None
    return _POSTGRES_PROBLEMS.get(getattr(orig, "sqlstate", None) or "")


def storage_error(err: BaseException, *, writing: bool) -> StorageError | None:
    """Return the StorageError that explains ``err`` to a person, or None when it is not a storage problem."""
    problem = storage_problem(err)
    if problem is None:
        return None
    if writing:
        return StorageError(
            f"The registry could not save this change: {problem}. Nothing was changed; "
            "try again once the server's operator has fixed it."
        )
    return StorageError(
        f"The registry cannot use its database now: {problem}. Try again once the server's operator has fixed it."
    )


def _explain_storage_errors(ctx) -> BaseException | None:
    # Every error of the database driver passes here, reads and writes, connecting included: a
    # storage problem leaves as a StorageError, which the web and the CLI show as it is.
    writing = ctx.connection is not None and ctx.connection.get_execution_options().get(_WRITE, False)
    return storage_error(ctx.original_exception, writing=writing)


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5) -> Engine:
    """Create an engine; on SQLite turn on WAL, a busy timeout, foreign keys and up-front write locks.

    On a server database each process keeps at most ``pool_size`` idle connections and opens
    ``max_overflow`` more under load: a gunicorn sync worker serves one request at a time, so
    the defaults leave room for its threads (rate limiter, jobs) while 20 workers stay within
    PostgreSQL's default 100 connections. Connections are checked before use and renewed
    every half hour, so a restarted server or a proxy's idle timeout costs no failed request.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=1800,
            pool_timeout=30,
            json_deserializer=read_stored_json,
        )
        event.listen(engine, "handle_error", _explain_storage_errors)
        if parsed.get_backend_name() == "postgresql":

            @event.listens_for(engine, "begin")
            def _on_pg_begin(conn):
                # The same rule as SQLite's BEGIN IMMEDIATE: one writer at a time, waiting its turn.
                if conn.get_execution_options().get(_WRITE, False):
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}s'")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

        return engine

    engine = create_engine(
        parsed,
        connect_args={"timeout": LOCK_TIMEOUT, "check_same_thread": False},
        json_deserializer=read_stored_json,
    )
    event.listen(engine, "handle_error", _explain_storage_errors)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins, so the
        # "begin" hook below can choose BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock before its first read: a deferred transaction that
        # reads and then writes fails at once with SQLITE_BUSY when another writer got in
        # between, whereas BEGIN IMMEDIATE waits for the busy timeout instead.
        if conn.get_execution_options().get(_WRITE, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine."""
    app = app or current_app
    return app.extensions["registry_engine"]


def read_session() -> Session:
    """Return this request's read session (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


class Sessions:
    """Opens the sessions of a long unit of work on one engine: short reads, and writes under the lock.

    Harvests hand this to the services instead of the app: a clone runs between a read and a
    write, and must hold neither a transaction nor the write lock while it runs.
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    def read(self) -> Session:
        """Return a session for reading (use it in a ``with`` block)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Open a session for one unit of work that writes: commit on success, roll back on error.

        It holds the write lock from its start (see the module's docstring); a database that cannot
        be written raises StorageError, with nothing of the unit of work applied.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                # Options must be on the connection before it begins: see _on_begin.
                session.connection(execution_options={_WRITE: True})
                yield session
                session.commit()
            except BaseException as err:
                try:
                    session.rollback()
                except Exception:
                    # A broken disk may refuse the rollback too; the error that explains it wins.
                    if not isinstance(err, StorageError):
                        raise
                raise


def sessions(app: Flask | None = None) -> Sessions:
    """Return the session opener of the app's engine."""
    return Sessions(get_engine(app))


def write_session(app: Flask | None = None):
    """Open a session for one unit of work that writes (a context manager; see Sessions.write)."""
    return sessions(app).write()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(app: Flask | None = None):
    """Return an Alembic config bound to the app's database."""
    from alembic.config import Config

    app = app or current_app
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = get_engine(app)
    return cfg


def schema_is_current(app: Flask | None = None) -> bool:
    """Tell whether the database has been migrated to the newest revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(app))
    with get_engine(app).connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


def require_schema(app: Flask | None = None) -> None:
    """Stop a command with a plain message when the schema is missing or out of date."""
    if not schema_is_current(app):
        raise click.ClickException(
            "the database schema is missing or out of date: run `flask --app registry init-db` first"
        )


def upgrade_schema(app: Flask | None = None, revision: str = "heads") -> None:
    """Create or upgrade the schema with the Alembic migrations."""
    from alembic import command

    command.upgrade(alembic_config(app), revision)


def init_app(app: Flask) -> None:
    """Bind an engine to the app and close sessions after each request."""
    app.extensions["registry_engine"] = make_engine(
        app.config["DATABASE_URL"],
        pool_size=int(app.config["DB_POOL_SIZE"]),
        max_overflow=int(app.config["DB_MAX_OVERFLOW"]),
    )
    app.teardown_appcontext(_close_session)
