"""Registering a project from the web or the API: normalize, refuse duplicates, preview, confirm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

import harvesters
from harvesters import HarvestOptions, Outcome
from harvesters.slugs import slug_from_source

from ..db import Sessions
from ..errors import Conflict, Invalid, NotFound, RegistryError
from ..inputs import storable
from ..jobs.queue import KEEP_PREVIEWS, JobRef, get_job, queue_enabled, submit
from ..models import Entry, Source, User
from . import Actor
from .addresses import normalize_source, normalize_source_url, refuse_unsafe_source
from .permissions import is_staff, require_signed_in
from .pipeline import HarvestResult, harvest_error, run_source


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
    src = session.exec(select(Source).where(col(Source.url) == url, col(Source.entry_id).is_not(None))).first()
    return session.get(Entry, src.entry_id) if src else None


def _mirrors(session: Session, url: str, actor: Actor) -> list[str]:
    # The same owner/name on another host (GitHub and Gitee mirrors) is probably the same project.
    hint = slug_from_source(url)
    stmt = select(Entry.slug).where((col(Entry.slug) == hint) | col(Entry.slug).startswith(hint + "-"))
    if not is_staff(actor):
        stmt = stmt.where(col(Entry.hidden) == False, col(Entry.deleted_at).is_(None))  # noqa: E712 (SQL)
    return sorted(session.exec(stmt).all())


def _refuse(session: Session, url: str, actor: Actor, options: HarvestOptions) -> None:
    """Refuse a server path that may not be submitted, then a duplicate.

    In that order a server path (or another address that is not http(s)) is refused alike whether
    or not it is registered, so a submission cannot probe which paths are sources (no host name
    is resolved for these; http(s) addresses are checked by the harvest, or before queueing it).
    A duplicate names its entry only to someone who may see it: a hidden or deleted entry's
    slug, moderators and admins.
    """
    if not url.lower().startswith(("http://", "https://")):
        refuse_unsafe_source(url, options=options)
    entry = _existing(session, url)
    if entry is None:
        return
    if is_staff(actor) or (not entry.hidden and entry.deleted_at is None):
        raise Conflict(f"{url} is already registered as {entry.slug}.", code="duplicate", details={"slug": entry.slug})
    raise Conflict(f"{url} is already registered.", code="duplicate")


def preview_submission(
    session: Session, *, url: str, actor: Actor | None, options: HarvestOptions
) -> SubmissionPreview:
    """Harvest a submitted URL without writing anything and return what was found."""
    actor = require_signed_in(actor)
    url = _identity(url)
    _refuse(session, url, actor, options)
    try:
        # A repository or a project page: git if the remote answers as git, else page.
        kind = harvesters.guess_kind(url, options=options)
        record = storable(harvesters.get_harvester(kind).harvest(url, options=options))
    except Exception as err:  # whatever a harvester raises is a failed harvest, never a 500
        reason = harvest_error(err)
        raise Invalid(reason, code="harvest_failed", details={"fields": {"source_url": reason}}) from None
    return SubmissionPreview(
        source_url=url,
        slug_hint=record.slug_hint,
        fields=dict(record.fields),
        provenance=dict(record.provenance),
        translations=sorted(record.translations),
        warnings=list(record.warnings),
        possible_duplicates=_mirrors(session, url, actor),
    )


def confirm_submission(
    sessions: Sessions, session: Session, *, url: str, actor: Actor | None, options: HarvestOptions
) -> HarvestResult:
    """Register the submitted source for real, with the actor recorded as its submitter."""
    actor = require_signed_in(actor)
    url = _identity(url)
    _refuse(session, url, actor, options)
    result = run_source(sessions, source=url, kind=None, options=options, actor=actor)
    if result.outcome is Outcome.FAILED:
        raise Invalid(
            result.error or "The harvest failed.",
            code="harvest_failed",
            details={"fields": {"source_url": result.error}},
        )
    with sessions.write() as ws:
        entry = ws.exec(select(Entry).where(col(Entry.slug) == result.slug)).one()
        if entry.submitted_by_id is None:
            entry.submitted_by_id = actor.user_id
            ws.add(entry)
    return result


# --- with a queue (REGISTRY_REDIS_URL): the slow harvests run in a worker --------------------


@dataclass
class SubmissionJob:
    """A submission's job as its person sees it: where it stands, and the preview or the entry once done."""

    id: str
    kind: str  # preview | submission
    status: str  # queued | running | done | failed
    source_url: str | None
    error: str | None = None
    code: str | None = None
    #: The entry the address is already registered as (a duplicate), or the one just registered.
    slug: str | None = None
    preview: SubmissionPreview | None = None

    @property
    def pending(self) -> bool:
        return self.status in ("queued", "running")


