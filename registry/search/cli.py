"""The `reindex` command: rebuild the search index from the entries."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlmodel import select

from ..db import schema_is_current, write_session
from ..models import Entry
from . import backend_for, reindex


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the search index from every entry (in one transaction)."""
    if not schema_is_current(current_app):
        raise click.ClickException(
            "the database schema is missing or out of date: run `flask --app registry init-db` first"
        )
    # One transaction: readers see the old index until the new one is complete.
    with write_session(current_app) as session:
        total = session.exec(select(func.count()).select_from(Entry)).one()
        with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
            indexed = reindex(session, progress=bar.update)
        backend = backend_for(session).name
    click.echo(f"Indexed {indexed} entries ({total - indexed} hidden or deleted left out) with the {backend} backend.")
