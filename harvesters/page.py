"""The built-in harvester for web pages: schema.org JSON-LD, OpenGraph, meta tags, hreflang translations."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from .base import register
from .formats.common import FormatError, http_url, load_json, tag
from .formats.croissant import apply_croissant, is_croissant
from .formats.html_meta import PageMeta, decode_page, parse_html
from .formats.jsonld import apply_schema, items, main_item
from .language import normalize_tag
from .merge import TEXT_FIELDS, settle
from .pagefetch import Page, PageFetcher, check_page_url, status_error
from .record import (
    LANG_AUTO,
    RANK_DEFAULT,
    RANK_EXPLICIT,
    RANK_MANIFEST,
    RANK_README,
    HarvestedRecord,
    HarvestError,
    HarvestOptions,
)
from .slugs import slug_from_source
from .spdx import normalize_license

#: At most this many hreflang alternates are fetched as translations.
MAX_TRANSLATIONS = 10
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_JSON_TYPES = ("application/ld+json", "application/json")
_PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?|jsp)$", re.I)


@register("page")
class PageHarvester:
    """Harvest a web page (http or https) describing a model, dataset or project."""

    kind = "page"

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the page's validator (ETag or Last-Modified) with a conditional HEAD, or None."""
        with PageFetcher(options) as fetcher:
            page = fetcher.fetch(source, method="HEAD", validator=options.known_version)
        if page.status == 304 and options.known_version:
            return options.known_version
        return page.validator if page.status == 200 else None

    def harvest(self, source: str, *, options: HarvestOptions) -> HarvestedRecord:
        """Fetch the page (and its hreflang alternates) and read what it says about itself."""
        url = check_page_url(source)
        record = HarvestedRecord(source_url=url, source_kind="page", slug_hint=page_slug(url))
        with PageFetcher(options) as fetcher:
            page = fetcher.fetch(url)
            error = status_error(page)
            if error:
                raise error
            record.version_id = page.validator
            meta = read_page(page, record, origin=None)
            if meta is not None:
                _translations(fetcher, meta, page, record)
        settle(record, fallback_name=record.slug_hint.split("/")[-1])
        return record


def page_slug(url: str) -> str:
    """Return the slug hint of a page URL: the first and last path segments (``/models/tiny.html`` → ``models/tiny``)."""
    parts = urlsplit(url)
    path = _PAGE_SUFFIX.sub("", parts.path.rstrip("/"))
    segments = [s for s in path.split("/") if s and s.lower() not in ("index", "en", "www")]
    if len(segments) == 1:
        path = f"/{parts.hostname}/{segments[0]}"
    return slug_from_source(urlunsplit(("https", parts.netloc, path, "", "")))


def read_page(page: Page, record: HarvestedRecord, *, origin: str | None, lang: str | None = None) -> PageMeta | None:
    """Offer what a page says; ``origin`` prefixes provenance (an alternate page's URL), ``lang`` forces its language."""
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    document = decode_page(page.body, page.headers.get("content-type"))
    if document is None:
        raise HarvestError("the page is not text")
    if content_type in _JSON_TYPES or (not content_type and document.lstrip().startswith(("{", "["))):
        _read_jsonld(document, record, origin=origin or "JSON-LD", lang=lang or LANG_AUTO, base=page.url)
        return None
    if content_type and content_type not in _HTML_TYPES:
        raise HarvestError(f"the address answers with {content_type}, not a web page")
    meta = parse_html(document)
    where = (lambda name: origin) if origin else (lambda name: name)
    page_lang = lang or meta.lang or normalize_tag((meta.og.get("locale") or "").replace("_", "-")) or None
    text_lang = page_lang or LANG_AUTO
    if not origin:
        if meta.lang:
            record.offer("language", meta.lang, origin="<html lang>", rank=RANK_EXPLICIT)
        elif page_lang:
            record.offer("language", page_lang, origin="og:locale", rank=RANK_MANIFEST)
        record.claim_token = meta.claim_token
    for block in meta.jsonld:
        _read_jsonld(block, record, origin=where("JSON-LD"), lang=text_lang, base=page.url)
    record.offer("name", meta.og.get("title"), origin=where("og:title"), rank=RANK_MANIFEST, lang=text_lang)
    record.offer("name", meta.title, origin=where("<title>"), rank=RANK_README, lang=text_lang)
    for key, rank in (("og:description", RANK_MANIFEST), ("meta description", RANK_README)):
        value = meta.og.get("description") if key.startswith("og") else meta.description
        record.offer("summary", value, origin=where(key), rank=rank, lang=text_lang)
        record.offer("description", value, origin=where(key), rank=RANK_DEFAULT, lang=text_lang)
    if origin:
        return meta
    canonical = http_url(urljoin(page.url, meta.canonical)) if meta.canonical else None
    record.offer("homepage", canonical, origin="canonical link", rank=RANK_README)
    record.offer("homepage", http_url(meta.og.get("url")), origin="og:url", rank=RANK_README)
    record.offer("homepage", page.url, origin="page", rank=RANK_DEFAULT)
    if meta.license:
        record.offer(
            "license",
            normalize_license(urljoin(page.url, meta.license)),
            origin='<link rel="license">',
            rank=RANK_MANIFEST,
        )
    record.offer("tags", [tag(k) for k in meta.keywords], origin="meta keywords", rank=RANK_README)
    return meta


def _read_jsonld(block: str, record: HarvestedRecord, *, origin: str, lang: str, base: str) -> None:
    try:
        doc = load_json(block)
    except FormatError as err:
        record.warnings.append(f"a JSON-LD block {err}; skipped")
        return
    objects = items(doc)
    item = main_item(objects)
    if item is None:
        return
    if is_croissant(item):
        apply_croissant(item, record, origin=origin)
    else:
        apply_schema(item, record, origin=origin, lang=lang)


def _translations(fetcher: PageFetcher, meta: PageMeta, page: Page, record: HarvestedRecord) -> None:
    own = next((c.value for c in record.claims if c.name == "language"), None)
    fetched = 0
    for hreflang, href in meta.alternates:
        tag_ = normalize_tag(hreflang) if hreflang.lower() != "x-default" else None
        target = urljoin(page.url, href)
        if tag_ is None or (own and tag_ == own) or target.split("#")[0] == page.url:
            continue
        if fetched >= MAX_TRANSLATIONS:
            record.warnings.append(f"more than {MAX_TRANSLATIONS} hreflang alternates; the rest were not read")
            return
        fetched += 1
        try:
            alternate = fetcher.fetch(target)
            error = status_error(alternate)
            if error:
                raise error
            # Only the alternate's text is a translation; its other statements belong to the main page.
            alt = HarvestedRecord(source_url=target, source_kind="page", slug_hint=record.slug_hint)
            read_page(alternate, alt, origin=target, lang=tag_)
            record.claims.extend(c for c in alt.claims if c.name in TEXT_FIELDS)
            record.warnings.extend(alt.warnings)
        except HarvestError as err:
            record.warnings.append(f"the {tag_} version of the page ({target}) could not be read: {err}")
