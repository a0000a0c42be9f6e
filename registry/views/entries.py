"""Entry pages: the home page, browsing and search, one entry's page, and contributing to an entry
(edit or propose, translate, history with revert and hiding, claims); plus the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Conflict, Invalid
from ..extensions import limiter
from ..schemas.entries import EDITABLE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from ..security import per_person
from ..services.claims import CLAIM_FILE, CLAIM_VALID, request_claim
from ..services.editing import edit_entry, revert_entry, set_hidden, unlock_field
from ..services.entries import get_entry
from ..services.entry_page import entry_page
from ..services.health import database_status
from ..services.history import entry_abilities, entry_history
from ..services.listing import EntryQuery, count_entries, list_entries, parse_entry_query
from ..services.proposals import propose_edit, submit_translation
from .diffs import snapshot_diff
from .filters import register_filters
from .forms import EntryForm, HideForm, TranslationForm, show_errors
from .languages import reader_languages

bp = Blueprint("pages", __name__)
register_filters(bp)


@bp.get("/")
def home():
    session = read_session()
    recent = list_entries(session, query=EntryQuery(sort="updated", per_page=8))
    return render_template("home.html", counts=count_entries(session), recent=recent.items, facets=recent.facets)


@bp.get("/entries")
def entries():
    query = parse_entry_query(request.args, default_per_page=current_app.config["PER_PAGE"])
    page = list_entries(read_session(), query=query)
    return render_template("entries.html", page=page, query=query)


@bp.get("/entries/<namespace>/<name>")
def entry(namespace: str, name: str):
    page = entry_page(
        read_session(),
        slug=f"{namespace}/{name}",
        actor=current_actor(),
        wanted=reader_languages(),
        url=url_for("pages.entry", namespace=namespace, name=name, _external=True),
    )
    return render_template(
        "entry.html",
        page=page,
        entry=page.entry,
        shown_lang=page.shown_lang,
        body=Markup(page.body),
    )


@bp.get("/healthz")
def healthz():
    checks = {"database": database_status(read_session())}
    if current_app.config.get("REDIS_URL"):
        from ..jobs.queue import redis_connection

        try:
            redis_connection(current_app).ping()
            checks["redis"] = "ok"
        except Exception as err:  # redis raises ConnectionError, TimeoutError…
            checks["redis"] = f"error: {type(err).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return {"status": "ok" if healthy else "unhealthy", "checks": checks}, 200 if healthy else 503


# --- contributing to an entry ---------------------------------------------------------

editing_bp = Blueprint("editing", __name__, url_prefix="/entries/<namespace>/<name>")
_proposal_limit = limiter.limit(
    lambda: current_app.config["PROPOSAL_RATE_LIMIT"],
    methods=["POST"],
    key_func=per_person,
    scope="proposals",
    error_message=lambda: _("You sent many changes in a short time; wait a while and try again."),
)


def _int(raw: Any) -> Any:
    # Passed on as typed when it is not a number: the service explains what is wrong.
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None if raw in (None, "") else raw


def _changed(typed: dict[str, Any], current) -> dict[str, Any]:
    """Keep only the fields whose typed value differs from what the entry shows now."""
    out = {}
    for name in EDITABLE_FIELDS:
        now = getattr(current, name)
        if name in LIST_FIELDS:
            if typed[name] != list(now or []):
                out[name] = typed[name]
        elif typed[name] != ("" if now is None else str(now).strip()):
            out[name] = typed[name]
    return out


def _side_by_side(yours: dict[str, Any], current: dict[str, Any], names) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        mine, theirs = yours.get(name), current.get(name)
        as_text = [(", ".join(v) if isinstance(v, list) else ("" if v is None else str(v))) for v in (mine, theirs)]
        rows.append({"field": name, "yours": as_text[0], "current": as_text[1], "differs": as_text[0] != as_text[1]})
    return rows


def _conflict(err: Conflict, *, slug: str, yours: dict[str, Any], names, retry: str):
    current = err.details["current"]
    return render_template(
        "contribute/conflict.html",
        slug=slug,
        message=err.message,
        current=current,
        rows=_side_by_side(yours, current, names),
        retry=retry,
    ), 409


@editing_bp.route("/edit", methods=["GET", "POST"])
@login_required
@_proposal_limit
def edit(namespace: str, name: str):
    slug, actor = f"{namespace}/{name}", current_actor()
    current = get_entry(read_session(), slug=slug, actor=actor)
    abilities = entry_abilities(read_session(), slug=slug, actor=actor)
    form = EntryForm()
    status = 200
    if request.method == "GET":
        form.fill(current)
    elif form.validate_on_submit():
        typed = form.values()
        base = _int(form.base_revision.data)
        try:
            with write_session() as s:
                if abilities.can_edit:
                    entry = edit_entry(
                        s,
                        slug=slug,
                        actor=actor,
                        changes=_changed(typed, current),
                        base_revision=base,
                        reason=form.note.data or "",
                    )
                    done = _("Saved as revision %(n)d.", n=entry.revision)
                else:
                    propose_edit(
                        s,
                        slug=slug,
                        actor=actor,
                        changes=_changed(typed, current),
                        base_revision=base,
                        note=form.note.data or "",
                    )
                    done = _(
                        "Thank you. Your proposal is waiting for review by the maintainers; "
                        "you can follow it on your account page."
                    )
        except Conflict as err:
            if "current" not in err.details:
                raise
            return _conflict(
                err,
                slug=slug,
                yours=typed,
                names=EDITABLE_FIELDS,
                retry=url_for("editing.edit", namespace=namespace, name=name),
            )
        except Invalid as err:
            show_errors(form, err)
            status = 422
        else:
            flash(done, "success")
            return redirect(url_for("pages.entry", namespace=namespace, name=name))
    else:
        status = 422
    locked = [f for f, p in current.provenance.items() if "edited_by" in p] if abilities.can_edit else []
    return render_template(
        "contribute/edit.html", entry=current, form=form, abilities=abilities, locked=sorted(locked)
    ), status


@editing_bp.post("/unlock")
@login_required
def unlock(namespace: str, name: str):
    field = request.form.get("field", "")
    with write_session() as s:
        unlock_field(
            s,
            slug=f"{namespace}/{name}",
            actor=current_actor(),
            field=field,
            base_revision=_int(request.form.get("base_revision")),
        )
    flash(_("%(field)s is unlocked: the next harvest writes it again.", field=field), "success")
    return redirect(url_for("editing.edit", namespace=namespace, name=name))


@editing_bp.route("/translate", methods=["GET", "POST"])
@login_required
@_proposal_limit
def translate(namespace: str, name: str):
    slug, actor = f"{namespace}/{name}", current_actor()
    original = get_entry(read_session(), slug=slug, actor=actor)
    abilities = entry_abilities(read_session(), slug=slug, actor=actor)
    form = TranslationForm()
    status = 200
    if request.method == "GET":
        lang = request.args.get("lang") or ""
        existing = original.translations.get(lang)
        form.process(
            data={
                "lang": lang,
                "base_revision": str(original.revision),
                **(
                    {"name": existing.name, "summary": existing.summary, "description": existing.description}
                    if existing
                    else {}
                ),
            }
        )
    elif form.validate_on_submit():
        text = {"name": form.name.data, "summary": form.summary.data or "", "description": form.description.data or ""}
        try:
            with write_session() as s:
                result = submit_translation(
                    s,
                    slug=slug,
                    actor=actor,
                    lang=form.lang.data,
                    text=text,
                    base_revision=_int(form.base_revision.data),
                )
                published = not hasattr(result, "status")
                assert result.lang is not None  # a translation, published or proposed, names its language
                lang = result.lang
        except Conflict as err:
            if "current" not in err.details:
                raise
            return _conflict(
                err,
                slug=slug,
                yours=text,
                names=TEXT_FIELDS,
                retry=url_for("editing.translate", namespace=namespace, name=name, lang=form.lang.data),
            )
        except Invalid as err:
            show_errors(form, err)
            status = 422
        else:
            if published:
                flash(_("The translation is published."), "success")
                return redirect(url_for("pages.entry", namespace=namespace, name=name, lang=lang))
            flash(
                _(
                    "Thank you. Your translation is waiting for review by the maintainers; "
                    "you can follow it on your account page."
                ),
                "success",
            )
            return redirect(url_for("pages.entry", namespace=namespace, name=name))
    else:
        status = 422
    return render_template("contribute/translate.html", entry=original, form=form, abilities=abilities), status


@editing_bp.get("/history")
def history(namespace: str, name: str):
    view = entry_history(read_session(), slug=f"{namespace}/{name}", actor=current_actor())
    older = view.revisions[1:] + [None]
    diffs = [
        (rev, snapshot_diff(prev.snapshot if prev else None, rev.snapshot))
        for rev, prev in zip(view.revisions, older, strict=False)
    ]
    return render_template(
        "contribute/history.html",
        history=view,
        diffs=diffs,
        hide_form=HideForm(formdata=None, reason=view.hidden_reason or ""),
    )


@editing_bp.post("/revert")
@login_required
def revert(namespace: str, name: str):
    revision = _int(request.form.get("revision"))
    with write_session() as s:
        entry = revert_entry(
            s,
            slug=f"{namespace}/{name}",
            actor=current_actor(),
            revision=revision,
            base_revision=_int(request.form.get("base_revision")),
        )
        done = _("Reverted to revision %(old)s; that is revision %(n)d now.", old=revision, n=entry.revision)
    flash(done, "success")
    return redirect(url_for("editing.history", namespace=namespace, name=name))


@editing_bp.post("/hide")
@login_required
def hide(namespace: str, name: str):
    form = HideForm()
    hidden = bool(form.hide.data)
    with write_session() as s:
        set_hidden(s, slug=f"{namespace}/{name}", actor=current_actor(), hidden=hidden, reason=form.reason.data or "")
    flash(_("The entry is hidden.") if hidden else _("The entry is shown again."), "success")
    return redirect(url_for("editing.history", namespace=namespace, name=name))


@editing_bp.route("/claim", methods=["GET", "POST"])
@login_required
def claim(namespace: str, name: str):
    slug, actor = f"{namespace}/{name}", current_actor()
    entry = get_entry(read_session(), slug=slug, actor=actor)
    token = None
    if request.method == "POST":
        with write_session() as s:
            token = request_claim(s, slug=slug, actor=actor)
    return render_template(
        "contribute/claim.html",
        entry=entry,
        token=token,
        claim_file=CLAIM_FILE,
        valid_days=CLAIM_VALID.days,
        abilities=entry_abilities(read_session(), slug=slug, actor=actor),
    ), 201 if token else 200
