"""Loading a dump (JSON Lines in the API's entry shape, or a JSON-LD graph this registry wrote) into a registry.

Loading writes what any change writes — the entry, its first revision, its facet rows — a batch per
short transaction, and the search index once, at the end (registry/search/staging.py).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, update
from sqlmodel import Session, col, select

from harvesters.language import normalize_tag

from ..db import Sessions
from ..errors import Invalid
from ..facets import facet_values
from ..inputs import storable_data
from ..models import ENTRY_KINDS, Entry, FacetValue, Relation, Revision, Source, Translation, utcnow
from ..schemas import EDITABLE_FIELDS
from ..search import index_entries, index_staged, staging, unindexed_ids
from ..search.bulk import Builder
from .entries import is_local_source, snapshot
from .rendered import RENDER_LATER
from .validation import validate_changes

IMPORT_AUTHOR = "import"
#: Entries written per flush when loading a dump.
_IMPORT_BATCH = 500
_TRANSLATION_ORIGINS = ("harvested", "community", "maintainer")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # slugs already registered
    errors: list[str] = field(default_factory=list)  # "line 3: why"
    #: Records loaded with NUL or lone surrogates replaced by U+FFFD: "record 3 (lab/x): name, tags".
    repaired: list[str] = field(default_factory=list)


def _repaired(record: dict[str, Any], number: int, report: ImportReport) -> dict[str, Any]:
    # The text boundary's repair, as for harvested text: a dump is data from elsewhere, and NUL or a
    # lone surrogate (escaped in the JSON, or bytes that are not UTF-8, which the reader keeps as
    # surrogates) can be stored by neither database alike nor shown by any page.
    fixed = storable_data(record)
    if fixed is not record and fixed != record:
        fields = sorted(k for k in fixed if fixed.get(k) != record.get(k))
        slug = fixed.get("slug") if isinstance(fixed.get("slug"), str) else "?"
        report.repaired.append(f"record {number} ({slug}): {', '.join(fields)}")
    return fixed


def read_dump(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Read a dump record by record: JSON Lines in the API's shape (streamed, one line at a time), or a
    JSON-LD document this registry wrote (read whole: it is one JSON document)."""
    lines = iter(lines)
    blank = 0
    first = None
    for line in lines:
        if line.strip():
            first = line
            break
        blank += 1
    if first is None:
        return
    if not _one_object(first):
        rest = "".join(lines)
        whole = (first + rest).lstrip()
        if whole.startswith("{") and '"@graph"' in whole[:200]:
            try:
                doc = json.loads(whole)
            except ValueError as err:
                raise Invalid(f"The JSON-LD document is not valid JSON: {err}") from None
            yield from (_from_jsonld(node) for node in doc.get("@graph", []) if isinstance(node, dict))
            return
        lines = iter(rest.splitlines(keepends=True))
    for number, line in enumerate(itertools.chain([first], lines), start=blank + 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            raise Invalid(f"line {number} is not JSON: {err}", details={"line": number}) from None
        if not isinstance(record, dict):
            raise Invalid(f"line {number} is not a JSON object", details={"line": number})
        if "@graph" in record and isinstance(record["@graph"], list):  # a JSON-LD document on one line
            yield from (_from_jsonld(node) for node in record["@graph"] if isinstance(node, dict))
            continue
        yield record


def _one_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _spdx_from_url(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


def _from_jsonld(node: dict[str, Any]) -> dict[str, Any]:
    """Map a schema.org node back to the dump's fields (what JSON-LD can carry)."""

    def _list(value):
        return [] if value is None else value if isinstance(value, list) else [value]

    identifiers = [i for i in _list(node.get("identifier")) if isinstance(i, str)]
    slug = next((i for i in identifiers if "/" in i and not i.startswith("http")), "")
    kind = (
        "dataset"
        if node.get("@type") == "Dataset"
        else ("model" if node.get("applicationCategory") == "AI model" else "project")
    )
    licenses = [_spdx_from_url(u) for u in _list(node.get("license")) if isinstance(u, str)]
    doi = next((i for i in identifiers if i.startswith("https://doi.org/")), None)
    return {
        "slug": slug,
        "kind": kind,
        "name": node.get("name") or slug,
        "summary": node.get("description") or "",
        "languages": _list(node.get("inLanguage")),
        "license": " OR ".join(licenses) or None,
        "authors": [
            {
                k: v
                for k, v in (
                    ("name", a.get("name")),
                    ("orcid", a.get("identifier")),
                    ("affiliation", (a.get("affiliation") or {}).get("name")),
                )
                if v
            }
            for a in _list(node.get("author"))
            if isinstance(a, dict)
        ],
        "source_url": node.get("codeRepository"),
        "version": node.get("version"),
        "homepage": node.get("sameAs"),
        "tags": _list(node.get("keywords")),
        "citation": {"doi": doi.removeprefix("https://doi.org/")} if doi else {},
        "relations": [{"type": "uses", "target": t} for t in _list(node.get("isBasedOn")) if isinstance(t, str)],
        "updated_at": node.get("dateModified"),
    }


def _clean_fields(record: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {k: record.get(k) for k in EDITABLE_FIELDS if k in record}
    if changes.get("kind") not in ENTRY_KINDS:
        changes["kind"] = "project"
    if not isinstance(changes.get("name"), str) or not changes["name"].strip():
        changes["name"] = str(record.get("slug") or "").split("/")[-1] or "unnamed"
    return validate_changes(changes)


def _authors(value: Any) -> list[dict[str, str]]:
    authors = []
    for a in value if isinstance(value, list) else []:
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip():
            authors.append({k: str(a[k])[:300] for k in ("name", "orcid", "affiliation") if a.get(k)})
    return authors[:200]


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _slug(value: Any) -> str:
    slug = value.strip().lower() if isinstance(value, str) else ""
    parts = slug.split("/")
    if len(parts) != 2 or not all(parts) or len(slug) > 200:
        raise Invalid(f"not a slug: {value!r}")
    return slug


@dataclass
class _Loaded:
    entry: Entry
    record: dict[str, Any]
    changes: list[str]


def _prepare(record: dict[str, Any]) -> _Loaded:
    """Check a record and make its entry (not stored yet); raise Invalid for a record that cannot load."""
    slug = _slug(record.get("slug"))
    clean = _clean_fields(record)
    source_url = record.get("source_url") if isinstance(record.get("source_url"), str) else None
    if source_url is not None and len(source_url) > 2000:
        raise Invalid(f"{slug}: source_url is longer than 2000 characters")
    # Made without the ORM's bookkeeping (a load writes thousands of entries as rows: _store), with
    # the model's defaults, as Entry() would set them; numbered when it is written.
    entry = Entry.model_construct(
        updated_at=_when(record.get("updated_at")) or utcnow(),
        slug=slug,
        **clean,
        authors=_authors(record.get("authors")),
        citation=record["citation"] if isinstance(record.get("citation"), dict) else {},
        provenance={k: v for k, v in (record.get("provenance") or {}).items() if isinstance(v, dict)}
        if isinstance(record.get("provenance"), dict)
        else {},
        source_url=source_url,
        revision=1,
    )
    return _Loaded(entry=entry, record=record, changes=sorted(clean))


def import_records(
    sessions: Sessions,
    records: Iterable[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
) -> ImportReport:
    """Load dump records a batch at a time; a record that cannot load is reported and the others still load.

    Each batch is one short transaction: its entries get what any change writes (a first revision,
    facet rows), so other writers wait at most a moment and an interrupted load keeps every batch it
    committed; loading the same dump again goes on where it stopped, as entries whose slug is taken
    (already registered, or earlier in the dump) are skipped. Each committed batch's search
    documents are built (with ``processes`` above 1, in worker processes, while the next batch is
    written) and staged; the index is written once, at the end, in one transaction
    (search.index_staged), with any entries an interrupted load left unindexed. Relations kept by
    name are linked at the end. Descriptions are left for `render_missing`.
    """
    report = ImportReport()
    seen: set[str] = set()
    batch: list[_Loaded] = []
    with sessions.read() as reader, Builder(reader, processes=processes, reader=True) as builder:

        def stage_built(session: Session, *, everything: bool) -> None:
            for _, docs, _ in builder.take(wait=everything):
                staging.stage(session, docs)
            if builder.full:  # the workers are a few batches ahead: wait for the oldest
                for _, docs, _ in itertools.islice(builder.take(), 1):
                    staging.stage(session, docs)

        def store() -> None:
            with sessions.write() as session:
                session.info[RENDER_LATER] = True
                ids = _store(session, batch, report)
                stage_built(session, everything=False)
            if ids:
                builder.submit(ids)  # committed: the workers can read them

        for number, record in enumerate(records, start=1):
            try:
                loaded = _prepare(_repaired(record, number, report))
            except Invalid as err:
                report.errors.append(f"record {number}: {err.message}")
            else:
                if loaded.entry.slug in seen:
                    report.skipped.append(loaded.entry.slug)
                else:
                    seen.add(loaded.entry.slug)
                    batch.append(loaded)
            if len(batch) >= _IMPORT_BATCH:
                store()
                batch = []
            if progress:
                progress(1)
        store()
        with sessions.write() as session:
            stage_built(session, everything=True)
    with sessions.write() as session:
        index_staged(session)
        # Entries of an earlier, interrupted load that stopped between a batch and its documents.
        index_entries(session, unindexed_ids(session))
        resolve_relations(session)
    return report


def _store(session: Session, batch: list[_Loaded], report: ImportReport) -> list[int]:
    """Write a batch of checked entries with what comes with them; return their ids."""
    if not batch:
        return []
    taken = set(session.exec(select(Entry.slug).where(col(Entry.slug).in_([b.entry.slug for b in batch]))))
    report.skipped += [b.entry.slug for b in batch if b.entry.slug in taken]
    batch = [b for b in batch if b.entry.slug not in taken]
    if not batch:
        return []
    # As rows in one statement, then numbered by slug (RETURNING in parameter order is a statement per row).
    session.execute(insert(_table(Entry)), [{name: getattr(b.entry, name) for name in _ENTRY_COLUMNS} for b in batch])
    numbers = dict(
        session.execute(
            select(col(Entry.slug), col(Entry.id)).where(col(Entry.slug).in_([b.entry.slug for b in batch]))
        ).all()
    )
    for b in batch:
        written = {name: getattr(b.entry, name) for name in _ENTRY_COLUMNS}
        b.entry = Entry.model_construct(id=numbers[b.entry.slug], **written)
    urls = {b.entry.source_url for b in batch if b.entry.source_url and not is_local_source(b.entry.source_url)}
    known = {s.url: s for s in session.exec(select(Source).where(col(Source.kind) == "git", col(Source.url).in_(urls)))}
    # Rows, not objects, for what nothing reads back in this transaction: a batch writes thousands,
    # and making each one a model object cost more than writing it.
    now = utcnow()
    rows: dict[type, list[dict[str, Any]]] = {Source: [], Translation: [], Relation: [], Revision: [], FacetValue: []}
    new_sources: set[str] = set()
    for b in batch:
        entry = b.entry
        assert entry.id is not None  # flushed above
        url = entry.source_url
        if url in urls:
            if url in known:
                if known[url].entry_id is None:
                    known[url].entry_id = entry.id
            elif url not in new_sources:
                new_sources.add(url)
                rows[Source].append(_source_row(url, entry.id, now))
        translations = _translation_rows(entry, b.record.get("translations"), now)
        rows[Translation] += translations
        b.changes += [f"translation:{t['lang']}" for t in translations]
        related = {
            (rel["type"][:32], rel["target"][:300])
            for rel in b.record.get("relations") or []
            if isinstance(rel, dict) and isinstance(rel.get("type"), str) and isinstance(rel.get("target"), str)
        }
        rows[Relation] += (
            {"entry_id": entry.id, "type": kind, "target": target, "target_id": None}
            for kind, target in sorted(related)
        )
        rows[FacetValue] += ({"entry_id": entry.id, "facet": f, "value": v} for f, v in sorted(facet_values(entry)))
        rows[Revision].append(
            {
                "entry_id": entry.id,
                "number": 1,
                "author": IMPORT_AUTHOR,
                "reason": "imported from a dump",
                "changes": b.changes,
                "snapshot": snapshot(entry),
                "created_at": now,
            }
        )
    session.flush()
    for model, values in rows.items():
        if values:
            session.execute(insert(_table(model)), values)
    report.created += [b.entry.slug for b in batch]
    return [b.entry.id for b in batch if b.entry.id is not None]


def _table(model: type) -> Table:
    # The table, not the model: the ORM's bulk insert looks at every row's every value first,
    # which cost a load more than the database's writing them.
    return model.__table__  # type: ignore[attr-defined]


#: The entries table's columns that a load writes (the database numbers the entries).
_ENTRY_COLUMNS = [name for name in Entry.model_fields if name != "id"]


def _source_row(url: str, entry_id: int, now: datetime) -> dict[str, Any]:
    return {
        "kind": "git",
        "url": url,
        "entry_id": entry_id,
        "schedule_hours": 24,
        "last_commit": None,
        "etag": None,
        "consecutive_failures": 0,
        "last_error": None,
        "last_harvested_at": None,
        "next_due_at": None,
        "created_at": now,
    }


def _translation_rows(entry: Entry, value: Any, now: datetime) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for lang, text in (value or {}).items() if isinstance(value, dict) else []:
        tag = normalize_tag(lang) if isinstance(lang, str) else None
        if tag is None or not isinstance(text, dict) or tag == entry.language or tag in seen:
            continue
        seen.add(tag)
        # str() only for the type checker: a value in _TRANSLATION_ORIGINS is one of its strings.
        origin = str(text.get("origin")) if text.get("origin") in _TRANSLATION_ORIGINS else "community"
        rows.append(
            {
                "entry_id": entry.id,
                "lang": tag,
                "name": str(text.get("name") or "")[:300],
                "summary": str(text.get("summary") or ""),
                "description": str(text.get("description") or ""),
                "origin": origin,
                "origin_file": None,
                "reviewed_by": text.get("reviewed_by") if isinstance(text.get("reviewed_by"), str) else None,
                "updated_at": now,
            }
        )
    return rows


def resolve_relations(session: Session) -> None:
    """Link relations kept by name to the entries that are registered now (one statement)."""
    registered = select(Entry.id).where(col(Entry.slug) == func.lower(Relation.target)).scalar_subquery()
    session.execute(
        update(Relation)
        .where(col(Relation.target_id).is_(None))
        .values(target_id=registered)
        .execution_options(synchronize_session=False)
    )
