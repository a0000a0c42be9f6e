"""Harvesting: run a harvester on a source and apply its record to the registry."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlsplit, urlunsplit

from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, delete, select

import harvesters
from harvesters import HarvestedRecord, HarvestError, HarvestOptions, Outcome, UnsafeSource, gitfetch
from harvesters import netguard, pagefetch

from ..db import write_session
from ..errors import Invalid
from ..models import Entry, EntryDetails, HarvestRun, Relation, Source, Translation, utcnow
from ..schemas import RunPublic
from . import HARVESTER, Actor
from .changes import record_change
from .claims import verify_claim
from .permissions import can_edit

#: Entry attributes a harvest may write (the record's fields, less nothing: all of them).
_HARVESTED_FIELDS = harvesters.ENTRY_FIELDS
_MAX_SLUG_TRIES = 100
_MAX_BACKOFF_HOURS = 7 * 24


@dataclass
class HarvestResult:
    """What one harvest did, for the CLI table, the API and the pages."""

    source: str
    outcome: Outcome
    slug: str | None = None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def harvest_options(app: Flask, *, operator: bool) -> HarvestOptions:
    """Build harvest options from the configuration; the operator's CLI may read local paths."""
    cfg = app.config
    return HarvestOptions(
        allow_local=operator or bool(cfg["HARVEST_ALLOW_LOCAL"]),
        allow_private=bool(cfg["HARVEST_ALLOW_PRIVATE"]),
        timeout=float(cfg["HARVEST_TIMEOUT"]),
        max_repo_bytes=int(cfg["HARVEST_MAX_REPO_BYTES"]),
        max_file_bytes=int(cfg["HARVEST_MAX_FILE_BYTES"]),
        # Seconds between two requests to one web host (instance/config.py may change it).
        host_interval=float(cfg.get("HARVEST_HOST_INTERVAL", 1.0)),
    )


# Hosts whose repository paths are case-insensitive: GitHub/GitLab/Gitee/Codeberg treat
# THUDM/ChatGLM-6B and thudm/chatglm-6b as the same repository.
_CASELESS_HOSTS = {"github.com", "gitlab.com", "gitee.com", "codeberg.org"}


def normalize_source_url(url: str) -> str:
    """Return the canonical form of a repository or page URL (scheme, case, `.git`, trailing slash).

    What no harvester would fetch for a stranger is refused here, before anything is looked up:
    git transport syntax (``ext::``), options (``--upload-pack=…``), SSH ``host:path``
    addresses, schemes without ``//`` (``javascript:``), user names and passwords, hosts that are
    not host names. Local paths and ``file://`` URLs are returned as given: the harvester's
    options decide about them.
    """
    raw = (url or "").strip()
    if not raw:
        raise Invalid("Paste the address of a repository or a page.", details={"fields": {"source_url": "required"}})
    try:
        gitfetch.refuse_unsafe_syntax(raw)
        if any(ch.isspace() for ch in raw):
            raise UnsafeSource("an address cannot contain spaces")
        if "://" not in raw:
            if raw.startswith(("/", ".", "~")):
                return raw  # a local path: refused or allowed later by the harvester's options
            if gitfetch.is_scp_like(raw) and not _HOST_PORT.match(raw):
                raise gitfetch.scp_refusal(raw)
            raw = "https://" + raw
        scheme = raw.split("://", 1)[0].lower()
        if scheme == "file":
            return raw
        if scheme not in ("http", "https"):
            raise UnsafeSource(f"only https:// sources are allowed, not {scheme}://")
        parts, host, port = netguard.split_url(raw)
        host = host.lower()
    except UnsafeSource as refused:
        raise Invalid(str(refused), details={"fields": {"source_url": str(refused)}}) from None
    host = host.removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    netloc = host + (f":{port}" if port else "")
    path = parts.path.rstrip("/")
    path = path.removesuffix(".git")
    if host in _CASELESS_HOSTS:
        path = path.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def normalize_source(source: str) -> str:
    """Return the identity of a source: an absolute path for local folders, the canonical URL otherwise.

    A source that is neither (``ext::…``, ``-…``, ``host:path``, ``file://`` naming another host)
    is returned as given, for the harvester to refuse in its own words.
    """
    stripped = source.strip()
    if _kept_as_given(stripped):
        return stripped
    if stripped.startswith("file://"):
        source = urlsplit(stripped).path
    elif "://" in stripped:
        return normalize_source_url(stripped)
    return str(Path(os.path.expanduser(source)).resolve())


