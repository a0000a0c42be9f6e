"""Dumps of every public entry: JSON Lines in the API's public shape (`EntryPublic`, so a dump's field
names are the API's and stay stable), or one schema.org JSON-LD graph. Loading a dump is imports.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from sqlmodel import Session, col, select

from ..models import Entry
from ..schemas import EntryPublic
from . import Actor
from .entries import to_public
from .openformats import SCHEMA_ORG, entry_jsonld

EXPORT_FORMATS = ("jsonl", "jsonld")
_BATCH = 200


def iter_public_entries(session: Session, *, actor: Actor | None = None) -> Iterator[EntryPublic]:
    """Yield every visible entry in its public shape, oldest first, reading in batches."""
    last_id = 0
    while True:
        rows = session.exec(
            select(Entry)
            .where(
                col(Entry.id) > last_id,
                col(Entry.hidden) == False,  # noqa: E712
                col(Entry.deleted_at).is_(None),
            )
            .order_by(col(Entry.id))
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for entry in rows:
            yield to_public(session, entry, actor=actor)
        last_id = rows[-1].id or last_id  # rows read from the database always have their id


def jsonl_lines(entries: Iterable[EntryPublic]) -> Iterator[str]:
    """Return one JSON document per entry, each ending in a newline."""
    for entry in entries:
        yield json.dumps(entry.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"


def jsonld_chunks(entries: Iterable[EntryPublic], *, url_for_entry: Callable[[str], str]) -> Iterator[str]:
    """Return one schema.org JSON-LD document (`@graph` of every entry), written piece by piece."""
    yield f'{{"@context": "{SCHEMA_ORG}", "@graph": [\n'
    first = True
    for entry in entries:
        node = entry_jsonld(entry, url=url_for_entry(entry.slug))
        node.pop("@context", None)
        yield ("" if first else ",\n") + json.dumps(node, ensure_ascii=False, sort_keys=True)
        first = False
    yield "\n]}\n"


# --- import --------------------------------------------------------------------------
