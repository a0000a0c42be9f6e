"""Markdown is rendered and then sanitized: nothing live survives."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.rendering import render_markdown


def test_markdown_features_survive():
    html = str(render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n[ok](https://x.org)"))
    assert "<h1>Title</h1>" in html and "<table>" in html and "<pre><code>code" in html
    assert 'href="https://x.org"' in html and 'rel="nofollow noopener noreferrer ugc"' in html


def test_script_handlers_and_bad_schemes_are_removed():
    html = str(render_markdown('<script>alert(1)</script><img src=x onerror=alert(1)>'
                               '[a](javascript:alert(1)) [b](data:text/html,hi) <a href="vbscript:x">c</a>'))
    lowered = html.lower()
    for bad in ("<script", "onerror", "javascript:", "data:text", "vbscript:"):
        assert bad not in lowered


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_rendering_never_raises_and_is_stable(text):
    once = str(render_markdown(text))
    assert "<script" not in once.lower()
