"""Collection pages: browse, read (in the reader's language), curate, translate, sync from a list, Atom feed."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..auth import current_actor
from ..config import harvest_options
from ..db import read_session, sessions, write_session
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..schemas.limits import COLLECTION_TEXT_MAX, SLUG_MAX
from ..security import safe_next
from ..services.collection_items import add_item, move_item, remove_item, update_item
from ..services.collection_translations import (
    collection_proposals,
    decide_collection_proposal,
    submit_collection_translation,
)
from ..services.collections import create_collection, get_collection, list_collections, update_collection
from ..services.communities import curating_communities
from ..services.sources import sync_list
from .forms import show_errors
from .languages import content_language

bp = Blueprint("collections", __name__)
PER_PAGE = 30
FEED_SIZE = 50
_FAILED = (Conflict, Invalid, NotFound, Forbidden)


class CollectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=COLLECTION_TEXT_MAX["title"])])
    slug = StringField(
        _l("Short name for the address"),
        validators=[Optional(), Length(max=SLUG_MAX)],
        description=_l("Lower-case letters, digits and '-'; made from the title when left empty."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=COLLECTION_TEXT_MAX["description"])], render_kw={"rows": 4}
    )
    language = StringField(
        _l("Language of the title and description"),
        validators=[Length(max=35)],
        description=_l("A language tag such as sw, ar, zh-Hans or pt-BR."),
    )
    owner = SelectField(_l("Owned by"), choices=[], validate_choice=False)
    visibility = SelectField(
        _l("Who finds it"),
        choices=[
            SelectChoice("public", _l("Everyone: listed on the site")),
            SelectChoice("unlisted", _l("Only people with the link")),
        ],
    )
    list_url = StringField(
        _l("Import an awesome-list (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "The https:// address of a git repository whose README is a list of "
            "links: its sections become groups and its items are kept in step."
        ),
    )
    submit = SubmitField(_l("Make the collection"))


class TranslateForm(FlaskForm):
    lang = StringField(
        _l("Language"),
        validators=[DataRequired(), Length(max=35)],
        description=_l("A language tag such as sw, ar, zh-Hans or pt-BR."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=COLLECTION_TEXT_MAX["title"])])
    description = TextAreaField(
        _l("Description"), validators=[Length(max=COLLECTION_TEXT_MAX["description"])], render_kw={"rows": 4}
    )
    submit = SubmitField(_l("Send the translation"))


class AddItemForm(FlaskForm):
    entry = StringField(
        _l("Entry"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Its address in the registry, such as sample-nairobi-nlp/swahili-sentiment."),
    )
    group = StringField(_l("Group (optional)"), validators=[Length(max=COLLECTION_TEXT_MAX["group"])])
    note = TextAreaField(
        _l("Curator's note"), validators=[Length(max=COLLECTION_TEXT_MAX["note"])], render_kw={"rows": 2}
    )
    next = HiddenField()
    submit = SubmitField(_l("Add to the collection"))


class SyncForm(FlaskForm):
    url = StringField(
        _l("Awesome-list repository"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("For example https://github.com/owner/awesome-swahili."),
    )
    submit = SubmitField(_l("Import or sync the list"))


@bp.app_template_global("kind_label")
def kind_label(kind: str) -> str:
    """Name an entry kind in the reader's language."""
    return {"model": _("model"), "dataset": _("dataset"), "project": _("project")}.get(kind, kind)


@bp.get("/collections")
def index():
    language = request.args.get("language") or None
    rows, total, facets = list_collections(
        read_session(), language=language, per_page=PER_PAGE, lang=content_language(None, [])
    )
    return render_template("collections/index.html", collections=rows, total=total, facets=facets, language=language)


def _owner_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _("Me"))]
    choices += [SelectChoice(slug, name) for slug, name in curating_communities(read_session(), actor=current_actor())]
    return choices


