"""Registering a project from the web: preview with origins, confirm, duplicates and mirrors, refusals."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine
from registry.models import Entry, Source
from tests.helpers import add_entry
from tests.views.conftest import post_form, text

README = "# Word Splitter\n\nA sample tool that splits Amharic and Tigrinya text into words, written for tests.\n"


@pytest.fixture
def local_app(app):
    app.config["HARVEST_ALLOW_LOCAL"] = True
    return app


def _count(app, model) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_submit_needs_an_account(client):
    resp = client.get("/submit")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=%2Fsubmit"


def test_preview_then_confirm(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")
    auth("member")
    page = client.get("/submit")
    assert page.status_code == 200 and '<label for="url">' in text(page)
    preview = post_form(client, "/submit", {"url": str(repo)})
    html = text(preview)
    assert preview.status_code == 200 and "What we found" in html
    assert "Word Splitter" in html and "<code>README.md</code>" in html
    assert _count(local_app, Entry) == 1 and _count(local_app, Source) == 1  # only lab/tagger: nothing written
    resp = post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
    assert resp.status_code == 302 and resp.headers["Location"] == "/entries/horn-nlp/word-splitter"
    assert "horn-nlp/word-splitter is registered" in text(client.get(resp.headers["Location"]))
    with Session(get_engine(local_app)) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "horn-nlp/word-splitter")).one()
    assert entry.submitted_by_id == people["member"]


def test_a_registered_source_links_to_the_existing_entry(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    auth("member")
    post_form(client, "/submit", {"url": str(repo)}, action="/submit/confirm")
    resp = post_form(client, "/submit", {"url": str(repo)})
    html = text(resp)
    assert resp.status_code == 409 and "already registered" in html
    assert 'href="/entries/horn-nlp/word-splitter"' in html


def test_a_possible_mirror_is_flagged(local_app, client, people, auth, git_repo):
    add_entry(local_app, "horn-nlp/word-splitter", source_url="https://gitee.com/horn-nlp/word-splitter")
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    auth("member")
    html = text(post_form(client, "/submit", {"url": str(repo)}))
    assert "may be the same project" in html and 'href="/entries/horn-nlp/word-splitter"' in html


def test_local_paths_are_refused_unless_the_operator_allows_them(app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README})
    auth("member")
    resp = post_form(client, "/submit", {"url": str(repo)})
    html = text(resp)
    assert resp.status_code == 422 and 'id="url-error"' in html and "local" in html.lower()
    assert _count(app, Source) == 1


def test_an_empty_address_is_explained(client, people, auth):
    auth("member")
    resp = post_form(client, "/submit", {"url": ""})
    assert resp.status_code == 422 and 'aria-invalid="true"' in text(resp)


def test_submit_needs_a_csrf_token(local_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README})
    auth("member")
    assert client.post("/submit", data={"url": str(repo)}).status_code == 400
    assert client.post("/submit/confirm", data={"url": str(repo)}).status_code == 400
    assert _count(local_app, Entry) == 1


def test_submissions_are_rate_limited(local_app, client, people, auth, git_repo):
    local_app.config["SUBMIT_RATE_LIMIT"] = "2 per hour"
    repo = git_repo({"README.md": README})
    auth("member")
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200
    assert post_form(client, "/submit", {"url": str(repo)}).status_code == 200
    resp = post_form(client, "/submit", {"url": str(repo)})
    assert resp.status_code == 429 and "many projects" in text(resp)


# --- with a queue (Redis): the preview and the registration are jobs with a status page ---------

from registry.jobs.tasks import run_worker  # noqa: E402
from tests.test_jobs import redis_app  # noqa: E402,F401  (a fixture)

_REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def queued_app(redis_app):
    redis_app.config["HARVEST_ALLOW_LOCAL"] = True
    return redis_app


def test_with_a_queue_preview_and_registration_are_followed_on_a_status_page(queued_app, client, people, auth,
                                                                              git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")
    auth("member")
    resp = post_form(client, "/submit", {"url": str(repo)})
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/submit/jobs/")
    job_page = resp.headers["Location"]
    waiting = client.get(job_page)
    html = text(waiting)
    assert waiting.status_code == 200 and _REFRESH in html and 'job-queued">queued' in html
    assert "private" in waiting.headers["Cache-Control"]

    run_worker(queued_app, burst=True)
    done = text(client.get(job_page))
    assert _REFRESH not in done and "What we found" in done and "<code>README.md</code>" in done
    assert "Word Splitter" in done and 'action="/submit/confirm"' in done
    assert _count(queued_app, Entry) == 1  # only lab/tagger: a preview writes nothing

    confirm = post_form(client, job_page, {"url": str(repo)}, action="/submit/confirm")
    assert confirm.status_code == 303 and confirm.headers["Location"].startswith("/submit/jobs/")
    registering = text(client.get(confirm.headers["Location"]))
    assert _REFRESH in registering and "Registering the project" in registering
    run_worker(queued_app, burst=True)
    registered = text(client.get(confirm.headers["Location"]))
    assert _REFRESH not in registered and "horn-nlp/word-splitter is registered" in registered
    assert 'href="/entries/horn-nlp/word-splitter"' in registered
    with Session(get_engine(queued_app)) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "horn-nlp/word-splitter")).one()
        source_id = s.exec(select(Source.id).where(Source.entry_id == entry.id)).one()
    assert entry.submitted_by_id == people["member"]
    # The source page shows the registration as its latest job.
    assert 'job-done">done' in text(client.get(f"/sources/{source_id}"))


def test_only_the_person_who_submitted_sees_the_job_page(queued_app, client, people, auth, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    auth("member")
    job_page = post_form(client, "/submit", {"url": str(repo)}).headers["Location"]
    client.post("/logout", data={"csrf_token": _csrf(client)})
    assert client.get(job_page).status_code == 302  # sign in first
    auth("maint")
    assert client.get(job_page).status_code == 404
    assert client.get("/submit/jobs/no-such-job").status_code == 404


def _csrf(client) -> str:
    from tests.views.conftest import csrf_token

    return csrf_token(client, "/account")


def test_a_failed_preview_job_says_why_and_offers_to_try_again(queued_app, client, people, auth, tmp_path):
    folder = tmp_path / "plain-folder"
    folder.mkdir()
    auth("member")
    job_page = post_form(client, "/submit", {"url": str(folder)}).headers["Location"]
    run_worker(queued_app, burst=True)
    html = text(client.get(job_page))
    assert _REFRESH not in html and 'job-failed">failed' in html and "not a git repository" in html
    assert 'action="/submit"' in html and f'value="{folder}"' in html


def test_with_a_queue_a_registered_address_is_refused_at_once(queued_app, client, people, auth, git_repo):
    add_entry(queued_app, "horn-nlp/word-splitter", source_url="https://github.com/horn-nlp/word-splitter")
    auth("member")
    resp = post_form(client, "/submit", {"url": "https://github.com/Horn-NLP/Word-Splitter"})
    assert resp.status_code == 409 and 'href="/entries/horn-nlp/word-splitter"' in text(resp)


def test_the_job_page_speaks_every_interface_language(queued_app, client, people, auth, git_repo, tmp_path):
    from registry.extensions import UI_LANGUAGES

    folder = tmp_path / "plain-folder"
    folder.mkdir()
    auth("member")
    failed = post_form(client, "/submit", {"url": str(folder)}).headers["Location"]
    run_worker(queued_app, burst=True)
    queued = post_form(client, "/submit", {"url": str(git_repo({"README.md": README}))}).headers["Location"]
    english = ["Waiting for a harvest worker", "This page reloads itself", "Reading the address you sent",
               "State:", ">queued<", ">failed<", "It did not work", "Try again", "Reload now"]
    for lang in sorted(set(UI_LANGUAGES) - {"en"}):
        html = text(client.get(f"{queued}?ui={lang}")) + text(client.get(f"{failed}?ui={lang}"))
        assert f'lang="{lang}"' in html
        left = [phrase for phrase in english if phrase in html]
        assert not left, (lang, left)


def test_with_a_queue_harvest_again_now_queues_a_job_shown_on_the_source_page(queued_app, client, people, auth):
    with Session(get_engine(queued_app)) as s:
        source_id = s.exec(select(Source.id)).one()
    auth("maint")
    resp = post_form(client, f"/sources/{source_id}", {}, action=f"/sources/{source_id}/reharvest",
                     follow_redirects=True)
    html = text(resp)
    assert "A harvest worker will harvest it shortly" in html and 'job-queued">queued' in html
