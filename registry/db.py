"""One database engine per app, sessions per request or per unit of work, and migrations."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; on SQLite turn on WAL, a busy timeout, foreign keys and up-front write locks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)

    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins, so the
        # "begin" hook below can choose BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock before its first read: a deferred transaction that
        # reads and then writes fails at once with SQLITE_BUSY when another writer got in
        # between, whereas BEGIN IMMEDIATE waits for the busy timeout instead.
        if conn.get_execution_options().get("sqlite_write", False):
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


@contextmanager
def write_session(app: Flask | None = None) -> Iterator[Session]:
    """Open a session for one unit of work that writes: commit on success, roll back on error."""
    engine = get_engine(app)
    with Session(engine, expire_on_commit=False) as session:
        # Options must be on the connection before it begins: see _on_begin.
        session.connection(execution_options={"sqlite_write": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


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


def upgrade_schema(app: Flask | None = None, revision: str = "heads") -> None:
    """Create or upgrade the schema with the Alembic migrations."""
    from alembic import command

    command.upgrade(alembic_config(app), revision)


def init_app(app: Flask) -> None:
    """Bind an engine to the app and close sessions after each request."""
    app.extensions["registry_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)
