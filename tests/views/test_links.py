"""Links on pages: the addresses templates build are those Flask builds, wherever the app is mounted."""

from __future__ import annotations

import re

from flask import url_for

from registry.views.filters import template_url_for
from tests.helpers import add_entry


def _hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_template_addresses_are_flasks_for_every_kind_of_value(app):
    cases = [
        ("pages.entries", {}),
        ("pages.entries", {"kind": "model"}),
        ("editing.edit", {"namespace": "lab", "name": "tagger"}),
        ("api.citation", {"namespace": "lab", "name": "tagger", "format": "cff"}),
        ("auth.login", {"next": "/entries/lab/tagger?lang=sw"}),
        ("auth.login", {"next": None}),
        ("pages.entries", {"language": ["sw", "zu"]}),  # a list: built afresh, not remembered
        ("static", {"filename": "style.css"}),
        ("pages.entries", {"_anchor": "results"}),
    ]
    for base in ("http://localhost/", "http://localhost/registry/", "https://mirror.example/ai/"):
        with app.test_request_context("/", base_url=base):
            for endpoint, values in cases:
                assert template_url_for(endpoint, **values) == url_for(endpoint, **values), (base, endpoint)


def test_a_page_links_under_the_mount_it_was_asked_through(app, client):
    add_entry(app, "lab/tagger", description="Tags words.")
    at_root = _hrefs(client.get("/entries/lab/tagger").get_data(as_text=True))
    mounted = _hrefs(client.get("/entries/lab/tagger", base_url="http://localhost/registry/").get_data(as_text=True))
    again = _hrefs(client.get("/entries/lab/tagger").get_data(as_text=True))
    assert "/entries?kind=project" in at_root and "/entries/lab/tagger/edit" in at_root
    assert "/registry/entries?kind=project" in mounted and "/registry/entries/lab/tagger/edit" in mounted
    assert not {h for h in mounted if h.startswith("/") and not h.startswith("/registry/")}
    assert again == at_root  # what was remembered for one mount is not served under another
