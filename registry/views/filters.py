"""Template filters and globals: language names, dates, query-string links, text fit for XML."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from flask import Blueprint, g, has_app_context, request, url_for
from flask.sansio.app import App
from flask_babel import get_locale, get_translations

from ..extensions import RTL_LANGUAGES, UI_LANGUAGES


def language_name(tag: str | None) -> str:
    """Name a BCP-47 tag in the reader's interface language, falling back to the tag itself."""
    if not tag:
        return ""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(str(get_locale() or "en"))
    except (ValueError, UnknownLocaleError):
        return tag
    return name or tag


def text_direction(tag: str | None) -> str:
    """Return "rtl" for right-to-left languages, else "ltr"."""
    return "rtl" if tag and tag.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def short_date(value: datetime | None) -> str:
    """Format a date for the reader's locale."""
    if value is None:
        return ""
    return format_date(value, format="medium", locale=str(get_locale() or "en"))


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xmlsafe(text) -> str:
    """Drop the characters XML 1.0 cannot carry at all (escaping cannot help those)."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def rfc3339(value: datetime | None) -> str:
    """Format a time as RFC 3339 in UTC (`2026-02-01T10:00:00Z`); SQLite's naive times are UTC."""
    if value is None:
        return ""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def url_with(**changes) -> str:
    """Return the current URL with some query parameters replaced (None removes one)."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    assert request.endpoint is not None  # a routed request renders the page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _translations():
    # Flask-Babel looks the catalog up anew for every string, through several context lookups;
    # a page has dozens of strings and its locale is fixed for the request, so look it up once.
    if not has_app_context():
        return get_translations()
    found = g.get("_ui_translations")
    if found is None:
        found = g._ui_translations = get_translations()
    return found


def install_gettext(app: App) -> None:
    """Give templates `_`, `ngettext` and `pgettext` that read the request's catalog once per request."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # (added by the i18n extension)
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def register_filters(bp: Blueprint) -> None:
    """Make the filters available to every template."""
    bp.record_once(lambda state: install_gettext(state.app))
    bp.add_app_template_filter(language_name, "language_name")
    bp.add_app_template_filter(text_direction, "direction")
    bp.add_app_template_filter(short_date, "short_date")
    bp.add_app_template_filter(xmlsafe, "xmlsafe")
    bp.add_app_template_filter(rfc3339, "rfc3339")
    bp.add_app_template_global(url_with, "url_with")
    bp.add_app_template_global(lambda: UI_LANGUAGES, "ui_languages")
    bp.add_app_template_global(lambda: str(get_locale() or "en"), "ui_locale")
