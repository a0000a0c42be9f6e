"""Community pages: browse, start, join, and (curators) decide join requests and roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Conflict, Invalid, NotFound
from ..models import COMMUNITY_ROLES
from ..schemas.limits import COMMUNITY_TEXT_MAX, SLUG_MAX
from ..services.collections import collections_of_community
from ..services.communities import (
    create_community,
    decide_join,
    get_community,
    leave_community,
    list_communities,
    request_join,
    set_member_role,
)
from .forms import show_errors
from .languages import autonym, content_language

bp = Blueprint("communities", __name__)
bp.add_app_template_filter(autonym, "autonym")


@bp.app_template_global("role_label")
def role_label(role: str) -> str:
    """Name a community role in the reader's language."""
    return {"member": _("member"), "curator": _("curator"), "admin": _("admin")}.get(role, role)


PER_PAGE = 30


class CommunityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=COMMUNITY_TEXT_MAX["name"])])
    slug = StringField(
        _l("Short name for the address"),
        validators=[Optional(), Length(max=SLUG_MAX)],
        description=_l("Lower-case letters, digits and '-'; made from the name when left empty."),
    )
    description = TextAreaField(
        _l("What the community is about"),
        validators=[Length(max=COMMUNITY_TEXT_MAX["description"])],
        render_kw={"rows": 5},
    )
    region = StringField(
        _l("Region"),
        validators=[Length(max=COMMUNITY_TEXT_MAX["region"])],
        description=_l("Where its people are, in your words: “Kenya, Tanzania”."),
    )
    languages = StringField(
        _l("Languages"),
        validators=[Length(max=500)],
        description=_l("Language tags separated by commas, e.g. sw, yo, zh-Hans."),
    )
    submit = SubmitField(_l("Start the community"))


class JoinForm(FlaskForm):
    message = TextAreaField(
        _l("A word to the curators (optional)"),
        validators=[Length(max=COMMUNITY_TEXT_MAX["message"])],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Ask to join"))


@bp.get("/communities")
def index():
    language = request.args.get("language") or None
    rows, total = list_communities(read_session(), language=language, per_page=PER_PAGE)
    return render_template("communities/index.html", communities=rows, total=total, language=language)


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new():
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            with write_session() as s:
                made = create_community(
                    s,
                    actor=current_actor(),
                    name=form.name.data,
                    slug=form.slug.data or None,
                    description=form.description.data or "",
                    region=form.region.data or "",
                    languages=form.languages.data or "",
                )
                slug = made.slug
        except (Invalid, Conflict) as err:
            show_errors(form, err)
        else:
            flash(_("Your community is started; you are its admin."), "success")
            return redirect(url_for("communities.show", slug=slug))
    return render_template("communities/new.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.get("/communities/<slug>")
def show(slug: str):
    session = read_session()
    community = get_community(session, slug=slug, actor=current_actor())
    return render_template(
        "communities/show.html",
        community=community,
        join_form=JoinForm(formdata=None),
        collections=collections_of_community(session, slug=community.slug),
        roles=COMMUNITY_ROLES,
        shown_lang=content_language(community.language, []),
    )


@bp.post("/communities/<slug>/join")
@login_required
def join(slug: str):
    form = JoinForm()
    try:
        with write_session() as s:
            request_join(s, slug=slug, actor=current_actor(), message=form.message.data or "")
    except Conflict as err:
        flash(err.message, "error")
    else:
        flash(_("Your request is sent; a curator of the community will answer it."), "success")
    return redirect(url_for("communities.show", slug=slug))


@bp.post("/communities/<slug>/leave")
@login_required
def leave(slug: str):
    try:
        with write_session() as s:
            leave_community(s, slug=slug, actor=current_actor())
    except (Conflict, NotFound) as err:
        flash(err.message, "error")
    else:
        flash(_("You left the community."), "success")
    return redirect(url_for("communities.show", slug=slug))


@bp.post("/communities/<slug>/members/<name>")
@login_required
def member(slug: str, name: str):
    """Approve or decline a join request, or change a member's role."""
    action = request.form.get("action")
    try:
        with write_session() as s:
            if action in ("approve", "decline"):
                decide_join(s, slug=slug, actor=current_actor(), user_name=name, accept=action == "approve")
            else:
                set_member_role(s, slug=slug, actor=current_actor(), user_name=name, role=request.form.get("role", ""))
    except (Conflict, Invalid, NotFound) as err:
        flash(err.message, "error")
    else:
        messages: dict[str | None, str] = {
            "approve": _("%(name)s is a member now.", name=name),
            "decline": _("The request of %(name)s is declined.", name=name),
        }
        flash(messages.get(action, _("The role of %(name)s is changed.", name=name)), "success")
    return redirect(url_for("communities.show", slug=slug))
