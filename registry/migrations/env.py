"""Alembic environment: runs migrations on the engine the registry hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from registry import models  # noqa: F401  (fills SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is None:
        # Run from the alembic command line: use the registry's own configuration.
        from registry import create_app
        from registry.db import get_engine

        engine = get_engine(create_app())
    return engine


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `flask --app registry init-db`")
run_migrations_online()
