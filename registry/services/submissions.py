"""Registering a project from the web or the API: normalize, refuse duplicates, preview, confirm."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlmodel import Session, select

import harvesters
from harvesters import HarvestError, Outcome
from harvesters.slugs import slug_from_source

from ..db import write_session
from ..errors import Conflict, Invalid
from ..models import Entry, Source
from . import Actor
from .harvesting import HarvestResult, harvest_options, harvest_source, normalize_source, normalize_source_url
from .permissions import require_signed_in

@dataclass
class SubmissionPreview:
    """What a harvest of the submitted URL found, shown before anything is written."""

    source_url: str
    slug_hint: str
    fields: dict[str, Any]
    provenance: dict[str, dict[str, Any]]
    translations: list[str]
    warnings: list[str]
    possible_duplicates: list[str] = field(default_factory=list)


def _identity(url: str) -> str:
    # The same identity the harvest service gives a source: a trailing slash or `..` in a
    # local path must not make a second source of the same folder.
    checked = normalize_source_url(url)
    return normalize_source(checked) if "://" not in checked else checked


def _existing(session: Session, url: str) -> Entry | None:
    src = session.exec(select(Source).where(Source.url == url, Source.entry_id.is_not(None))).first()
    return session.get(Entry, src.entry_id) if src else None


def _mirrors(session: Session, url: str) -> list[str]:
    # The same owner/name on another host (GitHub and Gitee mirrors) is probably the same project.
    hint = slug_from_source(url)
    rows = session.exec(select(Entry.slug).where((Entry.slug == hint) | Entry.slug.startswith(hint + "-"))).all()
    return sorted(rows)


def _refuse_duplicate(session: Session, url: str) -> None:
    entry = _existing(session, url)
    if entry is not None:
        raise Conflict(f"{url} is already registered as {entry.slug}.", code="duplicate",
                       details={"slug": entry.slug})


def preview_submission(app: Flask, session: Session, *, url: str, actor: Actor | None) -> SubmissionPreview:
    """Harvest a submitted URL without writing anything and return what was found."""
    require_signed_in(actor)
    url = _identity(url)
    _refuse_duplicate(session, url)
    try:
        options = harvest_options(app, operator=False)
        # A repository or a project page: git if the remote answers as git, else page.
        kind = harvesters.guess_kind(url, options=options)
        record = harvesters.get_harvester(kind).harvest(url, options=options)
    except HarvestError as err:
        raise Invalid(str(err), code="harvest_failed", details={"fields": {"source_url": str(err)}}) from None
    return SubmissionPreview(source_url=url, slug_hint=record.slug_hint, fields=dict(record.fields),
                             provenance=dict(record.provenance), translations=sorted(record.translations),
                             warnings=list(record.warnings), possible_duplicates=_mirrors(session, url))


def confirm_submission(app: Flask, session: Session, *, url: str, actor: Actor | None) -> HarvestResult:
    """Register the submitted source for real, with the actor recorded as its submitter."""
    actor = require_signed_in(actor)
    url = _identity(url)
    _refuse_duplicate(session, url)
    result = harvest_source(app, source=url, kind=None, options=harvest_options(app, operator=False))
    if result.outcome is Outcome.FAILED:
        raise Invalid(result.error or "The harvest failed.", code="harvest_failed",
                      details={"fields": {"source_url": result.error}})
    with write_session(app) as ws:
        entry = ws.exec(select(Entry).where(Entry.slug == result.slug)).one()
        if entry.submitted_by_id is None:
            entry.submitted_by_id = actor.user_id
            ws.add(entry)
    return result
