"""Markdown written by strangers, rendered and then sanitized: never raw HTML through."""

from __future__ import annotations

import threading

import markdown
import nh3
from markupsafe import Markup, escape

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "*": {"lang", "dir"},
}
_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "nofollow noopener noreferrer ugc"


#: Parse-and-clean rounds before the output is stable; beyond this, the input is shown as text.
_MAX_ROUNDS = 4


def _clean_once(html: str) -> str:
    return nh3.clean(
        html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, link_rel=_LINK_REL, strip_comments=True
    )


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes of ``html``.

    The result is a fixed point: cleaning it again changes nothing. One round is not always that: the cleaner
    can serialize a tree the HTML parser never builds (an <img> inside a <table>, a <p> inside a <p>), which a
    browser re-parses into a different tree than the one that was checked — the ground mutation XSS grows
    on. So the output is cleaned again until it no longer changes; what does not settle is shown as text.
    """
    clean = _clean_once(html)
    for _ in range(_MAX_ROUNDS):
        again = _clean_once(clean)
        if again == clean:
            return clean
        clean = again
    return str(escape(html))


#: The version of what render_markdown produces: raise it whenever its output changes (an extension, the
#: allowlist), so that descriptions rendered and stored by an older version are rendered again when shown.
RENDERER_VERSION = 1

#: One Markdown converter per thread: building one loads its extensions, which cost more than
#: converting a README; a converter is not safe to share between threads.
_converters = threading.local()


def _converter() -> markdown.Markdown:
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists"], output_format="html"
        )
    return md


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to HTML and sanitize the result with an allowlist (after rendering, always)."""
    if not text:
        return Markup("")
    html = _converter().reset().convert(text)
    return Markup(sanitize_html(html))
