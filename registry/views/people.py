"""People's pages: signing up, in and out, resetting a forgotten password, and one's own account
(profile, API tokens, proposals, deleting the account)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Conflict, Invalid
from ..extensions import limiter
from ..mail import Message, send_mail
from ..schemas import TokenPublic
from ..security import safe_next
from ..services.proposals import my_proposals, withdraw_proposal
from ..services.tokens import create_token, list_tokens, revoke_token
from ..services.users import (
    authenticate,
    create_user,
    delete_account,
    finish_password_reset,
    login_user_for,
    start_password_reset,
    update_profile,
)
from .forms import (
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    TokenForm,
    show_errors,
)

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__)


def _limit(name: str):
    return lambda: current_app.config[name]


def _account_key() -> str:
    # Counted per account name as well as per address: a botnet guessing one password
    # from many addresses is slowed down too.
    return "login-account:" + (request.form.get("name") or "").strip().lower()[:254]


def _failed(response) -> bool:
    # Only failed attempts count; a successful sign-in redirects.
    return response.status_code != 302


_TOO_MANY_LOGINS = _l(
    "Too many sign-in attempts from this address or for this account. "
    "Wait a few minutes and try again, or reset your password."
)


def _sign_in(user) -> None:
    # A fresh session on every sign-in (no fixation), keeping only the interface language.
    ui = session.get("ui")
    session.clear()
    if ui:
        session["ui"] = ui
    login_user(user)


def _after_login(target: str | None):
    return redirect(safe_next(target) or url_for("account.account"))


@auth_bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    _limit("REGISTER_RATE_LIMIT"),
    methods=["POST"],
    key_func=get_remote_address,
    error_message=_l("Too many new accounts from this address; try again later."),
)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with write_session() as s:
                user = create_user(s, name=form.name.data, email=form.email.data, password=form.password.data)
                login = login_user_for(user)
        except (Invalid, Conflict) as err:
            show_errors(form, err)
            return render_template("auth/register.html", form=form), 422
        _sign_in(login)
        flash(_("Welcome, %(name)s. Your account is ready.", name=login.name), "success")
        return _after_login(request.args.get("next"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _limit("LOGIN_RATE_LIMIT"),
    methods=["POST"],
    key_func=get_remote_address,
    deduct_when=_failed,
    error_message=_TOO_MANY_LOGINS,
)
@limiter.limit(
    _limit("LOGIN_RATE_LIMIT"),
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    error_message=_TOO_MANY_LOGINS,
    scope="login-account",
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if current_user.is_authenticated and request.method == "GET":
        return _after_login(form.next.data)
    if form.validate_on_submit():
        with write_session() as s:  # writes only when the hash needs upgrading
            user = authenticate(s, name=form.name.data, password=form.password.data)
        if user is not None:
            _sign_in(user)
            return _after_login(form.next.data)
        form.form_errors.append(_("That account name and password do not match."))
    return render_template("auth/login.html", form=form), 401 if form.form_errors else (422 if form.errors else 200)


@auth_bp.route("/logout", methods=["GET", "POST"])
def logout():
    # Signing out changes state, so it is a POST with a CSRF token; GET shows the button.
    if request.method == "GET":
        return render_template("auth/logout.html")
    logout_user()
    ui = session.get("ui")
    session.clear()
    if ui:
        session["ui"] = ui
    flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))


@auth_bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(
    _limit("RESET_RATE_LIMIT"),
    methods=["POST"],
    key_func=get_remote_address,
    error_message=_l("Too many reset requests from this address; try again later."),
)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with write_session() as s:
            found = start_password_reset(s, email=form.email.data)
        if found is not None:
            address, token = found
            link = url_for("auth.reset_password", token=token, _external=True)
            send_mail(
                Message(
                    to=address,
                    subject=_("Reset your AI Commons Registry password"),
                    body=_(
                        "Someone asked to reset the password of your account. If it was you, "
                        "open this link within two hours to choose a new password:\n\n%(link)s\n\n"
                        "If it was not you, ignore this message; nothing changes.",
                        link=link,
                    ),
                )
            )
        # The same answer whether or not the address has an account: addresses cannot be probed.
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@auth_bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with write_session() as s:
                finish_password_reset(s, token=token, password=form.password.data)
        except Invalid as err:
            show_errors(form, err)
            return render_template("auth/reset_password.html", form=form), 422
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


# --- one's own account ---------------------------------------------------------------


def _token_rows(actor) -> list[TokenPublic]:
    return list_tokens(read_session(), actor=actor)


def _page(
    *,
    profile: ProfileForm | None = None,
    token_form: TokenForm | None = None,
    delete_form: DeleteAccountForm | None = None,
    new_token: str | None = None,
    status: int = 200,
):
    actor = current_actor()
    if profile is None:
        profile = ProfileForm(
            formdata=None,
            display_name=current_user.display_name if current_user.display_name != current_user.name else "",
            preferred_language=current_user.preferred_language or "",
        )
    return render_template(
        "account/account.html",
        profile=profile,
        token_form=token_form or TokenForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        tokens=_token_rows(actor),
        new_token=new_token,
        proposals=my_proposals(read_session(), actor=actor),
    ), status


@account_bp.get("/account")
@login_required
def account():
    return _page()


@account_bp.post("/account/profile")
@login_required
def profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(profile=form, status=422)
    try:
        actor = current_actor()
        assert actor is not None  # @login_required
        with write_session() as s:
            update_profile(
                s, actor=actor, display_name=form.display_name.data, preferred_language=form.preferred_language.data
            )
    except Invalid as err:
        show_errors(form, err)
        return _page(profile=form, status=422)
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("account.account"))


@account_bp.post("/account/tokens")
@login_required
def new_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    with write_session() as s:
        token, _row = create_token(
            s, user_name=current_user.name, scope=form.scope.data, name=form.name.data or "", days=form.days.data
        )
    # Rendered, not redirected: the token is shown this once and never stored in the session cookie.
    return _page(new_token=token, status=201)


@account_bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    actor = current_actor()
    assert actor is not None  # @login_required
    with write_session() as s:
        revoke_token(s, actor=actor, token_id=token_id)
    flash(_("The token is revoked; it no longer works."), "success")
    return redirect(url_for("account.account"))


@account_bp.post("/account/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):
    with write_session() as s:
        withdraw_proposal(s, proposal_id=proposal_id, actor=current_actor())
    flash(_("Your proposal is withdrawn."), "success")
    return redirect(url_for("account.account"))


@account_bp.post("/account/delete")
@login_required
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(delete_form=form, status=422)
    try:
        actor = current_actor()
        assert actor is not None  # @login_required
        with write_session() as s:
            delete_account(s, actor=actor, password=form.password.data)
    except Invalid as err:
        show_errors(form, err)
        return _page(delete_form=form, status=422)
    logout_user()
    flash(_("Your account is deleted. Your contributions stay, attributed to a deleted account."), "success")
    return redirect(url_for("pages.home"))