# "github.com:443/org/repo": a host and a port, written without the scheme.
_HOST_PORT = re.compile(r"^[^/:@]+:\d+(?:/|$)")


def _kept_as_given(source: str) -> bool:
    try:
        gitfetch.refuse_unsafe_syntax(source)
    except UnsafeSource:
        return True
    if source.lower().startswith("file://"):
        return urlsplit(source).netloc not in ("", "localhost")
    return gitfetch.is_scp_like(source)


def refuse_unsafe_source(source: str, *, options: HarvestOptions) -> None:
    """Raise Invalid when the harvesters would refuse a (normalized) source before fetching anything.

    A queued harvest runs later in a worker; calling this first lets a submission hear at once
    that a local path, a private address or a forbidden scheme is refused. It only resolves the
    host name; nothing is fetched. Other failures (a missing repository) are left to the harvest.
    """
    try:
        if source.lower().startswith("http://"):
            parts = urlsplit(pagefetch.check_page_url(source))
            netguard.checked_addresses(parts.hostname or "", parts.port or 80, allow_private=options.allow_private)
        else:
            gitfetch.resolve_source(source, options=options)
    except UnsafeSource as refused:
        raise Invalid(str(refused), details={"fields": {"source_url": str(refused)}}) from None
    except HarvestError:
        pass


#: Runs a harvester: (kind, source, options) -> record. In-process by default; harvest_many
#: passes one that runs it in a worker process.
Fetch = Callable[[str, str, HarvestOptions], HarvestedRecord]


def harvest_source(app: Flask, *, source: str, kind: str | None = "git", options: HarvestOptions,
                   fetch: Fetch = harvesters.run_harvest) -> HarvestResult:
    """Harvest one source and apply it; a failure keeps the last good data and records why.

    With ``kind=None`` a known source keeps its kind and a new one is guessed (git if the
    remote answers as git, else page).
    """
    try:
        url = normalize_source(source)
    except Invalid as refused:
        # Refused before anything is known: nothing is written.
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=refused.message)
    with Session(app.extensions["registry_engine"]) as session:
        if kind is None:
            kind = _known_kind(session, url)
        known = session.exec(select(Source).where(Source.kind == kind, Source.url == url)).first() \
            if kind else None
    if kind is None:
        try:
            kind = harvesters.guess_kind(url, options=options)
        except HarvestError as err:
            return HarvestResult(source=source, outcome=Outcome.FAILED, error=str(err))
    harvester = harvesters.get_harvester(kind)
    known_version = (known.last_commit or known.etag) if known and known.entry_id else None

    if known_version:
        try:
            head = harvester.head(url, options=replace(options, known_version=known_version))
        except HarvestError:
            head = None  # the full harvest below reports the failure in its own words
        if head and head == known_version:
            with write_session(app) as session:
                src = session.get(Source, known.id)
                _record_run(session, src, Outcome.UNCHANGED, commit=src.last_commit)
                src.consecutive_failures = 0
                src.last_error = None
                # The slug alone: an unchanged source need not load its entry's long texts.
                slug = session.exec(select(Entry.slug).where(Entry.id == src.entry_id)).one()
            return HarvestResult(source=source, outcome=Outcome.UNCHANGED, slug=slug)

    # The clone runs outside any transaction: it may take minutes and must not hold the lock.
    try:
        record = fetch(kind, url, options)
    except HarvestError as err:
        message = str(err)
        if known is not None:
            with write_session(app) as session:
                src = session.get(Source, known.id)
                src.consecutive_failures += 1
                src.last_error = message
                _record_run(session, src, Outcome.FAILED, error=message)
        # An unknown source that fails is refused before anything is known: nothing is written.
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=message)

    with write_session(app) as session:
        return apply_record(session, record=record, source_url=url, kind=kind, display=source)


def _known_kind(session: Session, url: str) -> str | None:
    kinds = session.exec(select(Source.kind).where(Source.url == url, Source.kind != "list")).all()
    return kinds[0] if len(kinds) == 1 else None


