"""Machine-readable pages: Atom feeds, the sitemap with hreflang alternates, and the API's docs page."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, render_template, request, url_for

from harvesters.language import normalize_tag

from ..db import read_session
from ..services.catalog import as_utc, collection_sitemap_rows, count_visible, newest_entries, sitemap_rows
from ..views.common import current_actor

bp = Blueprint("feeds", __name__)

FEED_SIZE = 50
#: The sitemaps protocol allows at most 50,000 addresses in one file.
SITEMAP_SIZE = 50_000
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.app_template_filter("xmlsafe")
def xmlsafe(text) -> str:
    """Drop the characters XML 1.0 cannot carry at all (escaping cannot help those)."""
    return _NOT_XML.sub("", "" if text is None else str(text))


@bp.app_template_filter("rfc3339")
def rfc3339(value: datetime | None) -> str:
    """Format a time as RFC 3339 in UTC (`2026-02-01T10:00:00Z`)."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(template: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype="application/xml")


def entry_url(slug: str, lang: str | None = None) -> str:
    """Return the absolute address of an entry page (in ``lang`` when given)."""
    namespace, name = slug.split("/", 1)
    return url_for("pages.entry", namespace=namespace, name=name, lang=lang, _external=True)


def _feed(entries, *, title: str, lang: str | None, self_url: str) -> Response:
    updated = max((e.updated_at for e in entries), default=datetime.now(timezone.utc))
    return Response(render_template("feeds/atom.xml", entries=entries, title=title, lang=lang, self_url=self_url,
                                    updated=updated, entry_url=entry_url,
                                    home=url_for("pages.home", _external=True)),
                    mimetype="application/atom+xml")


def _lang_arg() -> str | None:
    raw = request.args.get("lang")
    return normalize_tag(raw) if raw else None


@bp.get("/feeds/entries.atom")
def entries_feed():
    lang = _lang_arg()
    entries = newest_entries(read_session(), limit=FEED_SIZE, actor=current_actor(), lang=lang)
    return _feed(entries, title="AI Commons Registry: newest entries", lang=lang,
                 self_url=url_for("feeds.entries_feed", lang=lang, _external=True))


@bp.get("/feeds/languages/<tag>.atom")
def language_feed(tag: str):
    """Entries that work with one language; their text in that language when translated."""
    language = normalize_tag(tag)
    if language is None:
        abort(404)
    lang = _lang_arg() or language
    entries = newest_entries(read_session(), limit=FEED_SIZE, language=language, actor=current_actor(), lang=lang)
    return _feed(entries, title=f"AI Commons Registry: entries for {language}", lang=lang,
                 self_url=url_for("feeds.language_feed", tag=language, _external=True))


@bp.get("/sitemap.xml")
def sitemap():
    session = read_session()
    total = count_visible(session)
    if total > SITEMAP_SIZE:
        pages = range(1, (total + SITEMAP_SIZE - 1) // SITEMAP_SIZE + 1)
        return _xml("feeds/sitemap_index.xml",
                    maps=[url_for("feeds.sitemap_page", number=n, _external=True) for n in pages])
    return _sitemap(1, with_pages=True)


@bp.get("/sitemaps/<int:number>.xml")
def sitemap_page(number: int):
    if number < 1:
        abort(404)
    return _sitemap(number, with_pages=False)


def _sitemap(number: int, *, with_pages: bool) -> Response:
    rows = sitemap_rows(read_session(), offset=(number - 1) * SITEMAP_SIZE, limit=SITEMAP_SIZE)
    if not rows and number > 1:
        abort(404)
    urls = []
    if with_pages:
        urls += [{"loc": url_for("pages.home", _external=True), "alternates": []},
                 {"loc": url_for("pages.entries", _external=True), "alternates": []}]
        for slug, updated, langs, own in collection_sitemap_rows(read_session()):
            page = url_for("collections.show", slug=slug, _external=True)
            alternates = ([(own, page)] if own and langs else []) + [
                (t, url_for("collections.show", slug=slug, lang=t, _external=True)) for t in langs]
            urls.append({"loc": page, "lastmod": updated, "alternates": alternates})
    for slug, updated, langs, own in rows:
        alternates = ([(own, entry_url(slug))] if own and langs else []) + [(t, entry_url(slug, t)) for t in langs]
        urls.append({"loc": entry_url(slug), "lastmod": updated, "alternates": alternates})
        # Every language version is a URL of its own, listing the same set of alternates.
        urls += [{"loc": entry_url(slug, t), "lastmod": updated, "alternates": alternates} for t in langs]
    return _xml("feeds/sitemap.xml", urls=urls)


@bp.get("/api/docs")
def api_docs():
    from flask import current_app

    from ..api.openapi import openapi_document

    doc = openapi_document(current_app, url_for("api.openapi_json", _external=True).removesuffix("/openapi.json"))
    groups: dict[str, list] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    return render_template("api_docs.html", doc=doc, groups=groups,
                           openapi_url=url_for("api.openapi_json", _external=True),
                           base=doc["servers"][0]["url"])


@bp.app_template_global("entry_jsonld")
def entry_jsonld_global(entry, url: str) -> dict:
    """schema.org JSON-LD of an entry page (the template serializes it with `tojson`, safe in <script>)."""
    from ..services.openformats import entry_jsonld

    return entry_jsonld(entry, url=url)


@bp.app_template_global("entry_citation")
def entry_citation_global(entry, fmt: str, url: str) -> str:
    """An entry's citation in BibTeX, APA or CFF, for the copy block on its page."""
    from ..services.openformats import format_citation

    return format_citation(entry, fmt, url=url)