def submissions_queued() -> bool:
    """Tell whether previews and registrations run as queued jobs (Redis) rather than in the request."""
    return queue_enabled()


def _queue(session: Session, *, url: str, actor: Actor | None, kind: str, options: HarvestOptions) -> JobRef:
    actor = require_signed_in(actor)
    url = _identity(url)
    _refuse(session, url, actor, options)
    # A local path, a private address or a forbidden scheme is refused now, not later by a worker.
    refuse_unsafe_source(url, options=options)
    if kind == "preview":
        # Someone is waiting on the page: no retries, and the result is kept only a day.
        return submit(
            "registry.jobs.tasks.preview_submission",
            url,
            actor.user_id,
            kind="preview",
            source=url,
            owner_id=actor.user_id,
            retry=False,
            keep=KEEP_PREVIEWS,
        )
    return submit(
        "registry.jobs.tasks.register_submission",
        url,
        actor.user_id,
        kind="submission",
        source=url,
        owner_id=actor.user_id,
    )


def queue_preview(session: Session, *, url: str, actor: Actor | None, options: HarvestOptions) -> JobRef:
    """Check a submitted URL (an account, an address, not registered yet) and queue its preview; return the job."""
    return _queue(session, url=url, actor=actor, kind="preview", options=options)


def queue_submission(session: Session, *, url: str, actor: Actor | None, options: HarvestOptions) -> JobRef:
    """Check a submitted URL again and queue its registration for the actor; return the job."""
    return _queue(session, url=url, actor=actor, kind="submission", options=options)


def get_submission_job(*, job_id: str, actor: Actor | None) -> SubmissionJob:
    """Return the actor's own preview or registration job; anyone else's is not found."""
    actor = require_signed_in(actor)
    job = get_job(job_id)
    if job is None or job.kind not in ("preview", "submission") or job.owner_id != actor.user_id:
        raise NotFound("There is no such submission (finished ones are kept for a day or a week).")
    result = job.result or {}
    preview = SubmissionPreview(**result["preview"]) if job.status == "done" and result.get("preview") else None
    slug = result.get("slug") or (result.get("details") or {}).get("slug")
    return SubmissionJob(
        id=job.id,
        kind=job.kind,
        status=job.status,
        source_url=job.source,
        error=job.error,
        code=result.get("code"),
        slug=slug,
        preview=preview,
    )


def _job_actor(session: Session, owner_id: int) -> Actor:
    user = session.get(User, owner_id)
    if user is None or user.deleted_at is not None:
        raise Invalid("The account that sent this submission no longer exists.", code="no_account")
    return Actor(name=user.name, role=user.role, user_id=user.id)


def _failed(err: RegistryError) -> dict[str, Any]:
    return {"outcome": "failed", "error": err.message, "code": err.code, "details": err.details}


def preview_for_job(sessions: Sessions, *, url: str, owner_id: int, options: HarvestOptions) -> dict[str, Any]:
    """What a worker's preview job returns: ``{"preview": {…}}``, or the refusal in plain words."""
    from dataclasses import asdict

    with sessions.read() as session:
        try:
            preview = preview_submission(session, url=url, actor=_job_actor(session, owner_id), options=options)
        except RegistryError as err:
            return _failed(err)
    return {"outcome": "preview", "preview": asdict(preview)}


def register_for_job(sessions: Sessions, *, url: str, owner_id: int, options: HarvestOptions) -> dict[str, Any]:
    """What a worker's registration job returns: the harvest's result, or the refusal in plain words."""
    with sessions.read() as session:
        try:
            actor = _job_actor(session, owner_id)
            session.rollback()  # end the read: the harvest writes in its own transactions
            result = confirm_submission(sessions, session, url=url, actor=actor, options=options)
        except RegistryError as err:
            return _failed(err)
    return result.as_json()
