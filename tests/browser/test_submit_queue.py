"""With a queue (Redis), in real Chromium with JavaScript switched off: the submission's status page
reloads itself (a meta refresh, which the Content-Security-Policy does not block) until the worker is
done, then shows the preview; the registration is followed the same way and ends with a link to the entry."""
from __future__ import annotations

import re
import uuid

import pytest

from registry.jobs.tasks import run_worker
from tests.browser.test_people_flow import README, register
from tests.test_jobs import REDIS_URL, _clean_queue

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_server(live_server):
    import redis

    from tests.conftest import IN_CI

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as err:
        if IN_CI:
            raise
        pytest.skip(f"no Redis server at {REDIS_URL}: {err}")
    live_server.app.config.update(REDIS_URL=REDIS_URL, QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    yield live_server
    _clean_queue(live_server.app)


def test_the_status_page_refreshes_itself_without_javascript(new_context, queued_server, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")
    page = new_context(java_script_enabled=False).new_page()
    register(page, "amina")
    page.goto("/submit")
    page.get_by_label("Repository or page address").fill(str(repo))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url(re.compile(r"/submit/jobs/[0-9a-f-]+$"))
    assert page.get_by_role("status").inner_text() == "State: queued"
    csp = page.request.get(page.url).headers["content-security-policy"]
    assert "script-src 'self'" in csp  # no inline script: the page reloads with a meta refresh

    run_worker(queued_server.app, burst=True)
    page.get_by_role("heading", name="What we found").wait_for(timeout=30_000)  # reloaded by itself
    assert "Word Splitter" in page.locator("table.preview").inner_text()

    page.get_by_role("button", name="Register it").click()
    page.get_by_role("heading", name="Registering the project").wait_for()
    run_worker(queued_server.app, burst=True)
    page.get_by_text("horn-nlp/word-splitter is registered. Thank you!").wait_for(timeout=30_000)
    page.get_by_role("link", name="Open the entry horn-nlp/word-splitter").click()
    page.wait_for_url(re.compile(r"/entries/horn-nlp/word-splitter$"))
    assert page.locator(".entry-head h1").inner_text() == "Word Splitter"
