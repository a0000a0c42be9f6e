"""The one source pipeline: every source kind is read, checked and applied the same way.

``run_source`` gives a source its identity, skips it when its head has not moved, fetches it
outside any transaction, and hands what the harvester returned to the applier of that result's
type (an entry for a HarvestedRecord, a collection for a HarvestedList). Every attempt is one
HarvestRun, recorded by one function with one back-off policy, whatever the kind.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Protocol

from sqlmodel import Session, select

import harvesters
from harvesters import HarvestError, HarvestOptions, Outcome

from ..db import Sessions
from ..errors import Invalid, RegistryError
from ..models import HarvestRun, Source, utcnow
from . import OPERATOR, Actor
from .addresses import normalize_source

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
        return {"source": self.source, "outcome": self.outcome.value, "slug": self.slug,
                "changes": list(self.changes), "warnings": list(self.warnings), "error": self.error}


class Applier(Protocol):
    """Writes one kind of harvest result (an entry, a collection) into the registry."""

    def check(self, session: Session, *, url: str, actor: Actor, target: str | None) -> None:
        """Refuse (raise) before anything is fetched when the actor may not run this source."""

    def known_version(self, session: Session, src: Source, *, target: str | None) -> str | None:
        """Return the version an unchanged head must match to skip the fetch, or None to always fetch."""

    def label(self, session: Session, src: Source) -> str | None:
        """Return what the source fills (an entry's slug, "collection x"), for an unchanged run."""

    def apply(self, session: Session, harvested: Any, *, src: Source, actor: Actor, target: str | None,
              display: str) -> HarvestResult:
        """Write what was harvested and record the run; return what changed."""


_APPLIERS: dict[type, Applier] = {}


def register_applier(result_type: type) -> Callable[[type], type]:
    """Register the applier class for a harvester result type; a second registration raises."""

    def decorate(cls: type) -> type:
        if result_type in _APPLIERS:
            raise ValueError(f"an applier for {result_type.__name__} is already registered")
        _APPLIERS[result_type] = cls()
        return cls

    return decorate


def applier_for(kind: str) -> Applier:
    """Return the applier of what the harvester of a source kind returns."""
    return _APPLIERS[harvesters.get_harvester(kind).result_type]


#: Runs a harvester: (kind, source, options) -> what it returns. In-process by default; batch
#: harvests pass one that runs it in a harvester process.
Fetch = Callable[[str, str, HarvestOptions], Any]


def run_source(sessions: Sessions, *, source: str, kind: str | None, options: HarvestOptions,
               actor: Actor = OPERATOR, target: str | None = None,
               fetch: Fetch = harvesters.run_harvest) -> HarvestResult:
    """Harvest one source of any kind and apply it; a failure keeps the last good data and records why.

    With ``kind=None`` a known source keeps its kind and a new one is guessed (git if the remote
    answers as git, else page). ``target`` names where the result goes when the kind has a choice
    (the collection an awesome-list fills). A refusal of the actor raises; a refused address or a
    failed fetch is a failed result.
    """
    try:
        url = normalize_source(source)
    except Invalid as refused:
        # Refused before anything is known: nothing is written.
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=refused.message)
    with sessions.read() as session:
        if kind is None:
            kind = _known_kind(session, url)
        known = session.exec(select(Source).where(Source.kind == kind, Source.url == url)).first() \
            if kind else None
        if kind is not None:
            applier = applier_for(kind)
            applier.check(session, url=url, actor=actor, target=target)
            known_version = applier.known_version(session, known, target=target) if known else None
    if kind is None:
        try:
            kind = harvesters.guess_kind(url, options=options)
        except HarvestError as err:
            return HarvestResult(source=source, outcome=Outcome.FAILED, error=str(err))
        known_version = None
        applier = applier_for(kind)

    if known_version and known is not None:
        try:
            head = harvesters.get_harvester(kind).head(url, options=replace(options, known_version=known_version))
        except HarvestError:
            head = None  # the full harvest below reports the failure in its own words
        if head and head == known_version:
            with sessions.write() as session:
                src = session.get(Source, known.id)
                record_run(session, src, Outcome.UNCHANGED, commit=src.last_commit)
                label = applier.label(session, src)
            return HarvestResult(source=source, outcome=Outcome.UNCHANGED, slug=label)

    # The fetch runs outside any transaction: it may take minutes and must not hold the lock.
    try:
        harvested = fetch(kind, url, options)
    except HarvestError as err:
        if known is not None:
            with sessions.write() as session:
                record_run(session, session.get(Source, known.id), Outcome.FAILED, error=str(err))
        # An unknown source that fails is refused before anything is known: nothing is written.
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=str(err))

    with sessions.write() as session:
        src = session.exec(select(Source).where(Source.kind == kind, Source.url == url)).first()
        if src is None:
            src = Source(kind=kind, url=url)
            session.add(src)
            session.flush()
        return applier.apply(session, harvested, src=src, actor=actor, target=target, display=source)


def run_source_as_operator(sessions: Sessions, *, source: str, kind: str | None, options: HarvestOptions,
                           target: str | None = None, fetch: Fetch = harvesters.run_harvest) -> HarvestResult:
    """Run a source for the operator (CLI, queue, schedule): a refusal becomes a failed result, never an error."""
    try:
        return run_source(sessions, source=source, kind=kind, options=options, target=target, fetch=fetch)
    except RegistryError as err:
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=err.message)


def _known_kind(session: Session, url: str) -> str | None:
    # An address known under one kind keeps it; lists are only ever named explicitly.
    kinds = session.exec(select(Source.kind).where(Source.url == url, Source.kind != "list")).all()
    return kinds[0] if len(kinds) == 1 else None


def record_run(session: Session, src: Source, outcome: Outcome, *, commit: str | None = None,
               changes: list[str] | None = None, warnings: list[str] | None = None,
               error: str | None = None) -> None:
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
    session.add(HarvestRun(source_id=src.id, started_at=now, finished_at=now, outcome=outcome.value, commit=commit,
                           changes=changes or [], warnings=warnings or [], error=error))
