"""Web security settings: session cookies, rate-limit defaults, safe `next` redirects, CSRF errors."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

#: Defaults for the limits of Flask-Limiter's syntax; override with `REGISTRY_LOGIN_RATE_LIMIT` etc.
RATE_LIMITS = {
    # Failed sign-ins, counted both per address and per account name.
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "REGISTER_RATE_LIMIT": "10 per hour",
    "RESET_RATE_LIMIT": "5 per hour",
    # Per account (a signed-in person or a token's owner), else per address.
    "SUBMIT_RATE_LIMIT": "30 per hour",
    "PROPOSAL_RATE_LIMIT": "60 per hour",
}

_TRUE = {"1", "true", "yes", "on"}


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over https.

    Behind a proxy the request only knows it is https when the proxy says so (werkzeug's
    ProxyFix); `PREFERRED_URL_SCHEME = "https"` makes the cookie Secure regardless.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _flag(value) -> bool:
    return value.strip().lower() in _TRUE if isinstance(value, str) else bool(value)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this host, else None.

    Browsers read `//evil`, `/\\evil` and `https:evil` as other hosts, and drop tabs and
    newlines before parsing (`/\\t/evil` is `//evil`), so anything but a plain absolute path
    without backslashes or control characters is refused.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def per_person() -> str:
    """Rate-limit key: the account acting, or the address for anonymous requests — never the token.

    The account is a bearer token's owner (API) or the signed-in person (pages): an account may
    hold any number of tokens, so counting per token would give each new token a fresh allowance.
    The limiter asks before the API has read the token, so the token is looked up here (once per
    request); a token that is not valid counts against the address (the request is refused with
    401 after).
    """
    if "rate_limit_key" in g:
        return g.rate_limit_key
    from flask_limiter.util import get_remote_address
    from flask_login import current_user

    user_id = None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        from .db import read_session
        from .errors import Unauthorized
        from .services.tokens import authenticate_token

        try:
            user_id = authenticate_token(read_session(), token).user_id
        except Unauthorized:
            user_id = None
    elif current_user and current_user.is_authenticated:
        user_id = current_user.id
    key = f"user:{user_id}" if user_id is not None else f"addr:{get_remote_address() or 'unknown'}"
    g.rate_limit_key = key
    return key


#: How long a preview on the page pays for the confirmation of the same address (seconds).
PREVIEW_PAYS_FOR = 3600


def _preview_counter(kind: str, url: str) -> str:
    digest = hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()[:32]
    return f"submission-{kind}/{per_person()}/{digest}"


def remember_paid_preview(url: str) -> None:
    """Note that this person's preview of ``url`` drew on the allowance, so that confirming it does not draw again."""
    from .extensions import limiter

    if limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True):
        limiter.limiter.storage.incr(_preview_counter("previews", url), PREVIEW_PAYS_FOR)


def _confirms_a_paid_preview() -> bool:
    # One registration on the page is a preview and its confirmation: the preview drew one from
    # the allowance, so the confirmation of that address is free — once per preview, counted on
    # the server (a replayed form or cookie gets nothing more). A confirmation no preview paid
    # for (a form posted by hand) draws one like any registration.
    from .extensions import limiter

    url = request.form.get("url", "")
    storage = limiter.limiter.storage
    paid = storage.get(_preview_counter("previews", url))
    return bool(paid) and storage.incr(_preview_counter("confirmations", url), PREVIEW_PAYS_FOR) <= paid


def submission_limit(*, confirmation: bool = False):
    """The one allowance of registrations (fetch and harvest) per account or address, `SUBMIT_RATE_LIMIT`.

    Shared by the page's preview and confirmation and by `POST /api/v1/entries`: each registration
    draws one from the same bucket, whichever way it comes in. On the page a registration is a
    preview then its confirmation (``confirmation=True``), which draws nothing when a preview of
    the same address paid for it (``remember_paid_preview``).
    """
    from .extensions import limiter

    return limiter.shared_limit(
        lambda: current_app.config["SUBMIT_RATE_LIMIT"],
        scope="submissions",
        key_func=per_person,
        methods=["POST"],
        override_defaults=False,
        exempt_when=_confirms_a_paid_preview if confirmation else None,
        error_message=lambda: _("You registered many projects in a short time; wait a while and try again."),
    )


#: No inline or third-party script may run; README images may come from any https host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Apply cookie settings, security headers and rate-limit defaults; explain CSRF refusals in plain words."""
    app.after_request(_security_headers)
    from .extensions import login_manager

    for key, value in RATE_LIMITS.items():
        app.config.setdefault(key, value)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    secure = _flag(app.config.get("SESSION_COOKIE_SECURE")) or app.config.get("PREFERRED_URL_SCHEME") == "https"
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.session_interface = SessionInterface()
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError):
        message = _l(
            "This form has expired or was not sent from this site. Go back, reload the page and "
            "send it again. (%(reason)s)",
            reason=err.description,
        )
        return render_template("error.html", status=400, message=message), 400
