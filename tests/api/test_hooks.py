"""Push webhooks: signatures (GitHub, Gitea, GitLab), refusals that change nothing, replays, unknown sources."""
from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest
from sqlmodel import func, select

from registry.db import write_session
from registry.models import Entry, HarvestRun, HookDelivery, Maintainer, Source, SourceHook, User
from tests.helpers import harvest_options, harvest_source

PUSH = "/api/v1/hooks/push"
README = "# Tool\n\nA sample tool for testing webhooks.\n"


@pytest.fixture
def hooked(app, git_repo, client, api_tokens):
    """A harvested local repository whose source has a webhook secret made through the API."""
    path = git_repo({"README.md": README})
    result = harvest_source(app, source=str(path), options=harvest_options(app, operator=True))
    with write_session(app) as s:
        source = s.exec(select(Source)).one()
        source_id = source.id
    resp = client.post(f"/api/v1/sources/{source_id}/hook-secret", headers=api_tokens["mod"])
    assert resp.status_code == 201
    return {"path": path, "slug": result.slug, "source_id": source_id, "secret": resp.get_json()["secret"]}


def _payload(path) -> bytes:
    return json.dumps({"ref": "refs/heads/main", "after": "f" * 40,
                       "repository": {"full_name": "acme/tool", "clone_url": f"file://{path}"}}).encode()


def _github(secret: str, body: bytes, delivery: str = "d-1") -> dict:
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-GitHub-Event": "push", "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": f"sha256={sig}",
            "Content-Type": "application/json"}


def _state(app) -> tuple:
    """Everything a refused push must leave as it was."""
    with write_session(app) as s:
        entry = s.exec(select(Entry)).one()
        return (entry.revision, entry.summary, s.exec(select(func.count()).select_from(HarvestRun)).one(),
                s.exec(select(func.count()).select_from(HookDelivery)).one())


def test_good_github_signature_reharvests(app, client, git_repo, hooked):
    git_repo({"README.md": "# Tool\n\nA changed summary after a push.\n"})
    body = _payload(hooked["path"])
    resp = client.post(PUSH, data=body, headers=_github(hooked["secret"], body))
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["status"] == "harvested" and data["delivery_id"] == "d-1" and data["source_id"] == hooked["source_id"]
    assert data["harvest"]["outcome"] == "updated" and data["harvest"]["slug"] == hooked["slug"]
    entry = client.get(f"/api/v1/entries/{hooked['slug']}").get_json()
    assert entry["summary"] == "A changed summary after a push." and entry["revision"] == 2


def test_missing_signature_is_401_before_anything_else(app, client, hooked):
    before = _state(app)
    for body in (_payload(hooked["path"]), b"not json at all", json.dumps({"repository": {}}).encode()):
        resp = client.post(PUSH, data=body, headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "x",
                                                     "Content-Type": "application/json"})
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "signature_missing"
    assert _state(app) == before


def test_wrong_signature_is_403_and_changes_nothing(app, client, git_repo, hooked):
    git_repo({"README.md": "# Tool\n\nThis must not be harvested.\n"})
    before = _state(app)
    body = _payload(hooked["path"])
    for headers in (_github("not the secret", body), _github(hooked["secret"], body + b" "),
                    {**_github(hooked["secret"], body), "X-Hub-Signature-256": "sha256=zz"}):
        resp = client.post(PUSH, data=body, headers=headers)
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "signature_mismatch"
    gitlab = client.post(PUSH, data=body, headers={"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "guess",
                                                   "X-Gitlab-Event-UUID": "g-1", "Content-Type": "application/json"})
    assert gitlab.status_code == 403
    assert _state(app) == before


