"""The one source pipeline: every source kind is read, checked and applied the same way.

``run_source`` gives a source its identity, skips it when its head has not moved, fetches it
outside any transaction, and hands what the harvester returned to the applier of that result's
type (an entry for a HarvestedRecord, a collection for a HarvestedList). Every attempt is one
HarvestRun, recorded by one function with one back-off policy, whatever the kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

import harvesters
from harvesters import HarvestedList, HarvestedRecord, HarvestError, HarvestOptions, Outcome

from ..db import Sessions
from ..errors import Invalid, RegistryError
from ..inputs import storable
from ..models import Source
from . import OPERATOR, Actor
from .addresses import normalize_source
from .collection_sync import CollectionApplier
from .harvesting import EntryApplier
from .runs import Applier, HarvestResult, record_run

__all__ = ["Applier", "HarvestResult", "record_run", "register_applier", "run_source", "run_source_as_operator"]


_log = logging.getLogger(__name__)

_APPLIERS: dict[type, Applier] = {HarvestedRecord: EntryApplier(), HarvestedList: CollectionApplier()}


def register_applier(result_type: type, applier: Applier) -> None:
    """Register how a new harvester result type is applied; a second registration of a type raises."""
    if result_type in _APPLIERS:
        raise ValueError(f"an applier for {result_type.__name__} is already registered")
    _APPLIERS[result_type] = applier


def applier_for(kind: str) -> Applier:
    """Return the applier of what the harvester of a source kind returns."""
    return _APPLIERS[harvesters.get_harvester(kind).result_type]


#: Runs a harvester: (kind, source, options) -> what it returns. In-process by default; batch
#: harvests pass one that runs it in a harvester process.
Fetch = Callable[[str, str, HarvestOptions], Any]


def run_source(
    sessions: Sessions,
    *,
    source: str,
    kind: str | None,
    options: HarvestOptions,
    actor: Actor = OPERATOR,
    target: str | None = None,
    fetch: Fetch = harvesters.run_harvest,
) -> HarvestResult:
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
        known = (
            session.exec(select(Source).where(col(Source.kind) == kind, col(Source.url) == url)).first()
            if kind
            else None
        )
        if kind is not None:
            applier = applier_for(kind)
            applier.check(session, url=url, actor=actor, target=target)
            known_version = applier.known_version(session, known, target=target) if known else None
    if kind is None:
        try:
            kind = harvesters.guess_kind(url, options=options)
        except Exception as err:  # whatever a harvester raises is a failed harvest
            return HarvestResult(source=source, outcome=Outcome.FAILED, error=harvest_error(err))
        known_version = None
        applier = applier_for(kind)
        with sessions.read() as session:
            applier.check(session, url=url, actor=actor, target=target)

    if known_version and known is not None:
        try:
            head = harvesters.get_harvester(kind).head(url, options=replace(options, known_version=known_version))
        except Exception:  # the full harvest below reports the failure in its own words
            head = None
        if head and head == known_version:
            with sessions.write() as session:
                src = session.get(Source, known.id)
                assert src is not None  # read just above as `known`
                record_run(session, src, Outcome.UNCHANGED, commit=src.last_commit)
                label = applier.label(session, src)
            return HarvestResult(source=source, outcome=Outcome.UNCHANGED, slug=label)

    # The fetch runs outside any transaction: it may take minutes and must not hold the lock.
    try:
        harvested = fetch(kind, url, options)
    except Exception as err:  # whatever a harvester raises is a failed harvest
        reason = harvest_error(err)
        if known is not None:
            with sessions.write() as session:
                failed = session.get(Source, known.id)
                assert failed is not None  # read before the fetch as `known`
                record_run(session, failed, Outcome.FAILED, error=reason)
        # An unknown source that fails is refused before anything is known: nothing is written.
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=reason)

    # Harvested text is not refused but repaired: NUL and lone surrogates (a card's JSON or YAML
    # can spell them) become U+FFFD before anything is stored.
    harvested = storable(harvested)
    with sessions.write() as session:
        src = session.exec(select(Source).where(col(Source.kind) == kind, col(Source.url) == url)).first()
        if src is None:
            src = Source(kind=kind, url=url)
            session.add(src)
            session.flush()
        return applier.apply(session, harvested, src=src, actor=actor, target=target, display=source)


def run_source_as_operator(
    sessions: Sessions,
    *,
    source: str,
    kind: str | None,
    options: HarvestOptions,
    target: str | None = None,
    fetch: Fetch = harvesters.run_harvest,
) -> HarvestResult:
    """Run a source for the operator (CLI, queue, schedule): a refusal becomes a failed result, never an error."""
    try:
        return run_source(sessions, source=source, kind=kind, options=options, target=target, fetch=fetch)
    except RegistryError as err:
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=err.message)


def harvest_error(err: BaseException) -> str:
    """Return the plain-words reason of a failed fetch; an unexpected exception is logged and named.

    A harvester says what went wrong with a HarvestError. Anything else it lets escape (a
    parser or HTTP library refusing odd input) is a bug to fix there, but it must still be a
    failed run with a reason, never a crash that stops the batch or leaves the source due.
    """
    if isinstance(err, HarvestError):
        return str(err)
    _log.exception("the harvester failed unexpectedly")
    return f"the harvester failed unexpectedly ({type(err).__name__}); the error has been logged"


def _known_kind(session: Session, url: str) -> str | None:
    # An address known under one kind keeps it; lists are only ever named explicitly.
    kinds = session.exec(select(Source.kind).where(col(Source.url) == url, col(Source.kind) != "list")).all()
    return kinds[0] if len(kinds) == 1 else None
