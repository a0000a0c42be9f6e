"""What an HTML page says about itself in its markup: title, meta description, OpenGraph,
``<html lang>``, ``hreflang`` alternates, the canonical link, and JSON-LD blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..language import normalize_tag
from ..textdecode import clean_text, decode_text

_MAX_JSONLD_BLOCKS = 20
_MAX_JSONLD_CHARS = 1_000_000
_MAX_ALTERNATES = 50
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


@dataclass
class PageMeta:
    """The self-description found in one HTML page."""

    lang: str | None = None
    title: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    og: dict[str, str] = field(default_factory=dict)
    og_locale_alternates: list[str] = field(default_factory=list)
    canonical: str | None = None
    license: str | None = None
    #: (BCP-47 tag or "x-default", href) of ``<link rel="alternate" hreflang>``
    alternates: list[tuple[str, str]] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)
    claim_token: str | None = None


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta = PageMeta()
        self._in_title = False
        self._title: list[str] = []
        self._script: list[str] | None = None
        self._script_size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        meta = self.meta
        if tag == "html" and attr.get("lang") and meta.lang is None:
            meta.lang = attr["lang"].strip()
        elif tag == "title" and meta.title is None:
            self._in_title = True
        elif tag == "meta":
            self._meta_tag(attr)
        elif tag == "link":
            self._link_tag(attr)
        elif (
            tag == "script"
            and attr.get("type", "").split(";")[0].strip().lower() == "application/ld+json"
            and len(meta.jsonld) < _MAX_JSONLD_BLOCKS
        ):
            self._script = []
            self._script_size = 0

    def _meta_tag(self, attr: dict[str, str]) -> None:
        meta = self.meta
        name = (attr.get("name") or attr.get("property") or "").strip().lower()
        content = " ".join(attr.get("content", "").split())[:5000]
        if not name or not content:
            return
        if name == "description" and meta.description is None:
            meta.description = content
        elif name == "keywords" and not meta.keywords:
            meta.keywords = [k.strip() for k in content.split(",") if k.strip()][:50]
        elif name == "og:locale:alternate":
            meta.og_locale_alternates.append(content)
        elif name.startswith("og:") and name not in meta.og:
            meta.og[name[3:]] = content
        elif name == "ai-commons-claim":
            meta.claim_token = content

    def _link_tag(self, attr: dict[str, str]) -> None:
        rels = attr.get("rel", "").lower().split()
        href = attr.get("href", "").strip()
        if not href:
            return
        if "canonical" in rels and self.meta.canonical is None:
            self.meta.canonical = href
        elif "license" in rels and self.meta.license is None:
            self.meta.license = href
        elif "alternate" in rels and attr.get("hreflang") and len(self.meta.alternates) < _MAX_ALTERNATES:
            self.meta.alternates.append((attr["hreflang"].strip(), href))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.meta.title = " ".join("".join(self._title).split())[:500] or None
        elif tag == "script" and self._script is not None:
            self.meta.jsonld.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif self._script is not None and self._script_size < _MAX_JSONLD_CHARS:
            self._script.append(data)
            self._script_size += len(data)


def decode_page(body: bytes, content_type: str | None) -> str | None:
    """Decode a page with the charset its headers or markup name; else the way README files are."""
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        found = _CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii", errors="ignore").lower() if found else None
    if charset:
        try:
            return clean_text(body.decode(charset, errors="replace"))
        except LookupError:
            pass
    return decode_text(body)


def parse_html(document: str) -> PageMeta:
    """Collect a page's self-description; never raises on malformed markup."""
    collector = _Collector()
    try:
        collector.feed(document)
        collector.close()
    # html.parser is lenient, but some malformed declarations still trip an assertion in it.
    except (AssertionError, ValueError, IndexError):
        pass
    meta = collector.meta
    if collector._in_title and meta.title is None:
        meta.title = " ".join("".join(collector._title).split())[:500] or None
    meta.lang = normalize_tag(meta.lang) if meta.lang else None
    return meta
