"""Discovery runs: walk a lister's pages and register what it finds as pending sources, due at once.

The only code that writes discoveries, their runs and what they found. Each page is written in its
own short transaction (the listing itself runs outside any), so a catalogue of millions streams in
with flat memory; the cursor saved with each page lets a stopped run resume without losing or
duplicating anything. An item the lister no longer lists is marked gone after two complete passes
in a row (never deleted); a repository whose key is listed under a new address was renamed or
transferred, and its source keeps its entry and history under the new address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from harvesters.listers import (
    BadTarget,
    ListedItem,
    ListedPage,
    ListerClient,
    ListerSettings,
    ListingStopped,
    PageMemory,
    first_cursor,
    walk,
)

from ..db import Sessions
from ..errors import Invalid, NotFound
from ..models import DiscoveredItem, Discovery, DiscoveryRun, Source, utcnow
from .addresses import normalize_source_url

#: Most JSON a page's evidence may keep per item (characters of its repr), so a hostile catalogue
#: cannot fill the database through one description.
_MAX_EVIDENCE_TEXT = 2000


@dataclass
class DiscoveryOutcome:
    """What one run did, for the command line's summary and the API."""

    discovery_id: int
    run_id: int
    status: str  # complete | partial
    found: int = 0
    new: int = 0
    known: int = 0
    gone: int = 0
    skipped: int = 0
    pages: int = 0
    unchanged_pages: int = 0
    requests: int = 0
    reason: str | None = None
    #: The newest change time the catalogue gave for what it listed (for increments), if it gives one.
    watermark: str | None = None

    def summary(self) -> str:
        """The command's summary line."""
        return f"discovered {self.found} (new {self.new}, known {self.known}, gone {self.gone})"

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def page_digest(cursor: str) -> str:
    """Return the short key under which items remember the page they were seen on."""
    return hashlib.sha1(cursor.encode("utf-8")).hexdigest()


def run_discovery(
    sessions: Sessions,
    *,
    discovery_id: int,
    settings: ListerSettings,
    limit: int | None = None,
    client: ListerClient | None = None,
    progress: Callable[[DiscoveryOutcome], None] | None = None,
) -> DiscoveryOutcome:
    """Run a discovery once: resume where the last run stopped (or start a new pass) and write each page."""
    with sessions.write() as session:
        discovery = session.get(Discovery, discovery_id)
        if discovery is None:
            raise NotFound(f"No discovery {discovery_id}.", details={"discovery_id": discovery_id})
        run = DiscoveryRun(discovery_id=discovery_id)
        session.add(run)
        session.flush()
        assert run.id is not None
        run_id = run.id
        kind, target, set_spec = discovery.kind, discovery.target, discovery.set_spec or None
        resume = discovery.cursor
        if resume is None or discovery.pass_run_id is None:
            discovery.pass_run_id = run_id
            resume = None
        pass_run_id = discovery.pass_run_id
        memory = {k: PageMemory(etag=v.get("etag", ""), next=v.get("next")) for k, v in (discovery.pages or {}).items()}
        discovery.last_status = "running"
        session.add(discovery)
    outcome = DiscoveryOutcome(discovery_id=discovery_id, run_id=run_id, status="complete")
    remembered: dict[str, dict] = {}
    cursor: str | None = None
    http = client or ListerClient(settings)
    try:
        start = resume or first_cursor(kind, target, settings=settings, set_spec=set_spec)
        cursor = start
        for page in walk(kind, start=start, settings=settings, memory=memory, client=http):
            cursor = page.next
            items = page.items
            cut = False
            if limit is not None and outcome.found + len(items) >= limit and not page.not_modified:
                items = items[: max(limit - outcome.found, 0)]
                # A page cut short is read again next time: its items are keyed, nothing doubles.
                cut = len(items) < len(page.items)
                cursor = page.key if cut else page.next
            with sessions.write() as session:
                _apply_page(
                    session,
                    discovery_id=discovery_id,
                    run_id=run_id,
                    kind=kind,
                    page=page,
                    items=items,
                    outcome=outcome,
                )
                _save_progress(session, discovery_id, run_id, outcome, cursor=cursor)
            if page.watermark and (outcome.watermark is None or page.watermark > outcome.watermark):
                outcome.watermark = page.watermark[:64]
            if page.etag and not page.not_modified and not cut:
                remembered[page.key] = {"etag": page.etag, "next": page.next, "pass": pass_run_id}
            elif page.not_modified and page.key in memory:
                known = memory[page.key]
                remembered[page.key] = {"etag": known.etag, "next": known.next, "pass": pass_run_id}
            if progress:
                progress(outcome)
            if limit is not None and outcome.found >= limit and cursor is not None:
                outcome.status = "partial"
                outcome.reason = f"stopped at the limit of {limit} items; the next run goes on from there"
                break
        else:
            cursor = None
    except BadTarget as err:
        outcome.status, outcome.reason = "partial", _scrub(str(err), settings)
    except ListingStopped as err:
        outcome.status, outcome.reason = "partial", _scrub(str(err), settings)
        cursor = err.cursor
    finally:
        outcome.requests = http.requests
        if client is None:
            http.__exit__(None, None, None)
    with sessions.write() as session:
        if outcome.status == "complete":
            outcome.gone += _mark_gone(session, discovery_id=discovery_id, pass_run_id=pass_run_id or run_id)
        _finish(
            session,
            discovery_id,
            run_id,
            outcome,
            cursor=cursor if outcome.status == "partial" else None,
            pages=remembered,
            pass_run_id=pass_run_id,
        )
    return outcome


