"""Machine-readable pages: Atom feeds and the sitemap with hreflang alternates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from harvesters.language import normalize_tag

from ..auth import current_actor
from ..db import read_session
from ..services.catalog import collection_sitemap_rows, count_visible, newest_entries, sitemap_rows

bp = Blueprint("feeds", __name__)

FEED_SIZE = 50
#: The sitemaps protocol allows at most 50,000 addresses in one file.
SITEMAP_SIZE = 50_000


def _xml(template: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype="application/xml")


def entry_url(slug: str, lang: str | None = None) -> str:
    """Return the absolute address of an entry page (in ``lang`` when given)."""
    namespace, name = slug.split("/", 1)
    return url_for("pages.entry", namespace=namespace, name=name, lang=lang, _external=True)


def _feed(entries, *, title: str, lang: str | None, self_url: str) -> Response:
    updated = max((e.updated_at for e in entries), default=datetime.now(UTC))
    return Response(
        render_template(
            "feeds/atom.xml",
            entries=entries,
            title=title,
            lang=lang,
            self_url=self_url,
            updated=updated,
            entry_url=entry_url,
            home=url_for("pages.home", _external=True),
        ),
        mimetype="application/atom+xml",
    )


def _lang_arg() -> str | None:
    raw = request.args.get("lang")
    return normalize_tag(raw) if raw else None


@bp.get("/feeds/entries.atom")
def entries_feed():
    lang = _lang_arg()
    entries = newest_entries(read_session(), limit=FEED_SIZE, actor=current_actor(), lang=lang)
    return _feed(
        entries,
        title="AI Commons Registry: newest entries",
        lang=lang,
        self_url=url_for("feeds.entries_feed", lang=lang, _external=True),
    )


@bp.get("/feeds/languages/<tag>.atom")
def language_feed(tag: str):
    """Entries that work with one language; their text in that language when translated."""
    language = normalize_tag(tag)
    if language is None:
        abort(404)
    lang = _lang_arg() or language
    entries = newest_entries(read_session(), limit=FEED_SIZE, language=language, actor=current_actor(), lang=lang)
    return _feed(
        entries,
        title=f"AI Commons Registry: entries for {language}",
        lang=lang,
        self_url=url_for("feeds.language_feed", tag=language, _external=True),
    )


@bp.get("/sitemap.xml")
def sitemap():
    session = read_session()
    total = count_visible(session)
    if total > SITEMAP_SIZE:
        pages = range(1, (total + SITEMAP_SIZE - 1) // SITEMAP_SIZE + 1)
        return _xml(
            "feeds/sitemap_index.xml", maps=[url_for("feeds.sitemap_page", number=n, _external=True) for n in pages]
        )
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
    urls: list[dict[str, Any]] = []
    if with_pages:
        urls += [
            {"loc": url_for("pages.home", _external=True), "alternates": []},
            {"loc": url_for("pages.entries", _external=True), "alternates": []},
        ]
        for slug, updated, langs, own in collection_sitemap_rows(read_session()):
            page = url_for("collections.show", slug=slug, _external=True)
            alternates = ([(own, page)] if own and langs else []) + [
                (t, url_for("collections.show", slug=slug, lang=t, _external=True)) for t in langs
            ]
            urls.append({"loc": page, "lastmod": updated, "alternates": alternates})
    for slug, updated, langs, own in rows:
        alternates = ([(own, entry_url(slug))] if own and langs else []) + [(t, entry_url(slug, t)) for t in langs]
        urls.append({"loc": entry_url(slug), "lastmod": updated, "alternates": alternates})
        # Every language version is a URL of its own, listing the same set of alternates.
        urls += [{"loc": entry_url(slug, t), "lastmod": updated, "alternates": alternates} for t in langs]
    return _xml("feeds/sitemap.xml", urls=urls)
