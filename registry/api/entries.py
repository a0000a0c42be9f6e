"""API routes about entries: list and read, register, edit, revert, propose, hide and restore."""

from __future__ import annotations

from flask import current_app, jsonify, request

from .. import schemas as m
from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import Invalid
from ..models import FACETS
from ..schemas import (
    TEXT_FIELDS,
    EntryPatch,
    EntryRegister,
    HideRequest,
    ProposalCreate,
    RevertRequest,
    RevisionList,
    TranslationList,
)
from ..schemas.limits import QUERY_MAX
from ..security import submission_limit
from ..services.catalog import localize_summaries
from ..services.editing import edit_entry, list_revisions, revert_entry, set_hidden
from ..services.entries import get_entry, to_public
from ..services.listing import SORTS, list_entries, parse_entry_query
from ..services.proposals import propose_edit, submit_translation
from ..services.submissions import confirm_submission, queue_submission, submissions_queued
from . import bp
from .common import body_as, changes_as, writer
from .spec import ENTRY, LANG, MADE_ID, PAGE, WRITE, documented, links, query
from .support import paginated

# The same allowance as the `/submit` page: a registration fetches and harvests either way.
_submissions = submission_limit()


@bp.get("/entries")
@documented(
    "listEntries",
    "Search and browse entries",
    "entries",
    response=m.EntryList,
    params=[
        query("q", {"type": "string", "maxLength": QUERY_MAX}, "Words to search for, in any script."),
        *[query(f, {"type": "string"}, "Repeat to match any of several values.", array=True) for f in FACETS],
        query("sort", {"type": "string", "enum": list(SORTS)}),
        LANG,
        *PAGE,
    ],
    errors=(400,),
    description="Facet filters are OR within a facet and AND across facets; facet counts cover the whole match.",
)
def entries():
    query = parse_entry_query(request.args, default_per_page=current_app.config["PER_PAGE"])
    session = read_session()
    page = list_entries(session, query=query)
    items = localize_summaries(session, page.items, request.args.get("lang") or None)
    return paginated(items, total=page.total, page=page.page, per_page=page.per_page, facets=page.facets)


@bp.get("/entries/<namespace>/<name>")
@documented("getEntry", "One entry", "entries", response=m.EntryPublic, params=[*ENTRY, LANG], errors=(404,))
def entry(namespace: str, name: str):
    public = get_entry(
        read_session(), slug=f"{namespace}/{name}", actor=current_actor(), lang=request.args.get("lang") or None
    )
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries")
@documented(
    "registerEntry",
    "Register a repository by its URL (harvested now, or queued)",
    "entries",
    ok=201,
    response=m.EntryPublic,
    body=m.EntryRegister,
    auth=True,
    errors=(*WRITE, 409),
    queued=m.JobPublic,
    description="Without a queue the source is harvested at once and the new entry is the answer (201). "
    "When harvests are queued (Redis) the answer is 202 with the job; follow it at "
    "`GET /jobs/{job_id}` (also in the Location header) until it is `done`, then read the entry "
    "at its `entry_url`. Each registration draws on the account's (or, anonymous, the address's) "
    "allowance of submissions, shared with the `/submit` page (`REGISTRY_SUBMIT_RATE_LIMIT`).",
)
@_submissions
def register_entry():
    actor = writer()
    url = body_as(EntryRegister).source_url
    session = read_session()
    options = harvest_options(current_app.config, operator=False)
    if submissions_queued():
        # A worker harvests it: 202 with the job, which says where to follow it.
        job = queue_submission(session, url=url, actor=actor, options=options).public()
        return jsonify(job.model_dump(mode="json")), 202, {"Location": job.url}
    result = confirm_submission(sessions(), session, url=url, actor=actor, options=options)
    # End the read transaction that began before the harvest wrote, so the new entry is seen.
    session.rollback()
    assert result.slug is not None  # confirm_submission found the new entry by its slug
    public = get_entry(session, slug=result.slug, actor=actor)
    return jsonify(public.model_dump(mode="json")), 201