@bp.route("/collections/new", methods=["GET", "POST"])
@login_required
def new():
    form = CollectionForm()
    form.owner.choices = _owner_choices()
    if request.method == "GET":
        form.owner.data = request.args.get("community", "")
    if form.validate_on_submit():
        try:
            with write_session() as s:
                made = create_collection(
                    s,
                    actor=current_actor(),
                    title=form.title.data,
                    slug=form.slug.data or None,
                    description=form.description.data or "",
                    language=form.language.data or None,
                    community=form.owner.data or None,
                    visibility=form.visibility.data,
                )
                slug = made.slug
        except _FAILED as err:
            show_errors(form, err)
        else:
            flash(_("The collection is made."), "success")
            if form.list_url.data:
                _sync(slug, form.list_url.data)
            return redirect(url_for("collections.show", slug=slug))
    return render_template("collections/new.html", form=form), 422 if form.errors or form.form_errors else 200


def _alternates(view) -> list[tuple[str, str]]:
    langs = ([view.language] if view.language else []) + [t for t in view.translations if t != view.language]
    return [(tag, url_for("collections.show", slug=view.slug, lang=tag, _external=True)) for tag in langs]


@bp.get("/collections/<slug>")
def show(slug: str):
    session = read_session()
    actor = current_actor()
    base = get_collection(session, slug=slug, actor=actor)
    lang = content_language(base.language, list(base.translations))
    view = get_collection(session, slug=slug, actor=actor, lang=lang) if lang != base.language else base
    return render_template(
        "collections/show.html",
        collection=view,
        alternates=_alternates(view),
        canonical=url_for("collections.show", slug=view.slug, _external=True),
    )


def _curate_page(slug: str, *, add_form=None, sync_form=None, status: int = 200):
    session = read_session()
    view = get_collection(session, slug=slug, actor=current_actor())
    if not view.can_curate:
        raise Forbidden(_("Only the collection's owner, its community's curators and moderators change it."))
    source = view.list_source or ""
    return render_template(
        "collections/curate.html",
        collection=view,
        add_form=add_form or AddItemForm(formdata=None),
        sync_form=sync_form or SyncForm(formdata=None, url=source),
        proposals=collection_proposals(session, slug=slug, actor=current_actor()),
    ), status


@bp.route("/collections/<slug>/curate", methods=["GET", "POST"])
@login_required
def curate(slug: str):
    if request.method == "POST":
        try:
            with write_session() as s:
                update_collection(
                    s,
                    slug=slug,
                    actor=current_actor(),
                    changes={
                        "title": request.form.get("title", ""),
                        "description": request.form.get("description", ""),
                        "language": request.form.get("language", ""),
                        "visibility": request.form.get("visibility", ""),
                    },
                )
        except _FAILED as err:
            flash(err.message, "error")
        else:
            flash(_("The collection is saved."), "success")
        return redirect(url_for("collections.curate", slug=slug))
    return _curate_page(slug)


@bp.post("/collections/<slug>/items")
@login_required
def add(slug: str):
    form = AddItemForm()
    back = safe_next(form.next.data)
    if not form.validate_on_submit():
        return _curate_page(slug, add_form=form, status=422) if not back else redirect(back)
    try:
        with write_session() as s:
            add_item(
                s,
                slug=slug,
                actor=current_actor(),
                entry=form.entry.data,
                note=form.note.data or "",
                group=form.group.data or None,
            )
    except _FAILED as err:
        if back:
            flash(err.message, "error")
            return redirect(back)
        show_errors(form, err)
        return _curate_page(slug, add_form=form, status=422)
    flash(_("Added to the collection."), "success")
    return redirect(back or url_for("collections.curate", slug=slug))


@bp.post("/collections/add")
@login_required
def add_entry():
    """The entry page's "add to collection" form, which names the collection in a field."""
    return add(request.form.get("collection", ""))


