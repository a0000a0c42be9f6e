"""Which language a reader reads content in, and language names in their own script."""

from __future__ import annotations

import functools

import langcodes
from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale, pgettext
from flask_login import current_user, login_required

from harvesters.language import normalize_tag

from ..auth import current_actor
from ..db import write_session
from ..extensions import remember_ui_language, ui_language
from ..languages import choose_language
from ..security import safe_next
from ..services.users import update_profile


def reader_languages() -> list[str]:
    """The reader's languages, most wanted first: `?lang=`, saved preference, interface language, browser."""
    wanted: list[str] = []
    explicit = request.args.get("lang")
    if explicit:
        wanted.append(explicit)
    saved = getattr(current_user, "preferred_language", None) if current_user else None
    if saved:
        wanted.append(saved)
    wanted.append(str(get_locale() or "en"))
    wanted.extend(tag for tag, _quality in request.accept_languages)
    out: list[str] = []
    for raw in wanted:
        tag = normalize_tag(raw) if raw and raw != "*" else None
        if tag and tag not in out:
            out.append(tag)
    return out


def content_language(original: str | None, translations: list[str] | dict) -> str | None:
    """Return the language version to show: `?lang=` when it exists, else the reader's first available one.

    The original wins a tie with a translation in the same language (zh-Hans original, zh reader).
    """
    available = ([original] if original else []) + [t for t in translations if t != original]
    return choose_language(reader_languages(), available, default=original)


@functools.lru_cache(maxsize=1024)
def autonym(tag: str | None) -> str:
    """Name a language in its own language and script: sw → Kiswahili, ar → العربية."""
    if not tag:
        return ""
    try:
        language = langcodes.Language.get(tag)
        name = language.autonym()
    except (langcodes.LanguageTagError, ValueError, LookupError):
        return tag
    # Names of languages are lower-case inside French or Spanish prose; alone, as a label, they start upper-case.
    return (name[:1].upper() + name[1:]) if name else tag


bp = Blueprint("language", __name__)


@bp.post("/language")
@login_required
def switch():
    """The signed-in reader's language switcher: save the choice as their preference, and in the cookie."""
    chosen = ui_language(request.form.get("ui"))
    back = safe_next(request.form.get("next")) or url_for("pages.home")
    if chosen is None:
        return redirect(back)
    saved = current_user.preferred_language
    if ui_language(saved) != chosen:
        # zh-Hans stays zh-Hans when the reader picks Chinese: the saved tag says more than the interface code.
        actor = current_actor()
        assert actor is not None  # @login_required
        with write_session() as s:
            update_profile(
                s,
                actor=actor,
                preferred_language=chosen,
                display_name=current_user.display_name if current_user.display_name != current_user.name else "",
            )
    return remember_ui_language(redirect(back), chosen)


@bp.app_template_global("outcome_label")
def outcome_label(outcome: str) -> str:
    """Name a harvest outcome in the reader's language."""
    return {
        "created": pgettext("harvest outcome", "created"),
        "updated": pgettext("harvest outcome", "updated"),
        "unchanged": pgettext("harvest outcome", "unchanged"),
        "failed": pgettext("harvest outcome", "failed"),
    }.get(outcome, outcome)
