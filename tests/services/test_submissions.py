"""Registering a project: URL normalization, duplicates, preview without writes, submitter, claims."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine, sessions, write_session
from registry.errors import Conflict, Invalid, NotFound, Unauthorized
from registry.models import Entry, Maintainer, Source
from registry.services import Actor
from registry.services.addresses import normalize_source_url
from registry.services.claims import request_claim
from registry.services.submissions import confirm_submission, preview_submission
from registry.services.users import create_user
from tests.helpers import harvest_options, harvest_source

README = "# Word Splitter\n\nA sample tool that splits Amharic and Tigrinya text into words, written for tests.\n"


@pytest.mark.parametrize("raw, canonical", [
    ("https://GitHub.com/THUDM/ChatGLM-6B.git/", "https://github.com/thudm/chatglm-6b"),
    ("github.com/acme/tool", "https://github.com/acme/tool"),
    ("HTTPS://www.Example.org/Docs/Model/", "https://example.org/Docs/Model"),
    ("https://huggingface.co/Org/Model", "https://huggingface.co/Org/Model"),
])
def test_urls_are_normalized(raw, canonical):
    assert normalize_source_url(raw) == canonical


def test_empty_url_is_refused():
    with pytest.raises(Invalid):
        normalize_source_url("  ")


@pytest.fixture
def member(app):
    with write_session(app) as s:
        user = create_user(s, name="kofi", email="kofi@example.org", password="long enough pw")
        return Actor(name="kofi", role="user", user_id=user.id)


@pytest.fixture
def local_app(app):
    # Submitted local paths are refused unless the operator allows them; tests build local repositories.
    app.config["HARVEST_ALLOW_LOCAL"] = True
    return app


def _count(app, model) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_preview_writes_nothing_and_confirm_records_the_submitter(local_app, member, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    with Session(get_engine(local_app)) as s:
        preview = preview_submission(s, url=str(repo), actor=member, options=harvest_options(local_app, operator=False))
    assert preview.fields["name"] == "Word Splitter" and preview.provenance["name"]["origin"] == "README.md"
    assert _count(local_app, Entry) == 0 and _count(local_app, Source) == 0
    with Session(get_engine(local_app)) as s:
        result = confirm_submission(sessions(local_app), s, url=str(repo), actor=member, options=harvest_options(local_app, operator=False))
    assert result.slug == "horn-nlp/word-splitter"
    with Session(get_engine(local_app)) as s:
        assert s.exec(select(Entry)).one().submitted_by_id == member.user_id
        with pytest.raises(Conflict) as err:
            preview_submission(s, url=str(repo), actor=member, options=harvest_options(local_app, operator=False))
    assert err.value.details == {"slug": "horn-nlp/word-splitter"}


def test_submitted_local_paths_are_refused_by_default(app, member, git_repo):
    repo = git_repo({"README.md": README})
    with Session(get_engine(app)) as s, pytest.raises(Invalid) as err:
        preview_submission(s, url=str(repo), actor=member, options=harvest_options(app, operator=False))
    assert "local" in err.value.message.lower()


def test_anonymous_submission_is_refused(app):
    with Session(get_engine(app)) as s, pytest.raises(Unauthorized):
        preview_submission(s, url="https://github.com/a/b", actor=None, options=harvest_options(app, operator=False))


def test_claim_is_verified_by_the_next_harvest(app, member, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    options = harvest_options(app, operator=True)
    harvest_source(app, source=str(repo), options=options)
    with write_session(app) as s:
        token = request_claim(s, slug="horn-nlp/word-splitter", actor=member)
    with write_session(app) as s:
        other = request_claim(s, slug="horn-nlp/word-splitter", actor=member)
    assert token != other and _count(app, Maintainer) == 0
    git_repo({".ai-commons-claim": token + "\n"}, name="horn-nlp/word-splitter", message="claim")
    harvest_source(app, source=str(repo), options=options)
    with Session(get_engine(app)) as s:
        [m] = s.exec(select(Maintainer)).all()
    assert m.user_id == member.user_id and m.via == "claim"
    with write_session(app) as s, pytest.raises(Conflict):
        request_claim(s, slug="horn-nlp/word-splitter", actor=member)


def test_a_token_for_another_entry_proves_nothing(app, member, git_repo):
    options = harvest_options(app, operator=True)
    first = git_repo({"README.md": README}, name="a/first")
    second = git_repo({"README.md": README}, name="a/second")
    harvest_source(app, source=str(first), options=options)
    harvest_source(app, source=str(second), options=options)
    with write_session(app) as s:
        token = request_claim(s, slug="a/first", actor=member)
    git_repo({".ai-commons-claim": token}, name="a/second", message="claim")
    harvest_source(app, source=str(second), options=options)
    assert _count(app, Maintainer) == 0


def test_a_local_path_with_a_trailing_slash_is_the_same_source(local_app, member, git_repo):
    repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
    with Session(get_engine(local_app)) as s:
        confirm_submission(sessions(local_app), s, url=str(repo), actor=member, options=harvest_options(local_app, operator=False))
    with Session(get_engine(local_app)) as s, pytest.raises(Conflict):
        preview_submission(s, url=str(repo) + "/", actor=member, options=harvest_options(local_app, operator=False))


def test_a_project_page_can_be_submitted(app, member, tmp_path):
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>Yoruba Speech Kit</title>'
        '<meta name="description" content="A sample speech toolkit for Yoruba, written for the registry tests.">'
        '</head><body><h1>Yoruba Speech Kit</h1></body></html>', encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["HARVEST_ALLOW_PRIVATE"] = True  # this test's page is on the loopback address
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with Session(get_engine(app)) as s:
            preview = preview_submission(s, url=url, actor=member, options=harvest_options(app, operator=False))
        assert preview.fields["name"] == "Yoruba Speech Kit" and _count(app, Entry) == 0
        with Session(get_engine(app)) as s:
            result = confirm_submission(sessions(app), s, url=url, actor=member, options=harvest_options(app, operator=False))
        with Session(get_engine(app)) as s:
            source = s.exec(select(Source)).one()
        assert result.slug and source.kind == "page"
    finally:
        server.shutdown()
        server.server_close()


# --- with a queue (Redis) ----------------------------------------------------------------------

from registry.jobs.tasks import run_worker  # noqa: E402
from registry.services.submissions import get_submission_job, queue_preview, queue_submission  # noqa: E402
from tests.test_jobs import redis_app  # noqa: E402,F401  (a fixture)


def test_queued_preview_and_registration_belong_to_their_sender(redis_app, member, git_repo):
    redis_app.config["HARVEST_ALLOW_LOCAL"] = True
    with redis_app.app_context():  # jobs are queued and followed as a request would
        repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
        with write_session(redis_app) as s:
            other_id = create_user(s, name="ama", email="ama@example.org", password="long enough pw").id
        other = Actor(name="ama", role="user", user_id=other_id)
        with Session(get_engine(redis_app)) as s:
            job = queue_preview(s, url=str(repo) + "/", actor=member, options=harvest_options(redis_app, operator=False))
        assert job.kind == "preview" and job.source == str(repo)  # the same identity a harvest gives it
        assert get_submission_job(job_id=job.id, actor=member).status == "queued"
        with pytest.raises(NotFound):
            get_submission_job(job_id=job.id, actor=other)
        with pytest.raises(Unauthorized):
            get_submission_job(job_id=job.id, actor=None)
        run_worker(redis_app, burst=True)
        state = get_submission_job(job_id=job.id, actor=member)
        assert state.status == "done" and state.preview.fields["name"] == "Word Splitter"
        assert state.preview.provenance["name"]["origin"] == "README.md" and _count(redis_app, Entry) == 0
        with Session(get_engine(redis_app)) as s:
            registration = queue_submission(s, url=str(repo), actor=member, options=harvest_options(redis_app, operator=False))
        run_worker(redis_app, burst=True)
        done = get_submission_job(job_id=registration.id, actor=member)
        assert done.status == "done" and done.slug == "horn-nlp/word-splitter"
        with Session(get_engine(redis_app)) as s:
            assert s.exec(select(Entry)).one().submitted_by_id == member.user_id
            with pytest.raises(Conflict):
                queue_submission(s, url=str(repo), actor=other, options=harvest_options(redis_app, operator=False))


def test_a_queued_registration_of_an_address_registered_meanwhile_fails_as_a_duplicate(redis_app, member, git_repo):
    redis_app.config["HARVEST_ALLOW_LOCAL"] = True
    with redis_app.app_context():  # jobs are queued and followed as a request would
        repo = git_repo({"README.md": README}, name="horn-nlp/word-splitter")
        with Session(get_engine(redis_app)) as s:
            first = queue_submission(s, url=str(repo), actor=member, options=harvest_options(redis_app, operator=False))
            second = queue_submission(s, url=str(repo), actor=member, options=harvest_options(redis_app, operator=False))
        run_worker(redis_app, burst=True)
        states = [get_submission_job(job_id=j.id, actor=member) for j in (first, second)]
        assert [s.status for s in states] == ["done", "failed"]
        assert states[1].code == "duplicate" and states[1].slug == "horn-nlp/word-splitter"
        assert _count(redis_app, Entry) == 1


@pytest.mark.parametrize("url", ["/srv/registry/instance", "file:///etc", "http://127.0.0.1:8080/admin",
                                 "https://169.254.169.254/latest", "ext::sh -c touch% /tmp/x", "ssh://git@host/repo"])
def test_a_queued_submission_of_an_unsafe_address_is_refused_at_once(redis_app, member, url):
    # Refused before a job exists: the person hears why now, and no worker ever sees the address.
    from rq import Queue

    from registry.jobs.queue import redis_connection

    with Session(get_engine(redis_app)) as s:
        for queue_it in (queue_preview, queue_submission):
            with pytest.raises(Invalid) as refused:
                queue_it(s, url=url, actor=member, options=harvest_options(redis_app, operator=False))
            assert refused.value.details["fields"]["source_url"]
    queue = Queue(redis_app.config["QUEUE_NAME"], connection=redis_connection(redis_app))
    assert queue.count == 0


def test_the_preview_shows_harvested_text_repaired_and_an_unexpected_error_as_a_422(app, member, monkeypatch):
    # Issue 29: what a harvester returns is repaired before it is shown (a lone surrogate cannot
    # be sent to a browser), and whatever it raises is a refusal naming source_url, never a 500.
    import harvesters
    from harvesters import HarvestedRecord

    class Odd:
        def harvest(self, url, *, options):
            record = HarvestedRecord(source_url=url, source_kind="page", slug_hint="lab/odd")
            record.set("name", "Odd\udc80 Tool", origin="index.html")
            record.set("summary", "nul\x00", origin="index.html")
            return record

    class Broken:
        def harvest(self, url, *, options):
            raise KeyError("a parser bug")

    monkeypatch.setattr(harvesters, "guess_kind", lambda url, options: "page")
    options = harvest_options(app, operator=False)
    with Session(get_engine(app)) as s:
        monkeypatch.setattr(harvesters, "get_harvester", lambda kind: Odd())
        preview = preview_submission(s, url="https://example.org/odd", actor=member, options=options)
        assert (preview.fields["name"], preview.fields["summary"]) == ("Odd\ufffd Tool", "nul\ufffd")
        monkeypatch.setattr(harvesters, "get_harvester", lambda kind: Broken())
        with pytest.raises(Invalid) as err:
            preview_submission(s, url="https://example.org/odd", actor=member, options=options)
    assert "unexpectedly (KeyError)" in err.value.message and "source_url" in err.value.details["fields"]