def _scrub(reason: str, settings: ListerSettings) -> str:
    # Errors are our own words, but a token must never reach a row even if a message quoted one.
    for token in (settings.github_token, settings.hf_token):
        if token:
            reason = reason.replace(token, "[token]")
    return reason[:2000]


def _apply_page(
    session: Session,
    *,
    discovery_id: int,
    run_id: int,
    kind: str,
    page: ListedPage,
    items: list[ListedItem],
    outcome: DiscoveryOutcome,
) -> None:
    now = utcnow()
    digest = page_digest(page.key)
    outcome.pages += 1
    outcome.skipped += page.skipped
    if page.not_modified:
        outcome.unchanged_pages += 1
        result = session.execute(
            update(DiscoveredItem)
            .where(
                col(DiscoveredItem.discovery_id) == discovery_id,
                col(DiscoveredItem.page) == digest,
                col(DiscoveredItem.gone_at).is_(None),
            )
            .values(seen_run_id=run_id, last_seen_at=now, missed=0)
        )
        seen = int(getattr(result, "rowcount", 0) or 0)
        outcome.found += seen
        outcome.known += seen
        return
    # The page is read afresh: what was on it before and is not now must not ride a later 304.
    session.execute(
        update(DiscoveredItem)
        .where(col(DiscoveredItem.discovery_id) == discovery_id, col(DiscoveredItem.page) == digest)
        .values(page="")
    )
    discovery = session.get(Discovery, discovery_id)
    assert discovery is not None
    inbox = "inbox" if discovery.collection_id else None
    by_key: dict[str, tuple[ListedItem, str | None]] = {}
    for item in items:
        url = _address(item)
        if url is None and not item.deleted:
            outcome.skipped += 1
            continue
        by_key[item.key[:300]] = (item, url)
    if not by_key:
        return
    existing = {
        row.key: row
        for row in session.exec(
            select(DiscoveredItem).where(
                col(DiscoveredItem.discovery_id) == discovery_id, col(DiscoveredItem.key).in_(list(by_key))
            )
        )
    }
    urls = {url for _item, url in by_key.values() if url}
    sources = (
        {(s.kind, s.url): s for s in session.exec(select(Source).where(col(Source.url).in_(list(urls))))}
        if urls
        else {}
    )
    provenance = {"lister": kind, "page": _shown_page(page.key), "seen_at": now.isoformat()}
    for key, (item, url) in by_key.items():
        row = existing.get(key)
        if item.deleted:
            # The catalogue says the record was withdrawn: gone at once, kept with its history.
            if row is not None and row.gone_at is None:
                row.gone_at, row.seen_run_id = now, run_id
                _source_gone(session, row, now)
                session.add(row)
                outcome.gone += 1
            continue
        assert url is not None
        outcome.found += 1
        if row is None:
            src = sources.get((item.source_kind, url))
            if src is None:
                src = Source(kind=item.source_kind, url=url, next_due_at=now, discovered_by_id=discovery_id)
                session.add(src)
                session.flush()
                sources[(item.source_kind, url)] = src
                outcome.new += 1
            else:
                outcome.known += 1
                if src.gone_at is not None and src.discovered_by_id == discovery_id:
                    src.gone_at = None
                    session.add(src)
            row = DiscoveredItem(discovery_id=discovery_id, key=key, url=url, source_id=src.id, review=inbox)
        renamed_from = None
        if row.id is not None:
            outcome.known += 1
            if row.url != url:
                renamed_from = row.url
                _renamed(session, row, url=url, source_kind=item.source_kind, sources=sources)
            if row.gone_at is not None:
                row.gone_at = None
                _source_back(session, row)
        row.page = digest
        row.evidence = _bounded(item.metadata)
        if renamed_from:
            row.evidence = {**row.evidence, "renamed_from": renamed_from}
        row.provenance = provenance
        row.last_seen_at = now
        row.seen_run_id = run_id
        row.missed = 0
        session.add(row)


def _address(item: ListedItem) -> str | None:
    if not item.url:
        return None
    try:
        return normalize_source_url(item.url)
    except Invalid:
        return None


