"""Template filters and globals: language names, dates, query-string links, text fit for XML."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from flask import Blueprint, g, has_app_context, has_request_context, request, url_for
from flask.sansio.app import App
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from ..extensions import RTL_LANGUAGES, UI_LANGUAGES


def language_name(tag: str | None) -> str:
    """Name a BCP-47 tag in the reader's interface language, falling back to the tag itself."""
    if not tag:
        return ""
    return _language_name(tag, ui_locale())


@lru_cache(maxsize=4096)
def _language_name(tag: str, locale: str) -> str:
    try:
        name = Locale.parse(tag, sep="-").get_display_name(locale)
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
    return format_date(value, format="medium", locale=ui_locale())


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


# Jinja's "newstyle" gettext calls each string through two layers of context calls; these give templates
# the same meaning (the translation is safe markup in an autoescaped template, then %-formatted with the
# call's keywords, escaped) in one call, as a page of the registry holds about fifty strings.


def _marked(eval_ctx: EvalContext, rv: str, variables: dict) -> str:
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables or "%" in rv else rv


def _gettext_callables(translations) -> dict[str, Any]:
    """Return `_`, `gettext`, `ngettext`, `pgettext` and `npgettext` reading one catalog (None: the request's,
    looked up at each call, for templates rendered outside a request's own context)."""

    def catalog():
        return translations if translations is not None else _translations()

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, **variables) -> str:
        return _marked(eval_ctx, catalog().ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return _marked(eval_ctx, catalog().ungettext(singular, plural, num), variables)

    @pass_eval_context
    def pgettext(eval_ctx: EvalContext, context: str, string: str, **variables) -> str:
        variables.setdefault("context", context)
        return _marked(eval_ctx, catalog().upgettext(context, string), variables)

    @pass_eval_context
    def npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", num)
        return _marked(eval_ctx, catalog().unpgettext(context, singular, plural, num), variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def install_gettext(app: App) -> None:
    """Give templates `_`, `gettext`, `ngettext` and `pgettext` that read the request's catalog once."""
    env = app.jinja_env
    callables = _gettext_callables(None)
    env.install_gettext_callables(  # type: ignore[attr-defined]  # (added by the i18n extension)
        gettext=callables["gettext"],
        ngettext=callables["ngettext"],
        pgettext=callables["pgettext"],
        npgettext=callables["npgettext"],
        newstyle=True,
    )
    # Replace the extension's wrappers (which would call ours through another context call) with ours.
    env.globals.update(callables)


def _bound_to_request() -> dict[str, Any]:
    """Template helpers bound to this request once per rendering: the catalog, the host and the mount are
    read here, not through Flask's context proxies at each of a page's fifty strings and two dozen links."""
    if not has_request_context():
        return {}
    host, script_root = request.host, request.script_root

    def bound_url_for(endpoint: str, **values: Any) -> str:
        return _url_for(host, script_root, endpoint, values)

    return {**_gettext_callables(_translations()), "url_for": bound_url_for}


def ui_locale() -> str:
    """Return the interface language's tag for this request (read once per request)."""
    if not has_app_context():
        return str(get_locale() or "en")
    found = g.get("_ui_locale")
    if found is None:
        found = g._ui_locale = str(get_locale() or "en")
    return found


def template_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, remembering each address it built: a page builds two dozen, each as costly as
    a database query, and the same ones on every page.

    An address depends only on the URL map (fixed once the app runs), the endpoint, its values and where
    the app is mounted; static files (fingerprinted by content), blueprint-relative endpoints, options
    (`_external`…) and unhashable values are built afresh every time.
    """
    return _url_for(request.host, request.script_root, endpoint, values)


def _url_for(host: str, script_root: str, endpoint: str, values: dict[str, Any]) -> str:
    if endpoint == "static" or endpoint.startswith(".") or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    key = tuple(sorted(values.items()))
    try:
        return _built_url(host, script_root, endpoint, key)
    except TypeError:  # a list or another unhashable value
        return url_for(endpoint, **values)


@lru_cache(maxsize=4096)
def _built_url(_host: str, _script_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
    return url_for(endpoint, **dict(values))


def register_filters(bp: Blueprint) -> None:
    """Make the filters available to every template."""
    bp.record_once(lambda state: install_gettext(state.app))
    bp.add_app_template_filter(language_name, "language_name")
    bp.add_app_template_filter(text_direction, "direction")
    bp.add_app_template_filter(short_date, "short_date")
    bp.add_app_template_filter(xmlsafe, "xmlsafe")
    bp.add_app_template_filter(rfc3339, "rfc3339")
    bp.add_app_template_global(url_with, "url_with")
    bp.add_app_template_global(template_url_for, "url_for")
    bp.app_context_processor(_bound_to_request)
    bp.add_app_template_global(lambda: UI_LANGUAGES, "ui_languages")
    bp.add_app_template_global(ui_locale, "ui_locale")
