"""Flask extensions, created here and bound to the app in the factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage

# The languages the interface is offered in; the contents of entries can be in any language.
UI_LANGUAGES = {
    "en": "English",
    "zh": "中文",
    "ar": "العربية",
    "sw": "Kiswahili",
    "es": "Español",
    "hi": "हिन्दी",
    "fr": "Français",
    "pt": "Português",
}
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ckb", "dv", "yi"}

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: routes opt in (login, registration, submissions, proposals).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ThreadSafeMemoryStorage(MemoryStorage):
    """limits' in-memory counters, safe under a threaded server (`flask run`, threaded workers).

    Its expiry timer is restarted without a lock: two requests at once may both start the same
    timer thread, and the second gets "threads can only be started once" (a 500). Starting it
    under a lock is the whole difference.
    """

    STORAGE_SCHEME = ["registry-memory"]

    def __init__(self, *args, **kwargs):
        import threading

        super().__init__(*args, **kwargs)
        self._timer_lock = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private method, name-mangled
        with self._timer_lock:
            super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]  # (name-mangled private)


#: The language switcher's cookie: a plain cookie, not the session, so anonymous pages stay cacheable.
UI_COOKIE = "ui_lang"


def ui_language(tag: str | None) -> str | None:
    """Map a language tag to the interface language that serves it (zh-Hans → zh, pt-BR → pt), or None."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in UI_LANGUAGES else None


def select_locale() -> str:
    """Pick the interface language: the saved preference, the switcher's cookie, the browser's, else English.

    `?ui=xx` in a link wins for that request (and the switcher cookie follows it).
    """
    from flask import after_this_request
    from flask_login import current_user

    wanted = ui_language(request.args.get("ui"))
    if wanted:
        if request.cookies.get(UI_COOKIE) != wanted:
            after_this_request(lambda response: remember_ui_language(response, wanted))
        return wanted
    saved = ui_language(getattr(current_user, "preferred_language", None)) if current_user else None
    if saved:
        return saved
    chosen = ui_language(request.cookies.get(UI_COOKIE)) or ui_language(session.get("ui"))
    if chosen:
        return chosen
    return request.accept_languages.best_match(list(UI_LANGUAGES)) or _fallback_match() or "en"


def _fallback_match() -> str | None:
    # `zh-CN` or `pt-BR` alone in Accept-Language: serve the language, whatever the region.
    for tag, _quality in request.accept_languages:
        found = ui_language(tag)
        if found:
            return found
    return None


def remember_ui_language(response, lang: str):
    """Set the switcher's cookie for a year."""
    from flask import current_app

    # Secure exactly when the session cookie is (https, or configured so behind a proxy).
    response.set_cookie(
        UI_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.session_interface.get_cookie_secure(current_app),
    )
    return response


@login_manager.user_loader
def _load_user(user_id: str):
    from .services.users import load_login_user

    return load_login_user(user_id)


_FORM_TRANSLATIONS: dict[str, object] = {}


def _form_translations() -> None:
    """Give Flask-WTF the validation messages in the interface language.

    WTForms ships catalogs for most of our languages but not Hindi or Swahili; ours
    (registry/translations/<lang>/LC_MESSAGES/wtforms.po) fill in. Flask-WTF looks for them on
    the request.
    """
    from babel.support import NullTranslations, Translations
    from flask import current_app
    from flask_babel import get_locale
    from wtforms.i18n import messages_path

    locale = str(get_locale() or "en")
    found = _FORM_TRANSLATIONS.get(locale)
    if found is None:
        found = Translations.load(messages_path(), [locale], domain="wtforms")
        if type(found) is NullTranslations:
            folder = str(Path(current_app.root_path) / "translations")
            found = Translations.load(folder, [locale], domain="wtforms")
        _FORM_TRANSLATIONS[locale] = found
    request.wtforms_translations = found  # type: ignore[attr-defined]  # (Flask-WTF reads it)


def init_app(app: Flask) -> None:
    """Bind the extensions to the app."""
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_form_translations)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Counters live in Redis when there is one, so every web process sees the same limits.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "registry-memory://")
    # The limiter is one object for every app in the process: each app states its own switch, so
    # one app built with limits off (a test) does not leave them off for the next.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
