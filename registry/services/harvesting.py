"""Harvested entries: apply a HarvestedRecord to its entry (the pipeline's entry applier).

A harvest never overwrites a field a person edited; every change writes a revision; details
and warnings are kept beside the entry for its page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from sqlalchemy import func
from sqlmodel import Session, col, select

import harvesters
from harvesters import HarvestedRecord, HarvestError, Outcome

from ..models import Entry, EntryDetails, Relation, Source, Translation, utcnow
from . import HARVESTER, Actor
from .changes import record_change
from .claims import verify_claim
from .runs import HarvestResult, record_run
from .validation import trimmed

#: Entry attributes a harvest may write (the record's fields, less nothing: all of them).
_HARVESTED_FIELDS = harvesters.ENTRY_FIELDS
_MAX_SLUG_TRIES = 100


class EntryApplier:
    """Applies a HarvestedRecord: the entry it describes is made or brought up to date."""

    def check(self, session: Session, *, url: str, actor: Actor, target: str | None) -> None:
        """Anyone the caller let through may harvest an entry's source (permissions were checked upstream)."""

    def known_version(self, session: Session, src: Source, *, target: str | None) -> str | None:
        """A source with an entry is skipped when its commit or ETag has not moved."""
        return (src.last_commit or src.etag) if src.entry_id else None

    def label(self, session: Session, src: Source) -> str | None:
        """The slug alone: an unchanged source need not load its entry's long texts."""
        return session.exec(select(Entry.slug).where(col(Entry.id) == src.entry_id)).one()

    def apply(
        self,
        session: Session,
        harvested: HarvestedRecord,
        *,
        src: Source,
        actor: Actor,
        target: str | None,
        display: str,
    ) -> HarvestResult:
        """Upsert the entry, keep human edits, write a revision and record the run."""
        return apply_record(session, record=harvested, src=src, display=display)


def apply_record(
    session: Session, *, record: HarvestedRecord, src: Source, display: str | None = None
) -> HarvestResult:
    """Upsert the entry a record describes, keep human edits, write a revision and record the run."""
    source_url = src.url
    entry = session.get(Entry, src.entry_id) if src.entry_id else None
    created = entry is None
    if entry is None:
        entry = Entry(
            slug=_free_slug(session, record.slug_hint, source_url),
            name=record.slug_hint.split("/")[-1],
            source_url=source_url,
        )
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
        record_change(
            session,
            entry,
            author=HARVESTER.name,
            reason="first harvest" if created else f"harvest of {record.commit or 'source'}",
            changes=changes,
        )
        _resolve_relations_to(session, entry)
    verify_claim(session, entry=entry, token=record.claim_token)
    # Details (results tables, size categories) are not part of a revision's snapshot; their
    # change is reported with the run only.
    run_changes = changes + _apply_details(session, entry, record)
    src.last_commit = record.commit
    src.etag = record.version_id
    record_run(session, src, outcome, commit=record.commit, changes=run_changes, warnings=record.warnings)
    return HarvestResult(
        source=display or source_url, outcome=outcome, slug=entry.slug, changes=changes, warnings=list(record.warnings)
    )


# What a field goes back to when the source stops saying anything about it.
_EMPTY = {
    "summary": "",
    "description": "",
    "languages": [],
    "tasks": [],
    "tags": [],
    "frameworks": [],
    "authors": [],
    "citation": {},
}


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
        # Trimmed as typed and imported text is, so a harvest and an import of its export agree.
        value = trimmed(record.fields[name])
        if "edited_by" in provenance.get(name, {}):
            # A person's edit wins over every later harvest; keep what the source says so
            # that unlocking the field can bring it back.
            entry.harvested_values = {
                **entry.harvested_values,
                name: {"value": value, **record.provenance.get(name, {})},
            }
            continue
        if (value is None and name in ("summary", "description")) or (not value and name in ("name", "kind")):
            continue
        if getattr(entry, name) != value:
            setattr(entry, name, value)
            changes.append(name)
        provenance[name] = dict(record.provenance.get(name, {"origin": "unknown"}))
    entry.provenance = provenance
    return changes


def _apply_translations(session: Session, entry: Entry, record: HarvestedRecord) -> list[str]:
    assert entry.id is not None  # the entry is stored (apply_record flushed a new one)
    current = {t.lang: t for t in session.exec(select(Translation).where(col(Translation.entry_id) == entry.id))}
    changes = []
    for lang, text in record.translations.items():
        tr = current.get(lang)
        if tr is not None and tr.origin != "harvested":
            continue  # contributed translations are not replaced by what a README says
        values: dict[str, Any] = {
            "name": text.get("name") or "",
            "summary": text.get("summary") or "",
            "description": text.get("description") or "",
            "origin_file": text.get("origin"),
        }
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
    assert entry.id is not None  # the entry is stored (apply_record flushed a new one)
    current = {(r.type, r.target): r for r in session.exec(select(Relation).where(col(Relation.entry_id) == entry.id))}
    wanted = {(r["type"], r["target"]) for r in record.relations if r.get("type") and r.get("target")}
    if set(current) == wanted:
        return []
    for key, rel in current.items():
        if key not in wanted:
            session.delete(rel)
    for rel_type, target in sorted(wanted - set(current)):
        target_entry = session.exec(select(Entry).where(col(Entry.slug) == target.lower())).first()
        session.add(
            Relation(
                entry_id=entry.id, type=rel_type, target=target, target_id=target_entry.id if target_entry else None
            )
        )
    return ["relations"]


def _apply_details(session: Session, entry: Entry, record: HarvestedRecord) -> list[str]:
    # Details are harvested facts nobody edits; they change with the source, without a revision
    # of their own (the entry's fields are what revisions track).
    assert entry.id is not None  # the entry is stored (apply_record flushed a new one)
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
    waiting = select(Relation).where(col(Relation.target_id).is_(None), func.lower(Relation.target) == entry.slug)
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
        return session.exec(select(Entry.id).where(col(Entry.slug) == slug)).first() is not None

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
