"""The queue's commands: `worker` runs jobs, `scheduler` queues the due sources."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import require_schema
from .queue import queue_enabled, queue_name


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more jobs.")
def worker_command(burst: bool):
    """Run a harvest worker on the Redis queue (needs REGISTRY_REDIS_URL)."""
    from .tasks import run_worker

    if not queue_enabled(current_app):
        raise click.ClickException(
            "REGISTRY_REDIS_URL is not set: without Redis, harvests run in-process and no worker is needed"
        )
    require_schema()
    run_worker(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]  # (LocalProxy method)


@click.command("scheduler")
@with_appcontext
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Seconds between two looks for due sources.",
)
@click.option("--once", is_flag=True, help="Queue the due sources once and stop.")
def scheduler_command(interval: int, once: bool):
    """Queue the sources whose schedule is due, every INTERVAL seconds (needs REGISTRY_REDIS_URL).

    Run one next to the workers. Without Redis, run `reharvest --due` from cron instead.
    """
    from .scheduler import run_scheduler

    if not queue_enabled(current_app):
        raise click.ClickException(
            "REGISTRY_REDIS_URL is not set: without Redis, run "
            "`flask --app registry reharvest --due` from cron or a systemd timer instead"
        )
    require_schema()

    def report(queued, pending) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{now}  {len(queued)} due sources queued, {len(pending)} still queued or running")

    errors: list[Exception] = []

    def failed(err: Exception) -> None:
        errors.append(err)
        click.echo(
            f"could not queue the due sources ({type(err).__name__}: {err})"
            + ("" if once else f"; trying again in {interval} s"),
            err=True,
        )

    if not once:
        click.echo(
            f"Queueing due sources on {queue_name(current_app)!r} every {interval} s; "
            "`flask --app registry worker` processes harvest them. Stop with Ctrl-C."
        )
    run_scheduler(
        current_app._get_current_object(),  # type: ignore[attr-defined]  # (LocalProxy method)
        interval=interval,
        ticks=1 if once else None,
        report=report,
        on_error=failed,
    )
    if once and errors:
        raise click.exceptions.Exit(1)
