"""Cross-border pages in real Chromium: the Arabic layout mirrors, no serious accessibility violation
(axe-core, vendored from the npm registry) in English and Arabic, and screenshots in Arabic and Chinese."""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from registry.db import sessions
from registry.services.demo import run_demo
from tests.helpers import harvest_options

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "data" / "axe-core" / "axe.min.js"
#: The integrity hash npm's axe-core@4.14.1 publishes for axe.min.js in its sri-history.json.
AXE_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
#: Set to a folder to keep the screenshots (the README's come from here: tests/browser/screenshots).
SCREENSHOTS = os.environ.get("REGISTRY_SCREENSHOTS")

ARABIC_ENTRY = "/entries/sample-cairo-lab/arabic-dialect-id"
CHINESE_ENTRY = "/entries/sample-beijing-ai/mandarin-asr-tiny"
MAIN_PAGES = ["/", "/entries?q=speech", "/entries?kind=dataset", ARABIC_ENTRY, CHINESE_ENTRY, "/collections",
              "/collections/speech-and-dialects", "/communities", "/communities/arabic-dialects", "/coverage",
              "/login", "/register"]


def _reader(new_context, server, lang: str, **options):
    """A page whose browser asks for ``lang`` first (the harness fixes the context's locale to en-US)."""
    page = new_context(**options).new_page()
    page.route("**/*", lambda route: route.continue_(headers={**route.request.headers, "accept-language": lang})
               if route.request.url.startswith(server.url) else route.abort())
    return page


@pytest.fixture
def demo(live_server):
    """The demo's sample repositories, communities and collections, harvested for real."""
    app = live_server.app
    with app.app_context():
        report = run_demo(sessions(app), repos_dir=Path(app.instance_path) / "demo-repos",
                          options=harvest_options(app, operator=True))
    assert not [r for r in report.results if r.error], [r.error for r in report.results if r.error]
    return live_server


def test_the_vendored_axe_core_is_the_published_release():
    digest = base64.b64encode(hashlib.sha256(AXE.read_bytes()).digest()).decode()
    assert f"sha256-{digest}" == AXE_SRI


def test_arabic_pages_are_laid_out_right_to_left(new_context, demo):
    page = _reader(new_context, demo, "ar", viewport={"width": 1280, "height": 900})
    page.goto(ARABIC_ENTRY)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    width = page.viewport_size["width"]
    brand = page.locator("header.site .brand").bounding_box()
    assert brand["x"] > width / 2  # the site's name starts on the right
    readme = page.locator(".entry-body .readme").bounding_box()
    sidebar = page.locator(".entry-body .sidebar").bounding_box()
    assert sidebar["x"] < readme["x"]  # the sidebar moves to the left
    # Logical properties: the sidebar's rule stands between it and the text, on its right edge now.
    assert page.evaluate("getComputedStyle(document.querySelector('.sidebar')).borderRightWidth") != "0px"
    assert page.evaluate("getComputedStyle(document.querySelector('.sidebar')).borderLeftWidth") == "0px"

    # The interface-language switcher works without script, and Chinese flows left to right again.
    page.locator("#ui-lang").select_option("zh")
    with page.expect_navigation():
        page.locator("form.ui-language button").click()
    page.wait_for_load_state()
    # Between two documents the page briefly has no root element; ask only once the new one is there.
    page.wait_for_function("document.documentElement !== null && document.documentElement.lang === 'zh'")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.locator("header.site .brand").bounding_box()["x"] < width / 2


@pytest.mark.parametrize("lang, query, entry", [("ar", "لهجات", ARABIC_ENTRY), ("zh", "语音", CHINESE_ENTRY)])
def test_screenshots_of_home_search_and_entry(new_context, demo, tmp_path, lang, query, entry):
    out = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    page = _reader(new_context, demo, lang, viewport={"width": 1280, "height": 860})
    for name, path in (("home", "/"), ("search", f"/entries?q={query}"), ("entry", entry)):
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == lang
        page.evaluate("document.fonts.ready")
        shot = out / f"{name}-{lang}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
    if lang == "zh":  # a Chinese reader reads the Chinese original, not the English translation
        assert page.locator(".entry-head h1").inner_text() == "轻量级普通话语音识别模型"


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_main_pages_have_no_serious_accessibility_violation(new_context, demo, locale):
    # axe is injected as an inline script, which the pages' Content-Security-Policy rightly forbids.
    page = _reader(new_context, demo, locale, bypass_csp=True)
    found = []
    for path in MAIN_PAGES:
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == locale
        found += [{"page": path, **v} for v in _violations(page) if v["impact"] in ("serious", "critical")]
    assert found == []
