"""The operator's command line: `flask --app registry …`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from harvesters import Outcome

from .db import upgrade_schema, write_session
from .errors import RegistryError
from .models import ROLES
from .search.cli import reindex_command
from .services.harvesting import HarvestResult, harvest_options


def _summary_table(results: list[HarvestResult]) -> str:
    rows = [("outcome", "entry", "source / reason")]
    for r in results:
        rows.append((r.outcome.value, r.slug or "-", r.error if r.error else r.source))
        rows.extend(("", "", f"warning: {w}") for w in r.warnings)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows]
    lines.insert(1, "-" * (sum(widths) + 4 + max(len(r[2]) for r in rows)))
    counts = {o.value: sum(1 for r in results if r.outcome is o) for o in Outcome}
    lines.append("")
    lines.append(", ".join(f"{n} {name}" for name, n in counts.items()))
    return "\n".join(lines)


def _require_schema() -> None:
    from .db import schema_is_current

    if not schema_is_current(current_app):
        raise click.ClickException("the database schema is missing or out of date: "
                                   "run `flask --app registry init-db` first")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade_schema(current_app)
    click.echo(f"Schema is up to date: {current_app.config['DATABASE_URL'].split('@')[-1]}")


@click.command("harvest")
@with_appcontext
@click.argument("sources", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(["git", "page", "list"]), default=None,
              help="Source kind: a git repository, a web page, or an awesome-list to import as a collection. "
                   "Guessed when omitted: git if the remote answers as git, else page.")
@click.option("--collection", default=None, metavar="SLUG",
              help="With --kind list: the collection to fill (default: the list repository's name).")
@click.option("--jobs", type=click.IntRange(min=1, max=32), default=1, show_default=True,
              help="How many sources to harvest at once (each in a worker process: use up to the number of cores). "
                   "With a queue (REGISTRY_REDIS_URL) the workers decide.")
@click.option("--wait", is_flag=True,
              help="With a queue: wait for the workers to finish the jobs, then print the summary.")
def harvest_command(sources: tuple[str, ...], kind: str | None, collection: str | None, jobs: int, wait: bool):
    """Harvest git repository URLs or local repository paths, web pages, or awesome-lists (--kind list).

    With REGISTRY_REDIS_URL set, each source becomes a job on the queue for `worker` processes.
    """
    _require_schema()
    from .jobs import enqueue_harvest, queue_enabled

    if queue_enabled(current_app):
        refs = [enqueue_harvest(current_app, source=source, kind=kind, operator=True, collection=collection)
                for source in sources]
        _queued_report(refs, [], wait=wait)
        return
    options = harvest_options(current_app, operator=True)
    if kind == "list":
        results: list[HarvestResult] = []
        with click.progressbar(sources, label="Harvesting", item_show_func=lambda s: s or "",
                               file=sys.stderr) as bar:
            for source in bar:
                results.append(_sync_list(source, collection, options))
    else:
        results = _harvest_with_progress([(source, kind) for source in sources], options=options, jobs=jobs)
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    if len(results) == 1 and failed:
        raise click.ClickException(failed[0].error or "harvest failed")
    click.echo(_summary_table(results))
    if failed:
        raise click.exceptions.Exit(1)


def _queued_report(queued: list, pending: list, *, wait: bool) -> None:
    """Say which jobs are on the queue; with ``wait``, follow them and print the usual summary."""
    from .jobs import queue_name, wait_for_jobs

    for ref in queued:
        click.echo(f"queued   {ref.id}  {ref.source}")
    for ref in pending:
        click.echo(f"waiting  {ref.id}  {ref.source}  (already {ref.status})")
    refs = queued + pending
    click.echo(f"{len(queued)} jobs queued on {queue_name(current_app)!r}"
               + (f", {len(pending)} already queued or running" if pending else "")
               + ": `flask --app registry worker` processes will run them"
               + (" (waiting for them; Ctrl-C stops waiting, not the jobs)." if wait and refs else "."))
    if not wait or not refs:
        return
    with click.progressbar(length=len(refs), label="Harvesting", file=sys.stderr) as bar:
        final = wait_for_jobs(current_app, [r.id for r in refs], progress=lambda ref: bar.update(1, ref.source))
    results = [_job_result(ref, fallback.source) for ref, fallback in zip(final, refs)]
    click.echo(_summary_table(results))
    if any(r.outcome is Outcome.FAILED for r in results):
        raise click.exceptions.Exit(1)


def _job_result(ref, source: str | None) -> HarvestResult:
    data = ref.result or {}
    try:
        outcome = Outcome(data.get("outcome"))
    except ValueError:
        outcome = Outcome.FAILED
    if ref.status == "failed":
        outcome = Outcome.FAILED
    return HarvestResult(source=data.get("source") or source or ref.id, outcome=outcome, slug=data.get("slug"),
                         changes=list(data.get("changes") or []), warnings=list(data.get("warnings") or []),
                         error=ref.error if outcome is Outcome.FAILED else None)


def _harvest_with_progress(pairs: list[tuple[str, str | None]], *, options, jobs: int) -> list[HarvestResult]:
    import threading

    from .services.reharvest import harvest_many

    lock = threading.Lock()
    with click.progressbar(length=len(pairs), label="Harvesting", file=sys.stderr) as bar:
        def progress(result: HarvestResult) -> None:
            with lock:  # harvests finish on several threads
                bar.update(1, result.source)

        return harvest_many(current_app, sources=pairs, options=options, jobs=jobs, progress=progress)


@click.command("reharvest")
@with_appcontext
@click.option("--due/--all", "due", default=True, show_default=True,
              help="Only the sources whose schedule says they are due (default), or every source.")
@click.option("--jobs", type=click.IntRange(min=1, max=32), default=1, show_default=True,
              help="How many sources to harvest at once (each in a worker process: use up to the number of cores). "
                   "With a queue (REGISTRY_REDIS_URL) the workers decide.")
@click.option("--wait", is_flag=True,
              help="With a queue: wait for the workers to finish the jobs, then print the summary.")
def reharvest_command(due: bool, jobs: int, wait: bool):
    """Re-harvest sources (for cron); unchanged remotes are skipped by commit id or ETag.

    With REGISTRY_REDIS_URL set, each source becomes a job on the queue for `worker` processes;
    a source whose last job is still queued or running is not queued again.
    """
    _require_schema()
    from .jobs import enqueue_due, queue_enabled
    from .services.reharvest import due_pairs

    if queue_enabled(current_app):
        queued, pending = enqueue_due(current_app, include_all=not due)
        if not queued and not pending:
            click.echo("No source is due.")
            return
        _queued_report(queued, pending, wait=wait)
        return

    options = harvest_options(current_app, operator=True)
    results = _harvest_with_progress(due_pairs(current_app, include_all=not due), options=options, jobs=jobs)
    if not results:
        click.echo("No source is due.")
        return
    click.echo(_summary_table(results))
    if any(r.outcome is Outcome.FAILED for r in results):
        raise click.exceptions.Exit(1)


def _sync_list(source: str, collection: str | None, options) -> HarvestResult:
    from .services.collection_sync import sync_list_as_harvest

    return sync_list_as_harvest(current_app, source=source, options=options, collection=collection)


@click.command("demo")
@with_appcontext
def demo_command():
    """Build the sample repositories under instance/demo-repos and harvest them; safe to run again."""
    from .services.demo import run_demo, sample_repositories

    _require_schema()

    total = len(sample_repositories())
    with click.progressbar(length=total, label="Harvesting samples", file=sys.stderr) as bar:
        report = run_demo(current_app, progress=lambda _name: bar.update(1))
    click.echo(_summary_table(report.results))
    if report.new_users:
        click.echo("\nSample accounts (passwords are shown only this once):")
        for name, role, password in report.new_users:
            click.echo(f"  {name:<12} {role:<10} {password}")
    if any(r.outcome is Outcome.FAILED for r in report.results):
        raise click.exceptions.Exit(1)


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--email", required=True, help="E-mail address of the account.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Password (prompted, hidden, when omitted).")
@click.option("--role", type=click.Choice([r for r in ROLES if r != "user"]), default=None,
              help="Give the account moderator or admin rights.")
def create_user_command(name: str, email: str, password: str, role: str | None):
    """Create an account."""
    from .services.users import create_user

    _require_schema()
    try:
        with write_session(current_app) as session:
            user = create_user(session, name=name, email=email, password=password, role=role or "user")
            click.echo(f"Created {user.role} account {user.name!r}.")
    except RegistryError as err:
        raise click.ClickException(err.message) from None


@click.command("create-token")
@with_appcontext
@click.argument("user")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True, help="Days until it expires.")
def create_token_command(user: str, scope: str, name: str, days: int):
    """Create an API token for USER and print it on the last line (it is shown only once)."""
    from .services.tokens import create_token

    _require_schema()
    try:
        with write_session(current_app) as session:
            token, row = create_token(session, user_name=user, scope=scope, name=name, days=days)
            expires = row.expires_at.date().isoformat()
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"A {scope} token for {user}, valid until {expires}. Store it now; it is not shown again:",
               err=True)
    click.echo(token)


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more jobs.")
def worker_command(burst: bool):
    """Run a harvest worker on the Redis queue (needs REGISTRY_REDIS_URL)."""
    from .jobs import queue_enabled, run_worker

    if not queue_enabled(current_app):
        raise click.ClickException("REGISTRY_REDIS_URL is not set: without Redis, harvests run in-process "
                                   "and no worker is needed")
    _require_schema()
    run_worker(current_app, burst=burst)


@click.command("scheduler")
@with_appcontext
@click.option("--interval", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds between two looks for due sources.")
@click.option("--once", is_flag=True, help="Queue the due sources once and stop.")
def scheduler_command(interval: int, once: bool):
    """Queue the sources whose schedule is due, every INTERVAL seconds (needs REGISTRY_REDIS_URL).

    Run one next to the workers. Without Redis, run `reharvest --due` from cron instead.
    """
    from datetime import datetime, timezone

    from .jobs import queue_enabled, queue_name, run_scheduler

    if not queue_enabled(current_app):
        raise click.ClickException("REGISTRY_REDIS_URL is not set: without Redis, run "
                                   "`flask --app registry reharvest --due` from cron or a systemd timer instead")
    _require_schema()

    def report(queued, pending) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{now}  {len(queued)} due sources queued, {len(pending)} still queued or running")

    errors: list[Exception] = []

    def failed(err: Exception) -> None:
        errors.append(err)
        click.echo(f"could not queue the due sources ({type(err).__name__}: {err})"
                   + ("" if once else f"; trying again in {interval} s"), err=True)

    if not once:
        click.echo(f"Queueing due sources on {queue_name(current_app)!r} every {interval} s; "
                   "`flask --app registry worker` processes harvest them. Stop with Ctrl-C.")
    run_scheduler(current_app._get_current_object(), interval=interval, ticks=1 if once else None, report=report,
                  on_error=failed)
    if once and errors:
        raise click.exceptions.Exit(1)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Take an online backup of the SQLite database into PATH (safe while the site runs)."""
    from .backup import backup_database

    try:
        size = backup_database(current_app, path)
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Backed up to {path} ({size} bytes); integrity check ok.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(path: Path):
    """Restore a backup from PATH into an empty instance."""
    from .backup import restore_database

    try:
        restore_database(current_app, path)
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Restored {path}. Run `flask --app registry init-db` if the backup is from an older release.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .cli_exports import export_command, import_command

    for command in (init_db_command, harvest_command, reharvest_command, demo_command, create_user_command,
                    create_token_command, reindex_command, export_command, import_command, worker_command,
                    scheduler_command, backup_command, restore_command):
        app.cli.add_command(command)