def apply_record(session: Session, *, record: HarvestedRecord, source_url: str, kind: str,
                 display: str | None = None) -> HarvestResult:
    """Upsert the entry a record describes, keep human edits, write a revision and record the run."""
    src = session.exec(select(Source).where(Source.kind == kind, Source.url == source_url)).first()
    if src is None:
        src = Source(kind=kind, url=source_url)
        session.add(src)
        session.flush()
    entry = session.get(Entry, src.entry_id) if src.entry_id else None
    created = entry is None
    if created:
        entry = Entry(slug=_free_slug(session, record.slug_hint, source_url), name=record.slug_hint.split("/")[-1],
                      source_url=source_url)
        session.add(entry)
        session.flush()
        src.entry_id = entry.id

    changes = _apply_fields(entry, record)
    changes += _apply_translations(session, entry, record)
    changes += _apply_relations(session, entry, record)
    entry.head_commit = record.commit
    entry.warnings = list(record.warnings)
    entry.source_url = source_url

    outcome = Outcome.CREATED if created else (Outcome.UPDATED if changes else Outcome.UNCHANGED)
    if outcome is not Outcome.UNCHANGED:
        record_change(session, entry, author=HARVESTER.name,
                      reason="first harvest" if created else f"harvest of {record.commit or 'source'}",
                      changes=changes)
        _resolve_relations_to(session, entry)
    verify_claim(session, entry=entry, token=record.claim_token)
    # Details (results tables, size categories) are not part of a revision's snapshot; their
    # change is reported with the run only.
    run_changes = changes + _apply_details(session, entry, record)
    src.last_commit = record.commit
    src.etag = record.version_id
    src.consecutive_failures = 0
    src.last_error = None
    _record_run(session, src, outcome, commit=record.commit, changes=run_changes, warnings=record.warnings)
    return HarvestResult(source=display or source_url, outcome=outcome, slug=entry.slug, changes=changes,
                         warnings=list(record.warnings))


# What a field goes back to when the source stops saying anything about it.
_EMPTY = {"summary": "", "description": "", "languages": [], "tasks": [], "tags": [], "frameworks": [],
          "authors": [], "citation": {}}


def _apply_fields(entry: Entry, record: HarvestedRecord) -> list[str]:
    changes = []
    provenance = dict(entry.provenance)
    for name in _HARVESTED_FIELDS:
        if name not in record.fields:
            # The source no longer says it (a CITATION.cff was deleted): forget the old value,
            # unless a person wrote it.
            if name in provenance and "edited_by" not in provenance[name] and name not in ("name", "kind"):
                if getattr(entry, name) != _EMPTY.get(name):
                    setattr(entry, name, _EMPTY.get(name))
                    changes.append(name)
                del provenance[name]
            continue
        value = record.fields[name]
        if "edited_by" in provenance.get(name, {}):
            # A person's edit wins over every later harvest; keep what the source says so
            # that unlocking the field can bring it back.
            entry.harvested_values = {**entry.harvested_values,
                                      name: {"value": value, **record.provenance.get(name, {})}}
            continue
        if value is None and name in ("name", "summary", "description", "kind"):
            continue
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changes.append(name)
        provenance[name] = dict(record.provenance.get(name, {"origin": "unknown"}))
    entry.provenance = provenance
    return changes


