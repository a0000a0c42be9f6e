"""Read sanitized HTML the way a browser's tokenizer does and list anything live left in it.

The sanitizer's output is serialized by html5ever (nh3), so it is well-formed and Python's tokenizer reads it
as a browser would. The browser suite (tests/browser/test_xss.py) walks the real DOM in Chromium; this is the
same audit, cheap enough for property tests that try thousands of inputs.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from registry.rendering import _ATTRIBUTES, _SCHEMES, _TAGS

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "ping",
                   "lowsrc", "dynsrc", "codebase", "longdesc", "srcset", "xlink:href"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a URL parser reads in an attribute value (C0 controls and spaces at the ends, and tabs and
    newlines anywhere, are dropped first), lower-cased; None for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("".join(chr(c) for c in range(0x21))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _Audit(HTMLParser):
    def __init__(self, tags: set[str], attributes: dict[str, set[str]]):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = tags, attributes
        self.findings: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.open_tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.open_tags:
            del self.open_tags[len(self.open_tags) - 1 - self.open_tags[::-1].index(tag)]

    def _check(self, tag, attrs):
        if tag not in self.tags:
            self.findings.append(f"element <{tag}>")
        allowed = self.attributes.get(tag, set()) | self.attributes.get("*", set())
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"event handler {name}= on <{tag}>")
            elif name not in allowed and not (tag == "a" and name == "rel"):
                self.findings.append(f"attribute {name}= on <{tag}>")
            if name in _URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in _SCHEMES:
                    self.findings.append(f"{scheme}: URL in {name}= of <{tag}>")

    def handle_comment(self, data):
        self.findings.append(f"comment <!--{data[:40]}-->")

    def handle_decl(self, decl):
        self.findings.append(f"declaration <!{decl[:40]}>")

    def handle_pi(self, data):
        self.findings.append(f"processing instruction <?{data[:40]}>")

    def unknown_decl(self, data):
        self.findings.append(f"declaration <![{data[:40]}>")


def live_markup(html: str, *, tags: set[str] = _TAGS, attributes: dict[str, set[str]] = _ATTRIBUTES) -> list[str]:
    """Everything in ``html`` outside the allowlist: elements, attributes, event handlers, script URLs,
    comments and declarations (empty when the HTML is inert)."""
    audit = _Audit(tags, attributes)
    audit.feed(html)
    audit.close()
    return audit.findings
