"""The `discover` command: list a forge, hub or catalogue and register what it finds as pending sources."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from harvesters.listers import LISTER_KINDS

from .config import lister_settings
from .db import require_schema, sessions
from .errors import RegistryError


@click.command("discover")
@with_appcontext
@click.argument("kind", type=click.Choice(LISTER_KINDS), required=False)
@click.argument("target", required=False)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Stop after this many items (the next run goes on)."
)
@click.option(
    "--wait", is_flag=True, help="With a queue: wait for the worker to finish the run, then print the summary."
)
@click.option(
    "--set",
    "set_spec",
    default=None,
    metavar="SPEC",
    help="oai-pmh: the set to list; ckan: the organisation; huggingface: `datasets` for datasets only.",
)
@click.option("--due", is_flag=True, help="Run every kept discovery whose schedule is due (for cron), instead of one.")
def discover_command(
    kind: str | None, target: str | None, limit: int | None, wait: bool, set_spec: str | None, due: bool
):
    """List a forge organisation, a hub author/language/task, or a catalogue; register what it finds.

    TARGET is org:NAME, user:NAME or topic:NAME (github, gitee, gitea: org:NAME@https://host for
    another instance than Codeberg), a group URL (gitlab), author:NAME, language:CODE, task:NAME or
    search:TEXT (huggingface; modelscope: author:NAME), or an endpoint URL (oai-pmh, ckan). What it
    finds becomes pending sources, due at once (`reharvest` or the workers harvest them); the
    discovery is kept, so the next run asks only for what changed and resumes a stopped one.
    `discover --due` runs every kept discovery that is due (cron, without a queue).
    """
    require_schema()
    from .jobs.queue import queue_enabled, wait_for_jobs
    from .services.discoveries import due_discoveries, find_or_add_discovery, request_discovery
    from .services.discovery import run_discovery

    settings = lister_settings(current_app.config)
    if due:
        if kind or target:
            raise click.UsageError("--due runs the kept discoveries: give no KIND or TARGET with it.")
        with sessions().read() as session:
            ids = due_discoveries(session)
        if not ids:
            click.echo("No discovery is due.")
        for discovery_id in ids:
            if queue_enabled(current_app):
                ref = request_discovery(discovery_id=discovery_id, limit=limit)
                click.echo(f"queued   {ref.id}  discovery #{discovery_id}")
                continue
            outcome = run_discovery(sessions(), discovery_id=discovery_id, settings=settings, limit=limit)
            click.echo(
                f"#{discovery_id}: {outcome.summary()}" + (f"; partial: {outcome.reason}" if outcome.reason else "")
            )
        return
    if not kind or not target:
        raise click.UsageError("Give KIND and TARGET (or --due).")
    try:
        with sessions().write() as session:
            discovery_id = find_or_add_discovery(
                session, kind=kind, target=target, set_spec=set_spec, settings=settings
            )
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    if queue_enabled(current_app):
        ref = request_discovery(discovery_id=discovery_id, limit=limit)
        click.echo(f"queued   {ref.id}  discovery #{discovery_id} ({kind} {target})")
        if not wait:
            return
        ref = wait_for_jobs([ref.id])[0]
        result = ref.result or {}
        if ref.status == "failed" and not result:
            raise click.ClickException(ref.error or "the discovery failed")
        click.echo(
            f"discovered {result.get('found', 0)} (new {result.get('new', 0)}, known {result.get('known', 0)}, "
            f"gone {result.get('gone', 0)})"
        )
        if result.get("status") == "partial":
            click.echo(f"partial: {result.get('reason')}", err=True)
        return
    outcome = run_discovery(sessions(), discovery_id=discovery_id, settings=settings, limit=limit)
    click.echo(outcome.summary())
    if outcome.status == "partial":
        click.echo(f"partial: {outcome.reason}", err=True)
    if outcome.new:
        click.echo(f"{outcome.new} new sources are due now: `flask --app registry reharvest` harvests them.", err=True)