@bp.post("/collections/<slug>/items/<int:item_id>")
@login_required
def item(slug: str, item_id: int):
    """Move an item up or down, change its note, or remove it."""
    action = request.form.get("action")
    try:
        with write_session() as s:
            if action in ("up", "down"):
                move_item(s, slug=slug, actor=current_actor(), item_id=item_id, offset=-1 if action == "up" else 1)
            elif action == "remove":
                remove_item(s, slug=slug, actor=current_actor(), item_id=item_id)
            else:
                update_item(
                    s, slug=slug, actor=current_actor(), item_id=item_id, changes={"note": request.form.get("note", "")}
                )
    except _FAILED as err:
        flash(err.message, "error")
    return redirect(url_for("collections.curate", slug=slug) + f"#item-{item_id}")


def _sync(slug: str, url: str) -> bool:
    result = sync_list(
        sessions(),
        source=url.strip(),
        actor=current_actor(),
        collection=slug,
        options=harvest_options(current_app.config, operator=False),
    )
    if result.error:
        flash(_("The list could not be read: %(reason)s", reason=result.error), "error")
        return False
    flash(
        _(
            "List synced: %(added)d added, %(removed)d removed, %(updated)d updated.",
            added=result.added,
            removed=result.removed,
            updated=result.updated,
        ),
        "success",
    )
    if result.pending:
        flash(
            ngettext(
                "%(num)d linked repository is not registered yet; it is harvested soon.",
                "%(num)d linked repositories are not registered yet; they are harvested soon.",
                result.pending,
            ),
            "info",
        )
    return True


@bp.post("/collections/<slug>/sync")
@login_required
def sync(slug: str):
    form = SyncForm()
    if not form.validate_on_submit():
        return _curate_page(slug, sync_form=form, status=422)
    try:
        _sync(slug, form.url.data)
    except _FAILED as err:
        flash(err.message, "error")
    return redirect(url_for("collections.curate", slug=slug))


@bp.route("/collections/<slug>/translate", methods=["GET", "POST"])
@login_required
def translate(slug: str):
    view = get_collection(read_session(), slug=slug, actor=current_actor())
    form = TranslateForm()
    if form.validate_on_submit():
        try:
            with write_session() as s:
                result = submit_collection_translation(
                    s,
                    slug=slug,
                    actor=current_actor(),
                    lang=form.lang.data,
                    text={"title": form.title.data, "description": form.description.data or ""},
                )
                proposed = hasattr(result, "status")
        except _FAILED as err:
            show_errors(form, err)
        else:
            flash(
                _("Thank you: a curator will review your translation.")
                if proposed
                else _("The translation is published."),
                "success",
            )
            return redirect(url_for("collections.show", slug=slug))
    return render_template(
        "collections/translate.html", collection=view, form=form
    ), 422 if form.errors or form.form_errors else 200


@bp.post("/collections/<slug>/proposals/<int:proposal_id>")
@login_required
def decide(slug: str, proposal_id: int):
    accept = request.form.get("action") == "accept"
    try:
        with write_session() as s:
            decide_collection_proposal(
                s,
                slug=slug,
                proposal_id=proposal_id,
                actor=current_actor(),
                accept=accept,
                note=request.form.get("note", ""),
            )
    except _FAILED as err:
        flash(err.message, "error")
    else:
        flash(_("Translation published.") if accept else _("Translation rejected."), "success")
    return redirect(url_for("collections.curate", slug=slug))


@bp.get("/collections/<slug>/feed.atom")
def feed(slug: str):
    """The collection's items, newest first, as an Atom feed."""
    view = get_collection(read_session(), slug=slug, actor=None)
    items = sorted(view.items, key=lambda i: (i.added_at, i.id), reverse=True)[:FEED_SIZE]
    return Response(
        render_template(
            "collections/feed.xml",
            collection=view,
            items=items,
            self_url=url_for("collections.feed", slug=slug, _external=True),
            page_url=url_for("collections.show", slug=slug, _external=True),
        ),
        mimetype="application/atom+xml",
    )
