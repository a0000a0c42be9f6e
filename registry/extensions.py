"""Flask extensions, created here and bound to the app in the factory."""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

# The languages the interface is offered in; the contents of entries can be in any language.
UI_LANGUAGES = {"en": "English", "zh": "中文", "ar": "العربية", "sw": "Kiswahili", "es": "Español",
                "hi": "हिन्दी", "fr": "Français", "pt": "Português"}
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ckb", "dv", "yi"}

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: routes opt in (login, registration, submissions, proposals).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """Pick the interface language: ?ui=, then the session, then the browser's preference."""
    wanted = request.args.get("ui")
    if wanted in UI_LANGUAGES:
        session["ui"] = wanted
        return wanted
    if session.get("ui") in UI_LANGUAGES:
        return session["ui"]
    return request.accept_languages.best_match(list(UI_LANGUAGES)) or "en"


@login_manager.user_loader
def _load_user(user_id: str):
    from .services.users import load_login_user

    return load_login_user(user_id)


def init_app(app: Flask) -> None:
    """Bind the extensions to the app."""
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Counters live in Redis when there is one, so every web process sees the same limits.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