def _slug(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


@bp.patch("/entries/<namespace>/<name>")
@documented(
    "editEntry",
    "Edit an entry (maintainers and moderators)",
    "entries",
    response=m.EntryPublic,
    body=m.EntryPatch,
    params=ENTRY,
    auth=True,
    errors=(*WRITE, 409, 428),
    description="Send `base_revision`: missing is a 428, stale a 409 with the current entry in error.details.current.",
)
def patch_entry(namespace: str, name: str):
    actor = writer()
    body = changes_as(EntryPatch)
    base = body.pop("base_revision", None)
    reason = body.pop("reason", "") or ""
    with write_session() as session:
        entry = edit_entry(
            session, slug=_slug(namespace, name), actor=actor, changes=body, base_revision=base, reason=str(reason)
        )
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.get("/entries/<namespace>/<name>/revisions")
@documented(
    "listRevisions", "An entry's history, newest first", "history", response=m.RevisionList, params=ENTRY, errors=(404,)
)
def revisions(namespace: str, name: str):
    rows = list_revisions(read_session(), slug=_slug(namespace, name))
    return jsonify(
        RevisionList(items=rows, total=len(rows), page=1, per_page=len(rows), facets={}).model_dump(mode="json")
    )


@bp.post("/entries/<namespace>/<name>/revert")
@documented(
    "revertEntry",
    "Bring back an earlier revision",
    "history",
    response=m.EntryPublic,
    body=m.RevertRequest,
    params=ENTRY,
    auth=True,
    errors=(*WRITE, 409, 428),
)
def revert(namespace: str, name: str):
    actor = writer()
    body = body_as(RevertRequest)
    with write_session() as session:
        entry = revert_entry(
            session,
            slug=_slug(namespace, name),
            actor=actor,
            revision=body.revision,
            base_revision=body.base_revision,
            reason=body.reason or "",
        )
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


def _set_hidden(namespace: str, name: str, hidden: bool):
    actor = writer()
    body = body_as(HideRequest, optional=True)
    with write_session() as session:
        entry = set_hidden(session, slug=f"{namespace}/{name}", actor=actor, hidden=hidden, reason=body.reason)
        public = to_public(session, entry, actor=actor)
    return jsonify(public.model_dump(mode="json"))


@bp.post("/entries/<namespace>/<name>/hide")
@documented(
    "hideEntry",
    "Hide an entry, with a reason (moderators)",
    "history",
    response=m.EntryPublic,
    body=m.HideRequest,
    params=ENTRY,
    auth=True,
    errors=WRITE,
)
def hide_entry(namespace: str, name: str):
    return _set_hidden(namespace, name, True)


@bp.post("/entries/<namespace>/<name>/restore")
@documented(
    "restoreEntry",
    "Show a hidden entry again (moderators)",
    "history",
    response=m.EntryPublic,
    body=m.HideRequest,
    params=ENTRY,
    auth=True,
    errors=WRITE,
)
def restore_entry(namespace: str, name: str):
    return _set_hidden(namespace, name, False)


@bp.get("/entries/<namespace>/<name>/translations")
@documented(
    "listTranslations",
    "An entry's translations",
    "translations",
    response=m.TranslationList,
    params=ENTRY,
    errors=(404,),
)
def translations(namespace: str, name: str):
    public = get_entry(read_session(), slug=f"{namespace}/{name}", actor=current_actor())
    return jsonify(
        TranslationList(slug=public.slug, language=public.language, translations=public.translations).model_dump(
            mode="json"
        )
    )


@bp.post("/entries/<namespace>/<name>/proposals")
@documented(
    "proposeChange",
    "Propose an edit or a translation (maintainers' translations are published at once)",
    "translations",
    ok=201,
    response=m.ProposalCreated,
    body=m.ProposalCreate,
    params=ENTRY,
    auth=True,
    errors=(*WRITE, 409, 428),
    # A proposal that waits for review has an id (a translation published at once has none).
    links=links("getProposal", "decideProposal", proposal_id=MADE_ID),
)
def propose(namespace: str, name: str):
    """Propose an edit (`{"changes": {…}}`) or a translation (`{"lang": "sw", "name": …}`)."""
    actor = writer()
    body = body_as(ProposalCreate)
    slug = _slug(namespace, name)
    with write_session() as session:
        if body.lang:
            result = submit_translation(
                session,
                slug=slug,
                actor=actor,
                lang=body.lang,
                text={k: getattr(body, k) for k in TEXT_FIELDS},
                base_revision=body.base_revision,
            )
            if not hasattr(result, "status"):  # published directly by a maintainer
                return jsonify({"published": True, "lang": result.lang}), 201
        else:
            if body.changes is None:
                raise Invalid(
                    "Send the fields to change as `changes`: {…}.", details={"fields": {"changes": "required"}}
                )
            result = propose_edit(
                session,
                slug=slug,
                actor=actor,
                # The names sent, each checked by the shape (an unknown name is refused there).
                changes=body.changes.model_dump(exclude_unset=True),
                base_revision=body.base_revision,
                note=body.note or "",
            )
        proposal_id = result.id
    return jsonify({"id": proposal_id, "status": "open"}), 201
