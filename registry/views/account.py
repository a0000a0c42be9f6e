"""The signed-in person's page: profile, API tokens, their proposals, and deleting the account."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Invalid
from ..schemas import TokenPublic
from ..services.proposals import my_proposals, withdraw_proposal
from ..services.tokens import create_token, list_tokens, revoke_token
from ..services.users import delete_account, update_profile
from .forms import DeleteAccountForm, ProfileForm, TokenForm, show_errors

bp = Blueprint("account", __name__)


def _token_rows(actor) -> list[TokenPublic]:
    return list_tokens(read_session(), actor=actor)


def _page(*, profile: ProfileForm | None = None, token_form: TokenForm | None = None,
          delete_form: DeleteAccountForm | None = None, new_token: str | None = None, status: int = 200):
    actor = current_actor()
    if profile is None:
        profile = ProfileForm(formdata=None, display_name=current_user.display_name
                              if current_user.display_name != current_user.name else "",
                              preferred_language=current_user.preferred_language or "")
    return render_template(
        "account/account.html", profile=profile, token_form=token_form or TokenForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None), tokens=_token_rows(actor), new_token=new_token,
        proposals=my_proposals(read_session(), actor=actor)), status


@bp.get("/account")
@login_required
def account():
    return _page()


@bp.post("/account/profile")
@login_required
def profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(profile=form, status=422)
    try:
        with write_session() as s:
            update_profile(s, actor=current_actor(), display_name=form.display_name.data,
                           preferred_language=form.preferred_language.data)
    except Invalid as err:
        show_errors(form, err)
        return _page(profile=form, status=422)
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("account.account"))


@bp.post("/account/tokens")
@login_required
def new_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    with write_session() as s:
        token, _row = create_token(s, user_name=current_user.name, scope=form.scope.data, name=form.name.data or "",
                                   days=form.days.data)
    # Rendered, not redirected: the token is shown this once and never stored in the session cookie.
    return _page(new_token=token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    with write_session() as s:
        revoke_token(s, actor=current_actor(), token_id=token_id)
    flash(_("The token is revoked; it no longer works."), "success")
    return redirect(url_for("account.account"))


@bp.post("/account/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):
    with write_session() as s:
        withdraw_proposal(s, proposal_id=proposal_id, actor=current_actor())
    flash(_("Your proposal is withdrawn."), "success")
    return redirect(url_for("account.account"))


@bp.post("/account/delete")
@login_required
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(delete_form=form, status=422)
    try:
        with write_session() as s:
            delete_account(s, actor=current_actor(), password=form.password.data)
    except Invalid as err:
        show_errors(form, err)
        return _page(delete_form=form, status=422)
    logout_user()
    flash(_("Your account is deleted. Your contributions stay, attributed to a deleted account."), "success")
    return redirect(url_for("pages.home"))