def _shown_page(cursor: str) -> str:
    # The page's address as the evidence's provenance (a body-carrying request shows its URL).
    if cursor.startswith("{"):
        import json

        try:
            return str(json.loads(cursor).get("url", ""))[:2000]
        except ValueError:
            return ""
    return cursor[:2000]


def _bounded(metadata: dict) -> dict:
    kept = {}
    for name, value in list(metadata.items())[:30]:
        if isinstance(value, str):
            value = value[:_MAX_EVIDENCE_TEXT]
        elif isinstance(value, list):
            value = [v[:200] if isinstance(v, str) else v for v in value[:50]]
        elif isinstance(value, dict):
            value = {str(k)[:100]: v for k, v in list(value.items())[:20]}
        kept[str(name)[:100]] = value
    return kept


def _renamed(session: Session, row: DiscoveredItem, *, url: str, source_kind: str, sources: dict) -> None:
    """The same key under a new address: the forge renamed or transferred it (its 301)."""
    taken = (
        sources.get((source_kind, url))
        or session.exec(select(Source).where(col(Source.kind) == source_kind, col(Source.url) == url)).first()
    )
    src = session.get(Source, row.source_id) if row.source_id else None
    if taken is not None and (src is None or taken.id != src.id):
        row.source_id = taken.id  # the new address is registered already: point at it
    elif src is not None:
        # The source keeps its id, entry and runs; only its address moves.
        src.url = url
        src.next_due_at = utcnow()
        session.add(src)
        sources[(source_kind, url)] = src
    row.url = url


def _source_gone(session: Session, row: DiscoveredItem, now) -> None:
    if row.source_id is None:
        return
    src = session.get(Source, row.source_id)
    if src is not None and src.discovered_by_id == row.discovery_id and src.gone_at is None:
        src.gone_at = now
        session.add(src)


def _source_back(session: Session, row: DiscoveredItem) -> None:
    if row.source_id is None:
        return
    src = session.get(Source, row.source_id)
    if src is not None and src.discovered_by_id == row.discovery_id and src.gone_at is not None:
        src.gone_at = None
        session.add(src)


def _mark_gone(session: Session, *, discovery_id: int, pass_run_id: int) -> int:
    """After a complete pass: count a miss for every item it did not list; the second miss in a row is gone."""
    now = utcnow()
    missing = session.exec(
        select(DiscoveredItem).where(
            col(DiscoveredItem.discovery_id) == discovery_id,
            col(DiscoveredItem.gone_at).is_(None),
            (col(DiscoveredItem.seen_run_id).is_(None)) | (col(DiscoveredItem.seen_run_id) < pass_run_id),
        )
    ).all()
    gone = 0
    for row in missing:
        row.missed += 1
        if row.missed >= 2:
            row.gone_at = now
            _source_gone(session, row, now)
            gone += 1
        session.add(row)
    return gone


def _save_progress(
    session: Session, discovery_id: int, run_id: int, outcome: DiscoveryOutcome, *, cursor: str | None
) -> None:
    run = session.get(DiscoveryRun, run_id)
    discovery = session.get(Discovery, discovery_id)
    assert run is not None and discovery is not None
    for name in ("found", "new", "known", "gone", "skipped", "pages", "unchanged_pages"):
        setattr(run, name, getattr(outcome, name))
    # Saved with every page: a run killed half-way resumes here, not at the start.
    discovery.cursor = cursor
    session.add(run)
    session.add(discovery)


def _finish(
    session: Session,
    discovery_id: int,
    run_id: int,
    outcome: DiscoveryOutcome,
    *,
    cursor: str | None,
    pages: dict,
    pass_run_id: int | None,
) -> None:
    now = utcnow()
    run = session.get(DiscoveryRun, run_id)
    discovery = session.get(Discovery, discovery_id)
    assert run is not None and discovery is not None
    for name in ("found", "new", "known", "gone", "skipped", "pages", "unchanged_pages", "requests"):
        setattr(run, name, getattr(outcome, name))
    run.status, run.reason, run.finished_at = outcome.status, outcome.reason, now
    discovery.cursor = cursor
    if outcome.status == "complete":
        discovery.pass_run_id = None  # the next run starts a new pass from the first page
    # A partial run adds the pages it read; a complete pass keeps only the pages read in this pass
    # (a page it no longer reached must not answer 304 for items that have moved since).
    merged = {**(discovery.pages or {}), **pages}
    if outcome.status == "complete":
        merged = {k: v for k, v in merged.items() if v.get("pass") == pass_run_id}
    discovery.pages = merged
    discovery.last_status = outcome.status
    if outcome.watermark and (discovery.watermark is None or outcome.watermark > discovery.watermark):
        discovery.watermark = outcome.watermark
    discovery.last_run_at = now
    # A partial run is tried again soon (an hour); a complete one on its schedule.
    hours = 1 if outcome.status == "partial" else discovery.schedule_hours
    discovery.next_due_at = now + timedelta(hours=hours)
    session.add(run)
    session.add(discovery)