def _apply_translations(session: Session, entry: Entry, record: HarvestedRecord) -> list[str]:
    current = {t.lang: t for t in session.exec(select(Translation).where(Translation.entry_id == entry.id))}
    changes = []
    for lang, text in record.translations.items():
        tr = current.get(lang)
        if tr is not None and tr.origin != "harvested":
            continue  # contributed translations are not replaced by what a README says
        values = {"name": text.get("name") or "", "summary": text.get("summary") or "",
                  "description": text.get("description") or "", "origin_file": text.get("origin")}
        if tr is None:
            session.add(Translation(entry_id=entry.id, lang=lang, origin="harvested", **values))
            changes.append(f"translation:{lang}")
        elif any(getattr(tr, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(tr, k, v)
            tr.updated_at = utcnow()
            changes.append(f"translation:{lang}")
    for lang, tr in current.items():
        if tr.origin == "harvested" and lang not in record.translations:
            session.delete(tr)
            changes.append(f"translation:{lang}")
    return changes


def _apply_relations(session: Session, entry: Entry, record: HarvestedRecord) -> list[str]:
    current = {(r.type, r.target): r for r in session.exec(select(Relation).where(Relation.entry_id == entry.id))}
    wanted = {(r["type"], r["target"]) for r in record.relations if r.get("type") and r.get("target")}
    if set(current) == wanted:
        return []
    for key, rel in current.items():
        if key not in wanted:
            session.delete(rel)
    for rel_type, target in sorted(wanted - set(current)):
        target_entry = session.exec(select(Entry).where(Entry.slug == target.lower())).first()
        session.add(Relation(entry_id=entry.id, type=rel_type, target=target,
                             target_id=target_entry.id if target_entry else None))
    return ["relations"]


def _apply_details(session: Session, entry: Entry, record: HarvestedRecord) -> list[str]:
    # Details are harvested facts nobody edits; they change with the source, without a revision
    # of their own (the entry's fields are what revisions track).
    row = session.get(EntryDetails, entry.id)
    if row is None:
        if not record.details:
            return []
        row = EntryDetails(entry_id=entry.id, data={})
    if row.data == record.details:
        return []
    row.data = dict(record.details)
    row.updated_at = utcnow()
    session.add(row)
    return ["details"]


def _resolve_relations_to(session: Session, entry: Entry) -> None:
    # A relation kept by name is linked as soon as its target is registered.
    waiting = select(Relation).where(Relation.target_id.is_(None), func.lower(Relation.target) == entry.slug)
    for rel in session.exec(waiting):
        rel.target_id = entry.id
        session.add(rel)


def _host_suffix(source_url: str) -> str:
    host = urlparse(source_url).hostname if "://" in source_url else None
    if not host or source_url.startswith("file:"):
        return "local"
    parts = [p for p in host.lower().split(".") if p not in ("www", "com", "org", "net", "io", "co")]
    return parts[0] if parts else "remote"


def _free_slug(session: Session, hint: str, source_url: str) -> str:
    # Slugs are immutable once made; a different source wanting a taken one gets the host
    # as a suffix, then a number.
    def taken(slug: str) -> bool:
        return session.exec(select(Entry.id).where(Entry.slug == slug)).first() is not None

    hint = hint.lower()
    if not taken(hint):
        return hint
    with_host = f"{hint}-{_host_suffix(source_url)}"
    if not taken(with_host):
        return with_host
    for n in range(2, _MAX_SLUG_TRIES):
        candidate = f"{hint}-{n}"
        if not taken(candidate):
            return candidate
    raise HarvestError(f"no free slug near {hint!r}")


def _record_run(session: Session, src: Source, outcome: Outcome, *, commit: str | None = None,
                changes: list[str] | None = None, warnings: list[str] | None = None,
                error: str | None = None) -> None:
    now = utcnow()
    src.last_harvested_at = now
    # A failing source is tried again later and later (twice the wait after each failure, at
    # most a week), so a dead server is not asked every hour forever.
    hours = src.schedule_hours
    if outcome is Outcome.FAILED:
        hours = min(hours * 2 ** min(src.consecutive_failures, 10), max(_MAX_BACKOFF_HOURS, hours))
    src.next_due_at = now + timedelta(hours=hours)
    session.add(src)
    session.add(HarvestRun(source_id=src.id, started_at=now, finished_at=now, outcome=outcome.value, commit=commit,
                           changes=changes or [], warnings=warnings or [], error=error))


def list_runs(session: Session, *, slug: str, limit: int = 20, actor: Actor | None = None) -> list[RunPublic]:
    """Return the latest harvest runs of the entry's source, newest first (server paths for admins only)."""
    from .sources import run_public

    entry = session.exec(select(Entry).where(Entry.slug == slug)).first()
    if entry is None:
        return []
    runs = session.exec(
        select(HarvestRun, Source.url).join(Source, Source.id == HarvestRun.source_id)
        .where(Source.entry_id == entry.id).order_by(HarvestRun.id.desc()).limit(limit)).all()
    return [run_public(run, url, actor) for run, url in runs]


@dataclass
class HarvestNotes:
    """What the entry page shows about harvesting beyond the fields: details, and warnings for those who fix them."""

    details: dict[str, Any] = field(default_factory=dict)
    #: Only for the entry's maintainers and moderators (None for everyone else).
    warnings: list[str] | None = None
    source_id: int | None = None


def harvest_notes(session: Session, *, slug: str, actor: Actor | None) -> HarvestNotes:
    """Return the harvested details of an entry, with its warnings when the actor may act on them."""
    entry = session.exec(select(Entry).where(Entry.slug == slug)).first()
    if entry is None:
        return HarvestNotes()
    row = session.get(EntryDetails, entry.id)
    details = {key: item.get("value") for key, item in (row.data if row else {}).items() if isinstance(item, dict)}
    source_id = session.exec(select(Source.id).where(Source.entry_id == entry.id)).first()
    warnings = list(entry.warnings) if can_edit(session, actor, entry) else None
    return HarvestNotes(details=details, warnings=warnings, source_id=source_id)