def test_a_replayed_delivery_is_ignored(app, client, git_repo, hooked):
    body = _payload(hooked["path"])
    headers = _github(hooked["secret"], body, delivery="same-id")
    first = client.post(PUSH, data=body, headers=headers)
    assert first.status_code == 200 and first.get_json()["status"] == "harvested"
    git_repo({"README.md": "# Tool\n\nChanged, but the replay must not harvest it.\n"})
    before = _state(app)
    again = client.post(PUSH, data=body, headers=headers)
    assert again.status_code == 200 and again.get_json() == {"status": "ignored", "delivery_id": "same-id",
                                                             "source_id": hooked["source_id"], "harvest": None}
    assert _state(app) == before


def _refusal(resp) -> tuple:
    return resp.status_code, resp.get_json()


def test_every_source_one_may_not_push_gets_one_answer(app, client, hooked):
    """Not registered, no secret, a hidden entry's, a wrong signature: the caller learns nothing of which."""
    before = _state(app)
    body = _payload(hooked["path"])
    wrong = _refusal(client.post(PUSH, data=body, headers=_github("not the secret", body)))
    assert wrong[0] == 403 and wrong[1]["error"]["code"] == "signature_mismatch"
    unknown = json.dumps({"repository": {"html_url": "https://github.com/nobody/nothing",
                                         "clone_url": "https://github.com/nobody/nothing.git"}}).encode()
    assert _refusal(client.post(PUSH, data=unknown, headers=_github(hooked["secret"], unknown))) == wrong
    no_urls = json.dumps({"repository": {}}).encode()
    assert _refusal(client.post(PUSH, data=no_urls, headers=_github(hooked["secret"], no_urls))) == wrong
    with write_session(app) as s:
        entry = s.exec(select(Entry)).one()
        entry.hidden = True
        s.add(entry)
    # The right secret, but the entry is hidden: no source one may push either.
    assert _refusal(client.post(PUSH, data=body, headers=_github(hooked["secret"], body))) == wrong
    assert _state(app) == before


def test_a_source_without_a_secret_cannot_be_pushed(app, client, hooked):
    with write_session(app) as s:
        s.delete(s.get(SourceHook, hooked["source_id"]))
    before = _state(app)
    body = _payload(hooked["path"])
    resp = client.post(PUSH, data=body, headers=_github(hooked["secret"], body))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "signature_mismatch"
    assert _state(app) == before


def test_gitea_and_gitlab_styles(app, client, git_repo, hooked):
    body = json.dumps({"after": "a" * 40, "repository": {"html_url": f"file://{hooked['path']}"}}).encode()
    sig = hmac.new(hooked["secret"].encode(), body, hashlib.sha256).hexdigest()
    gitea = client.post(PUSH, data=body, headers={"X-Gitea-Event": "push", "X-Gitea-Delivery": "t-1",
                                                  "X-Gitea-Signature": sig, "Content-Type": "application/json"})
    assert gitea.status_code == 200 and gitea.get_json()["harvest"]["outcome"] == "unchanged"
    lab_body = json.dumps({"object_kind": "push", "checkout_sha": "b" * 40,
                           "project": {"git_http_url": f"file://{hooked['path']}"}}).encode()
    lab = client.post(PUSH, data=lab_body, headers={"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": hooked["secret"],
                                                    "Content-Type": "application/json"})
    assert lab.status_code == 200 and lab.get_json()["delivery_id"] == "push:" + "b" * 40
    ping = client.post(PUSH, data=body, headers={"X-GitHub-Event": "ping", "X-GitHub-Delivery": "p-1",
                                                 "X-Hub-Signature-256": "sha256=" + sig,
                                                 "Content-Type": "application/json"})
    assert ping.status_code == 200 and ping.get_json()["status"] == "ignored"


def test_only_maintainers_and_staff_set_secrets(app, client, hooked, api_tokens):
    url = f"/api/v1/sources/{hooked['source_id']}/hook-secret"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=api_tokens["member"]).status_code == 403
    with write_session(app) as s:
        member = s.exec(select(User).where(User.name == "member")).one()
        entry = s.exec(select(Entry)).one()
        s.add(Maintainer(user_id=member.id, entry_id=entry.id, via="admin"))
    fresh = client.post(url, headers=api_tokens["member"])
    assert fresh.status_code == 201 and fresh.get_json()["secret"] != hooked["secret"]
    assert client.get(f"/api/v1/sources/{hooked['source_id']}").get_json()["has_webhook_secret"] is True
    assert client.post("/api/v1/sources/999/hook-secret", headers=api_tokens["mod"]).status_code == 404


