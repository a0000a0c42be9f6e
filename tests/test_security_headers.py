"""Every response carries the security headers: no inline script, no framing, no sniffing."""
from __future__ import annotations

import pytest

from tests.helpers import add_entry


@pytest.mark.parametrize("path", ["/", "/entries", "/entries/lab/tagger", "/api/v1/entries", "/nowhere",
                                  "/api/v1/entries/no/such"])
def test_security_headers_on_every_kind_of_response(app, client, path):
    add_entry(app, "lab/tagger", name="Tagger")
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(app, client):
    add_entry(app, "lab/tagger", name="Tagger", description="# Tagger\n\n<script>alert(1)</script>")
    for path in ("/", "/entries", "/entries/lab/tagger", "/login", "/register"):
        html = client.get(path).get_data(as_text=True)
        scripts = html.count("<script")
        assert scripts == html.count('<script type="application/ld+json">'), path
