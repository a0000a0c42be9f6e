"""The `reindex` and `search-build` commands: rebuild the search index, and the machine's shared set of it."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlmodel import Session, select

from ..db import get_engine, schema_is_current, write_session
from ..models import Entry
from . import build, bulk, counts, reindex
from .backends import backend_for


def _schema_current() -> None:
    if not schema_is_current(current_app):
        raise click.ClickException(
            "the database schema is missing or out of date: run `flask --app registry init-db` first"
        )


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the search index from every entry (in one transaction), then the shared set of it."""
    _schema_current()
    # One transaction: readers see the old index until the new one is complete.
    with write_session(current_app) as session:
        total = session.exec(select(func.count()).select_from(Entry)).one()
        with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
            indexed = reindex(session, progress=bar.update, processes=bulk.processes_for(total))
        backend = backend_for(session).name
    click.echo(f"Indexed {indexed} entries ({total - indexed} hidden or deleted left out) with the {backend} backend.")
    if build.directory_of(current_app) is not None and current_app.config.get("SEARCH_IN_MEMORY"):
        _build_shared(force=True)


@click.command("search-build")
@click.option("--if-due", is_flag=True, help="Only when the change log has grown past the current set.")
@with_appcontext
def search_build_command(if_due: bool):
    """Build this machine's shared search index (the set every process maps) from the database's index."""
    _schema_current()
    if build.directory_of(current_app) is None:
        raise click.ClickException("SEARCH_INDEX_DIR is empty: this machine keeps no shared search index")
    _build_shared(force=not if_due)


def _build_shared(*, force: bool) -> None:
    engine = get_engine(current_app)
    directory = build.directory_of(current_app)
    assert directory is not None
    with Session(engine) as session:
        reader = backend_for(session).memory_rows
        total = session.exec(select(func.count()).select_from(Entry)).one()
    if not force:
        manifest = build.fold_if_due(engine, reader, counts.CODE_DIGITS, directory)
        click.echo(f"Folded the changes into {manifest['set']}." if manifest else "The shared set is up to date.")
        return
    with click.progressbar(length=total, label="Building the shared index", file=sys.stderr) as bar:
        manifest = build.build_set(engine, reader, counts.CODE_DIGITS, directory, progress=bar.update)
    assert manifest is not None  # (it waited for any other builder)
    size = sum(s["size"] for s in manifest["segments"])
    click.echo(
        f"Built {manifest['set']} in {directory}: {size} entries in {len(manifest['segments'])} segments, "
        f"{manifest['bytes'] / 2**20:.1f} MiB, at generation {manifest['generation']}."
    )