def test_with_redis_the_push_is_queued_for_a_worker(app, client, git_repo, hooked):
    """When Redis is configured the push answers 202 with the job; a worker then harvests it."""
    import uuid

    import redis

    from registry.jobs.tasks import run_worker
    from tests.conftest import IN_CI
    from tests.test_jobs import get_job

    url = os.environ.get("REGISTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as err:
        if IN_CI:
            raise
        pytest.skip(f"no Redis server at {url}: {err}")
    app.config.update(REDIS_URL=url, QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    git_repo({"README.md": "# Tool\n\nA summary harvested later by a queue worker.\n"})
    body = _payload(hooked["path"])
    resp = client.post(PUSH, data=body, headers=_github(hooked["secret"], body, delivery="queued-1"))
    assert resp.status_code == 202
    data = resp.get_json()
    assert data["status"] == "queued" and data["harvest"]["outcome"] == "queued" and data["harvest"]["job_id"]
    assert client.get(f"/api/v1/entries/{hooked['slug']}").get_json()["revision"] == 1
    run_worker(app, burst=True)
    assert get_job(app, data["harvest"]["job_id"]).result["outcome"] == "updated"
    entry = client.get(f"/api/v1/entries/{hooked['slug']}").get_json()
    assert entry["summary"] == "A summary harvested later by a queue worker.", entry


def test_an_oversized_push_is_refused_after_the_signature_check(app, client, hooked, monkeypatch):
    from registry.services import webhooks

    monkeypatch.setattr(webhooks, "MAX_PUSH_BYTES", 100)
    monkeypatch.setattr("registry.api.hooks.MAX_PUSH_BYTES", 100)
    before = _state(app)
    body = json.dumps({"repository": {"clone_url": f"file://{hooked['path']}"}, "padding": "x" * 200}).encode()
    assert client.post(PUSH, data=body, headers={"Content-Type": "application/json"}).status_code == 401
    resp = client.post(PUSH, data=body, headers=_github(hooked["secret"], body))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
    assert _state(app) == before


def test_old_delivery_ids_are_forgotten(app, client, hooked):
    from datetime import timedelta

    from registry.models import utcnow

    with write_session(app) as s:
        s.add(HookDelivery(source_id=hooked["source_id"], delivery_id="ancient", received_at=utcnow() - timedelta(days=200)))
        s.add(HookDelivery(source_id=hooked["source_id"], delivery_id="recent", received_at=utcnow() - timedelta(days=2)))
    body = _payload(hooked["path"])
    assert client.post(PUSH, data=body, headers=_github(hooked["secret"], body, delivery="new")).status_code == 200
    with write_session(app) as s:
        assert sorted(s.exec(select(HookDelivery.delivery_id)).all()) == ["new", "recent"]


def test_a_push_larger_than_other_requests_is_still_read_and_a_deep_one_is_a_400(app, client, hooked):
    # MAX_CONTENT_LENGTH (2 MiB) does not apply: a push has its own limit (5 MiB).
    body = json.dumps({"ref": "refs/heads/main", "after": "e" * 40, "padding": "x" * (3 * 1024 * 1024),
                       "repository": {"clone_url": f"file://{hooked['path']}"}}).encode()
    resp = client.post(PUSH, data=body, headers=_github(hooked["secret"], body, delivery="big"))
    assert resp.status_code == 200 and resp.get_json()["status"] == "harvested", resp.get_data(as_text=True)[:300]
    before = _state(app)
    deep = b"[" * 100_000
    resp = client.post(PUSH, data=deep, headers=_github(hooked["secret"], deep, delivery="deep"))
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_json"
    assert _state(app) == before
