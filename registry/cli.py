"""The operator's command line: `flask --app registry …`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from harvesters import Outcome

from .config import harvest_options
from .db import require_schema, sessions, upgrade_schema, write_session
from .errors import RegistryError
from .models import ROLES
from .services.pipeline import HarvestResult


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


# The batch commands share these two options.
_jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1, max=32),
    default=1,
    show_default=True,
    help="How many sources to harvest at once (each in a worker process: use up to the number of cores). "
    "With a queue (REGISTRY_REDIS_URL) the workers decide.",
)
_wait_option = click.option(
    "--wait", is_flag=True, help="With a queue: wait for the workers to finish the jobs, then print the summary."
)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade_schema(current_app)
    click.echo(f"Schema is up to date: {current_app.config['DATABASE_URL'].split('@')[-1]}")


@click.command("harvest")
@with_appcontext
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice(["git", "page", "list", "huggingface", "modelscope"]),
    default=None,
    help="Source kind: a git repository, a web page, or an awesome-list to import as a collection. "
    "Guessed when omitted: git if the remote answers as git, else page.",
)
@click.option(
    "--collection",
    default=None,
    metavar="SLUG",
    help="With --kind list: the collection to fill (default: the list repository's name).",
)
@_jobs_option
@_wait_option
def harvest_command(sources: tuple[str, ...], kind: str | None, collection: str | None, jobs: int, wait: bool):
    """Harvest git repository URLs or local repository paths, web pages, or awesome-lists (--kind list).

    With REGISTRY_REDIS_URL set, each source becomes a job on the queue for `worker` processes.
    """
    require_schema()
    from .jobs.queue import queue_enabled
    from .services.sources import request_harvest

    if queue_enabled(current_app):
        refs = [request_harvest(source=source, kind=kind, operator=True, collection=collection) for source in sources]
        _queued_report(refs, [], wait=wait)
        return
    options = harvest_options(current_app.config, operator=True)
    results = _harvest_with_progress(
        [(source, kind) for source in sources], options=options, jobs=jobs, target=collection
    )
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    if len(results) == 1 and failed:
        raise click.ClickException(failed[0].error or "harvest failed")
    click.echo(_summary_table(results))
    if failed:
        raise click.exceptions.Exit(1)


def _queued_report(queued: list, pending: list, *, wait: bool) -> None:
    """Say which jobs are on the queue; with ``wait``, follow them and print the usual summary."""
    from .jobs.queue import queue_name, wait_for_jobs

    for ref in queued:
        click.echo(f"queued   {ref.id}  {ref.source}")
    for ref in pending:
        click.echo(f"waiting  {ref.id}  {ref.source}  (already {ref.status})")
    refs = queued + pending
    click.echo(
        f"{len(queued)} jobs queued on {queue_name(current_app)!r}"
        + (f", {len(pending)} already queued or running" if pending else "")
        + ": `flask --app registry worker` processes will run them"
        + (" (waiting for them; Ctrl-C stops waiting, not the jobs)." if wait and refs else ".")
    )
    if not wait or not refs:
        return
    with click.progressbar(length=len(refs), label="Harvesting", file=sys.stderr) as bar:
        final = wait_for_jobs([r.id for r in refs], progress=lambda ref: bar.update(1, ref.source))  # type: ignore[arg-type]  # (a label)
    results = [_job_result(ref, fallback.source) for ref, fallback in zip(final, refs, strict=False)]
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
    return HarvestResult(
        source=data.get("source") or source or ref.id,
        outcome=outcome,
        slug=data.get("slug"),
        changes=list(data.get("changes") or []),
        warnings=list(data.get("warnings") or []),
        error=ref.error if outcome is Outcome.FAILED else None,
    )


def _harvest_with_progress(
    pairs: Sequence[tuple[str, str | None]], *, options, jobs: int, target: str | None = None
) -> list[HarvestResult]:
    import threading

    from .jobs.batch import harvest_many

    lock = threading.Lock()
    with click.progressbar(length=len(pairs), label="Harvesting", file=sys.stderr) as bar:

        def progress(result: HarvestResult) -> None:
            with lock:  # harvests finish on several threads
                bar.update(1, result.source)  # type: ignore[arg-type]  # (a label)

        return harvest_many(current_app, sources=pairs, options=options, jobs=jobs, target=target, progress=progress)


@click.command("reharvest")
@with_appcontext
@click.option(
    "--due/--all",
    "due",
    default=True,
    show_default=True,
    help="Only the sources whose schedule says they are due (default), or every source.",
)
@_jobs_option
@_wait_option
def reharvest_command(due: bool, jobs: int, wait: bool):
    """Re-harvest sources (for cron); unchanged remotes are skipped by commit id or ETag.

    With REGISTRY_REDIS_URL set, each source becomes a job on the queue for `worker` processes;
    a source whose last job is still queued or running is not queued again.
    """
    require_schema()
    from .jobs.queue import queue_enabled
    from .services.sources import due_pairs, queue_due_sources

    if queue_enabled(current_app):
        with sessions().read() as session:
            queued, pending = queue_due_sources(session, include_all=not due)
        if not queued and not pending:
            click.echo("No source is due.")
            return
        _queued_report(queued, pending, wait=wait)
        return

    options = harvest_options(current_app.config, operator=True)
    with sessions().read() as session:
        pairs = due_pairs(session, include_all=not due)
    results = _harvest_with_progress(pairs, options=options, jobs=jobs)
    if not results:
        click.echo("No source is due.")
        return
    click.echo(_summary_table(results))
    if any(r.outcome is Outcome.FAILED for r in results):
        raise click.exceptions.Exit(1)


@click.command("demo")
@with_appcontext
def demo_command():
    """Build the sample repositories under instance/demo-repos and harvest them; safe to run again."""
    from .services.demo import run_demo, sample_repositories

    require_schema()

    total = len(sample_repositories())
    with click.progressbar(length=total, label="Harvesting samples", file=sys.stderr) as bar:
        report = run_demo(
            sessions(),
            repos_dir=Path(current_app.instance_path) / "demo-repos",
            options=harvest_options(current_app.config, operator=True),
            progress=lambda _name: bar.update(1),
        )
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
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted, hidden, when omitted).",
)
@click.option(
    "--role",
    type=click.Choice([r for r in ROLES if r != "user"]),
    default=None,
    help="Give the account moderator or admin rights.",
)
def create_user_command(name: str, email: str, password: str, role: str | None):
    """Create an account."""
    from .services.users import create_user

    require_schema()
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

    require_schema()
    try:
        with write_session(current_app) as session:
            token, row = create_token(session, user_name=user, scope=scope, name=name, days=days)
            assert row.expires_at is not None  # --days is at least 1, so the token expires
            expires = row.expires_at.date().isoformat()
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"A {scope} token for {user}, valid until {expires}. Store it now; it is not shown again:", err=True)
    click.echo(token)


@click.command("purge")
@with_appcontext
@click.argument("slug")
@click.option("--reason", required=True, help="Why the entry must go for good (leaked secrets, personal data); kept.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(slug: str, reason: str, yes: bool):
    """Remove an entry and its whole history for good, leaving an audit record (admin only).

    Hiding or deleting an entry keeps its history; a purge does not. The source stays known,
    so the next harvest does not bring the entry back.
    """
    from .services import OPERATOR
    from .services.editing import purge_entry

    require_schema()
    if not yes:
        click.confirm(f"Purge {slug} and every revision of it for good?", abort=True, err=True)
    try:
        with write_session(current_app) as session:
            record = purge_entry(session, slug=slug, actor=OPERATOR, reason=reason)
            purged = record.slug
    except RegistryError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Purged {purged}; the reason is kept in the audit record.")


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
    from .cli_discover import discover_command
    from .cli_exports import export_command, import_command, render_descriptions_command

    for command in (
        init_db_command,
        harvest_command,
        reharvest_command,
        demo_command,
        create_user_command,
        create_token_command,
        export_command,
        import_command,
        render_descriptions_command,
        purge_command,
        backup_command,
        restore_command,
        discover_command,
    ):
        app.cli.add_command(command)
