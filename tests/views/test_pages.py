"""The pages: what a reader sees on the home page, the list and an entry."""
from __future__ import annotations

import json
import re

from tests.helpers import add_entry

HOSTILE = """# Hostile

A README that tries every trick to run script in the registry's pages.

<script>alert(1)</script>
<img src="x" onerror="alert(2)">
[click me](javascript:alert(3))
<a href="JaVaScRiPt:alert(4)">again</a>
<iframe src="https://example.org"></iframe>
<div style="background:url(javascript:alert(5))" onclick="alert(6)">styled</div>
"""


def test_home_shows_counts_search_and_recent(app, client):
    add_entry(app, "lab/a", kind="model", name="Alpha Model")
    html = client.get("/").get_data(as_text=True)
    assert 'name="q"' in html and "Alpha Model" in html
    assert "1 entries" in html or "1 entry" in html


def test_empty_home_says_how_to_fill_it(client):
    assert "Nothing is registered yet" in client.get("/").get_data(as_text=True)


def test_list_paginates_and_filters(app, client):
    for n in range(25):
        add_entry(app, f"lab/e{n:02d}", kind="model" if n % 2 else "dataset", license="MIT")
    first = client.get("/entries").get_data(as_text=True)
    assert "25 entries" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/entries?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    models = client.get("/entries?kind=model").get_data(as_text=True)
    assert "12 entries" in models


def test_list_empty_state(client):
    html = client.get("/entries?q=nothing-matches-this").get_data(as_text=True)
    assert "No entries match." in html and "Clear the search" in html


def test_entry_page_renders_readme_and_provenance(app, client):
    add_entry(app, "lab/tagger", name="Tagger", license="MIT", language="en",
              description="# Tagger\n\nSome **bold** text.\n")
    resp = client.get("/entries/lab/tagger")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<strong>bold</strong>" in html
    assert "from <code>README.md</code>" in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(ld)["@type"] == "SoftwareSourceCode"


def test_hostile_readme_renders_inert(app, client):
    add_entry(app, "evil/readme", description=HOSTILE, summary="</script><script>alert(7)</script>")
    html = client.get("/entries/evil/readme").get_data(as_text=True)
    readme = html.split('aria-label="README">', 1)[1].split("</section>", 1)[0]
    assert "<script" not in readme and "onerror" not in readme.lower() and "onclick" not in readme.lower()
    assert "javascript:" not in readme.lower() and "<iframe" not in readme and "style=" not in readme
    # The summary goes into JSON-LD and a meta tag: it must not close the script block.
    assert html.count("<script") == 1 and "alert(7)</script>" not in html


def test_translations_get_hreflang_links_and_switch(app, client):
    add_entry(app, "lab/bi", name="Reader", language="en", description="# Reader\n\nEnglish text.", translations={
        "ar": {"name": "القارئ", "summary": "ملخص", "description": "# القارئ\n\nنص عربي.", "origin": "README.ar.md"}})
    html = client.get("/entries/lab/bi").get_data(as_text=True)
    assert 'hreflang="ar"' in html and 'hreflang="en"' in html
    arabic = client.get("/entries/lab/bi?lang=ar").get_data(as_text=True)
    assert "نص عربي" in arabic and 'dir="rtl"' in arabic


def test_missing_entry_is_a_friendly_404(client):
    resp = client.get("/entries/nobody/nothing")
    assert resp.status_code == 404
    assert "Not found" in resp.get_data(as_text=True) and "Browse the registry" in resp.get_data(as_text=True)


def test_server_error_page_hides_details(app, client, monkeypatch):
    import registry.views.entries as views

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "count_entries", boom)
    resp = client.get("/")
    assert resp.status_code == 500
    html = resp.get_data(as_text=True)
    assert "Something went wrong" in html and "secret internals" not in html


def test_interface_language_switcher(client):
    html = client.get("/?ui=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
