"""`flask --app registry export` and `import`: dump every public entry, load a dump into a registry."""

from __future__ import annotations

import sys

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlmodel import Session, col, select

from .db import get_engine, require_schema, sessions, write_session
from .errors import RegistryError
from .models import Entry
from .search.bulk import processes_for
from .services.exports import EXPORT_FORMATS, iter_public_entries, jsonl_lines, jsonld_chunks
from .services.imports import import_records, read_dump
from .services.rendered import render_missing


def _entry_url(slug: str) -> str:
    namespace, name = slug.split("/", 1)
    return url_for("pages.entry", namespace=namespace, name=name, _external=True)


@click.command("export")
@with_appcontext
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="JSON Lines in the API's entry shape, or one schema.org JSON-LD document.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="File to write (standard output by default).",
)
def export_command(fmt: str, output: str):
    """Dump every public entry."""
    require_schema()
    # Absolute entry addresses need a host: SERVER_NAME when configured, else localhost.
    with (
        current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or None),
        Session(get_engine(current_app)) as session,
    ):
        entries = iter_public_entries(session, actor=None)
        chunks = jsonl_lines(entries) if fmt == "jsonl" else jsonld_chunks(entries, url_for_entry=_entry_url)
        count = 0
        with click.open_file(output, "w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
                count += 1
    click.echo(f"Exported {count if fmt == 'jsonl' else max(0, count - 2)} entries.", err=True)


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
def import_command(file: str):
    """Load a dump (JSON Lines or JSON-LD) into this registry; entries whose slug is taken are skipped."""
    require_schema()
    # Bytes that are not UTF-8 are read as lone surrogates, which the import repairs and reports.
    with click.open_file(file, "r", encoding="utf-8", errors="surrogateescape") as fh:
        # Counted first, for the progress bar (a line is a record in JSON Lines; JSON-LD shows lines read).
        total = sum(1 for line in fh if line.strip()) if file != "-" else None
    try:
        with (
            click.open_file(file, "r", encoding="utf-8", errors="surrogateescape") as fh,
            click.progressbar(length=total, label="Importing", file=sys.stderr) as bar,  # type: ignore[var-annotated]
        ):
            report = import_records(
                sessions(current_app), read_dump(fh), progress=bar.update, processes=processes_for(total)
            )
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    for line in report.repaired:
        click.echo(f"repaired (NUL or a lone surrogate replaced by U+FFFD): {line}", err=True)
    click.echo(
        f"Imported {len(report.created)} entries, skipped {len(report.skipped)} already registered, "
        f"{len(report.errors)} refused."
    )
    if report.created:
        click.echo(
            "Their descriptions are rendered when their pages are first shown; "
            "`flask --app registry render-descriptions` renders them all now."
        )
    if report.errors:
        sys.exit(1)


@click.command("render-descriptions")
@with_appcontext
def render_descriptions_command():
    """Render and store every description that has no stored rendering (after an import, or a new renderer)."""
    require_schema()
    with write_session(current_app) as session:
        todo = session.exec(select(func.count()).select_from(Entry).where(col(Entry.description) != "")).one()
        with click.progressbar(length=todo, label="Rendering", file=sys.stderr) as bar:
            done = render_missing(session, progress=bar.update)
    click.echo(f"Rendered {done} descriptions.")
