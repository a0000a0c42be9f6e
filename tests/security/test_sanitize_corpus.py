"""The XSS corpus itself (at least 200 payloads, every family the issue names, every payload traceable to its
sentinel call), and each payload alone through the sanitizer: inert, and live without it."""
from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from html import unescape
from urllib.parse import unquote

import markdown
import pytest

from registry.rendering import render_markdown, sanitize_html
from tests.security.xss_audit import live_markup
from tests.security.xss_payloads import PAYLOADS, SENTINEL, pack

_BASE64 = re.compile(r"(?:base64,|atob\(')([A-Za-z0-9+/=]+)")


def _readings(text: str) -> list[str]:
    """The payload as the layers a browser would decode see it: entities, percent-encoding, base64, and a
    script's string concatenation (`'xss'+'Hit'`) and escapes (`\\u0078`)."""
    found = [text, unescape(text), unquote(text), unquote(unescape(text)), text.replace("'+'", ""),
             re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)]
    for chunk in _BASE64.findall(text):
        try:
            found.append(base64.b64decode(chunk).decode())
        except (binascii.Error, UnicodeDecodeError):
            pass
    return found


def test_corpus_size_and_families():
    assert len(PAYLOADS) >= 200
    assert len({p.text for p in PAYLOADS}) == len(PAYLOADS)  # no duplicates
    families = Counter(p.family for p in PAYLOADS)
    for family in ("md-link", "md-image", "md-ref", "md-autolink", "md-code", "md-mixed", "html-script",
                   "html-handler", "html-svg", "html-math", "html-frame", "html-object", "html-style", "html-head",
                   "html-form", "html-mutation", "html-unclosed", "html-comment", "html-url", "breakout", "url"):
        assert families[family] >= 5, family
    text = "\n".join(p.text for p in PAYLOADS).lower()
    for needle in ("javascript:", "data:text/html", "vbscript:", "&#", "%6a", "<javascript:", "]: javascript",
                   "<script", "onerror=", "<svg", "<math", "<iframe", "<object", "<embed", "<style", "<base",
                   "http-equiv=\"refresh\"", "formaction=", "form action=", "srcdoc=", "<template>", "<noscript>",
                   "<!--", "<![cdata[", "\x01", "\t"):
        assert needle in text, needle


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: f"{p.number}-{p.family}")
def test_each_payload_calls_its_sentinel_and_is_inert_once_sanitized(payload):
    # Traceable: somewhere in the payload, as a browser decodes it, is a call of xssHit (or alert) with its number.
    number = str(payload.number)
    assert any((SENTINEL in r or "alert" in r) and number in r for r in _readings(payload.text)), payload.text
    rendered = str(render_markdown(payload.text))
    assert live_markup(rendered) == [], rendered
    assert sanitize_html(rendered) == rendered


def test_without_the_sanitizer_most_payloads_are_live():
    """The control for the test above: rendered by Markdown alone, most payloads leave live markup."""
    live = [p for p in PAYLOADS if live_markup(markdown.markdown(p.text, extensions=["fenced_code", "tables"]))]
    assert len(live) >= 0.75 * len(PAYLOADS)


def test_pack_keeps_within_limits_and_order():
    texts = [p.text for p in PAYLOADS]
    packed = pack(texts, 300)
    assert all(len(chunk) <= 300 for chunk in packed)
    kept = [t for t in texts if len(t) <= 300]
    assert " ".join(packed) == " ".join(kept)
