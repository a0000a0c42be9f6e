"""What one run of a source did, how a result is applied, and the one run recorder with its back-off."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlmodel import Session

from harvesters import Outcome

from ..models import HarvestRun, Source, utcnow
from ..schemas import RunPublic
from . import Actor
from .entries import visible_message

#: A failing source waits twice as long after each failure, at most this long (or its own schedule).
MAX_BACKOFF_HOURS = 7 * 24


@dataclass
class HarvestResult:
    """What one run of a source did, for the CLI table, the API and the pages."""

    source: str
    outcome: Outcome
    slug: str | None = None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: The applier's own account of what it did (a list sync's counts), when it has one.
    detail: Any = None

    def as_json(self) -> dict[str, Any]:
        """Return the JSON a job keeps of this run."""
        return {
            "source": self.source,
            "outcome": self.outcome.value,
            "slug": self.slug,
            "changes": list(self.changes),
            "warnings": list(self.warnings),
            "error": self.error,
        }


class Applier(Protocol):
    """Writes one kind of harvest result (an entry, a collection) into the registry."""

    def check(self, session: Session, *, url: str, actor: Actor, target: str | None) -> None:
        """Refuse (raise) before anything is fetched when the actor may not run this source."""

    def known_version(self, session: Session, src: Source, *, target: str | None) -> str | None:
        """Return the version an unchanged head must match to skip the fetch, or None to always fetch."""

    def label(self, session: Session, src: Source) -> str | None:
        """Return what the source fills (an entry's slug, "collection x"), for an unchanged run."""

    def apply(
        self, session: Session, harvested: Any, *, src: Source, actor: Actor, target: str | None, display: str
    ) -> HarvestResult:
        """Write what was harvested and record the run; return what changed."""


def record_run(
    session: Session,
    src: Source,
    outcome: Outcome,
    *,
    commit: str | None = None,
    changes: list[str] | None = None,
    warnings: list[str] | None = None,
    error: str | None = None,
) -> None:
    """Record one run of a source and when it is next due; a failure counts towards its back-off."""
    now = utcnow()
    if outcome is Outcome.FAILED:
        src.consecutive_failures += 1
        src.last_error = error
    else:
        src.consecutive_failures = 0
        src.last_error = None
    src.last_harvested_at = now
    # A failing source is tried again later and later (twice the wait after each failure, at
    # most a week), so a dead server is not asked every hour forever.
    hours = src.schedule_hours
    if outcome is Outcome.FAILED:
        hours = min(hours * 2 ** min(src.consecutive_failures, 10), max(MAX_BACKOFF_HOURS, hours))
    src.next_due_at = now + timedelta(hours=hours)
    session.add(src)
    assert src.id is not None  # runs are recorded for stored sources
    session.add(
        HarvestRun(
            source_id=src.id,
            started_at=now,
            finished_at=now,
            outcome=outcome.value,
            commit=commit,
            changes=changes or [],
            warnings=warnings or [],
            error=error,
        )
    )


def run_public(run: HarvestRun, source_url: str, actor: Actor | None) -> RunPublic:
    """The public shape of a harvest run: a local source's server paths are for admins only."""
    return RunPublic(
        started_at=run.started_at,
        finished_at=run.finished_at,
        outcome=run.outcome,
        commit=run.commit,
        changes=list(run.changes),
        warnings=[visible_message(w, source_url, actor) for w in run.warnings],
        error=visible_message(run.error, source_url, actor),
    )
