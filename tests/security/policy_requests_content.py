"""Requests of the matrix: public pages, signing in, accounts, entries, submissions and sources."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Callable

from sqlmodel import select

from registry.models import (
    ApiToken,
    Claim,
    Entry,
    HarvestRun,
    HookDelivery,
    PasswordReset,
    Proposal,
    SourceHook,
    Translation,
    User,
)

from .policy import OK, PROPOSED
from .policy_cases import API, Case, became, case, entry_id, first_of, get, grew, proposal_status, user_id
from .policy_world import PASSWORD, SITE_ROLES, World

# --- public pages, feeds, documents ----------------------------------------------------

for _key, _path in {
    "pages.home": "/", "pages.entries": "/entries?q=lab", "pages.entry": "/entries/lab/owner",
    "pages.healthz": "/healthz", "api_docs.show": "/api/docs", "feeds.entries_feed": "/feeds/entries.atom",
    "feeds.language_feed": "/feeds/languages/en.atom", "feeds.sitemap": "/sitemap.xml",
    "feeds.sitemap_page": "/sitemaps/1.xml", "coverage.coverage": "/coverage", "static": "/static/style.css",
    "collections.index": "/collections", "communities.index": "/communities", "communities.show": "/communities/comm",
    "editing.history": "/entries/lab/owner/history", "oai.oai": "/oai?verb=Identify",
    "auth.login": "/login", "auth.logout": "/logout", "auth.register": "/register", "auth.reset_request": "/reset",
    "account.account": "/account", "editing.edit": "/entries/lab/owner/edit",
    "editing.translate": "/entries/lab/owner/translate", "editing.claim": "/entries/lab/owner/claim",
    "review.queue": "/review", "submit.submit": "/submit", "communities.new": "/communities/new",
    "collections.new": "/collections/new",
}.items():
    case(_key, "GET")(get(_path))

case("pages.entry", "GET", "hidden")(get(lambda w: f"/entries/{w.hidden_entry}"))
case("editing.history", "GET", "hidden")(get(lambda w: f"/entries/{w.hidden_entry}/history"))
case("collections.show", "GET")(get(lambda w: f"/collections/{w.public_collection}"))
case("collections.show", "GET", "unlisted")(get(lambda w: f"/collections/{w.unlisted_collection}"))
case("collections.feed", "GET")(get(lambda w: f"/collections/{w.public_collection}/feed.atom"))
case("sources.source", "GET")(get(lambda w: f"/sources/{w.owner_source}"))
case("sources.source", "GET", "hidden")(get(lambda w: f"/sources/{w.hidden_source}"))


@case("oai.oai", "POST")
def _oai_post(w, actor, own, variant):
    return Case("POST", "/oai", form={"verb": "Identify"}, with_csrf=False)


# --- signing up, in and out ------------------------------------------------------------

def _session_user(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


@case("auth.login", "POST")
def _login(w, actor, own, variant):
    client = w.client(actor)
    return Case("POST", "/login", form={"name": "visitor", "password": PASSWORD}, client=client, csrf=w.csrf[actor],
                probe=lambda: OK if (_session_user(client) or "").split(":")[0] == str(w.ids["visitor"]) else None)


@case("auth.logout", "POST")
def _logout(w, actor, own, variant):
    client = w.client(actor)
    return Case("POST", "/logout", form={}, client=client, csrf=w.csrf[actor],
                probe=lambda: OK if _session_user(client) is None else None)


@case("auth.register", "POST")
def _register(w, actor, own, variant):
    name = w.unique("newcomer")
    return Case("POST", "/register", form={"name": name, "email": f"{name}@example.org", "password": PASSWORD,
                                          "confirm": PASSWORD},
                probe=grew(w, User, User.name == name))


@case("auth.reset_request", "POST")
def _reset_request(w, actor, own, variant):
    return Case("POST", "/reset", form={"email": "visitor@example.org"},
                probe=grew(w, PasswordReset, PasswordReset.user_id == w.ids["visitor"]))


def _reset_token(w: World) -> str:
    from registry.db import write_session
    from registry.services.users import start_password_reset

    with write_session(w.app) as s:
        return start_password_reset(s, email="visitor@example.org")[1]


case("auth.reset_password", "GET")(lambda w, actor, own, variant: Case("GET", f"/reset/{_reset_token(w)}"))


@case("auth.reset_password", "POST")
def _reset_password(w, actor, own, variant):
    token = _reset_token(w)
    digest = hashlib.sha256(token.encode()).hexdigest()
    used = lambda: w.one(select(PasswordReset.used_at).where(PasswordReset.token_hash == digest))  # noqa: E731
    return Case("POST", f"/reset/{token}", form={"password": PASSWORD, "confirm": PASSWORD},
                probe=lambda: OK if used() is not None else None)


@case("language.switch", "POST")
def _switch(w, actor, own, variant):
    uid = user_id(w, actor)
    read = lambda: w.one(select(User.preferred_language).where(User.id == uid))  # noqa: E731
    if uid is not None:
        _set_user(w, uid, preferred_language=None)
    return Case("POST", "/language", form={"ui": "en", "next": "/"},
                probe=(lambda: OK if read() == "en" else None) if uid else None)


def _set_user(w: World, uid: int, **values) -> None:
    from registry.db import write_session

    with write_session(w.app) as s:
        user = s.get(User, uid)
        for key, value in values.items():
            setattr(user, key, value)
        s.add(user)


# --- the person's own account ----------------------------------------------------------

@case("account.profile", "POST")
def _profile(w, actor, own, variant):
    name = w.unique("Display ")
    uid = user_id(w, actor)
    return Case("POST", "/account/profile", form={"display_name": name, "preferred_language": ""},
                probe=grew(w, User, User.id == uid, User.display_name == name) if uid else None)


@case("account.new_token", "POST")
def _web_token(w, actor, own, variant):
    label = w.unique("label")
    return Case("POST", "/account/tokens", form={"name": label, "scope": "read", "days": "30"},
                probe=grew(w, ApiToken, ApiToken.name == label))


@case("account.delete", "POST")
def _delete_account(w, actor, own, variant):
    form = {"password": PASSWORD, "confirm": "y"}
    if actor == "anonymous":
        return Case("POST", "/account/delete", form=form)
    # A throwaway account with the actor's site role: the actor's own account stays for the other cells.
    from registry.db import write_session
    from registry.services.users import create_user

    name = w.unique("leaving")
    with write_session(w.app) as s:
        uid = create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD,
                          role=SITE_ROLES.get(actor, "user")).id
    client, token = w.sign_in(name)
    return Case("POST", "/account/delete", form=form, client=client, csrf=token,
                probe=grew(w, User, User.id == uid, User.deleted_at.is_not(None)))


def _token_case(w, actor, own, path: Callable[[int], str], method: str) -> Case:
    token_id = w.token(actor if own else "owner")
    return Case(method, path(token_id), form={} if method == "POST" else None,
                probe=grew(w, ApiToken, ApiToken.id == token_id, ApiToken.revoked_at.is_not(None)))


case("account.revoke", "POST")(
    lambda w, actor, own, variant: _token_case(w, actor, own, lambda i: f"/account/tokens/{i}/revoke", "POST"))
case("api.delete_token", "DELETE")(
    lambda w, actor, own, variant: _token_case(w, actor, own, lambda i: f"{API}/me/tokens/{i}", "DELETE"))


def _withdraw(w, actor, own, path: Callable[[int], str]) -> Case:
    pid = w.proposal(author=actor if own else "visitor", slug="lab/owner")
    return Case("POST", path(pid), form={} if not path(pid).startswith(API) else None,
                probe=became(w, lambda: proposal_status(w, pid), "withdrawn"))


case("account.withdraw", "POST")(
    lambda w, actor, own, variant: _withdraw(w, actor, own, lambda i: f"/account/proposals/{i}/withdraw"))
case("api.decide", "POST", "withdraw")(
    lambda w, actor, own, variant: _withdraw(w, actor, own, lambda i: f"{API}/proposals/{i}/withdraw"))


# --- entries ---------------------------------------------------------------------------

_ENTRY_FIELDS = ("kind", "name", "summary", "description", "language", "languages", "license", "tasks", "tags",
                 "frameworks", "region", "homepage", "version")


def _edit_form(w: World, slug: str) -> dict[str, str]:
    entry = w.one(select(Entry).where(Entry.slug == slug))
    form = {}
    for name in _ENTRY_FIELDS:
        value = getattr(entry, name)
        form[name] = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    form.update(summary=f"Changed {w.unique()}.", base_revision=str(entry.revision), note="")
    return form


def edited_or_proposed(w: World, actor: str, slug: str, kind: str = "edit") -> Callable[[], str | None]:
    eid = entry_id(w, slug)
    revision = w.revision(slug)
    proposed = grew(w, Proposal, Proposal.entry_id == eid, Proposal.author_id == user_id(w, actor),
                    Proposal.kind == kind, label=PROPOSED)
    if kind == "translation":
        done = grew(w, Translation, Translation.entry_id == eid, Translation.lang == "sw")
    else:
        done = lambda: OK if w.revision(slug) > revision else None  # noqa: E731
    return first_of(done, proposed)


@case("editing.edit", "POST")
def _edit(w, actor, own, variant):
    slug = w.entry_of(actor, own)
    return Case("POST", f"/entries/{slug}/edit", form=_edit_form(w, slug), probe=edited_or_proposed(w, actor, slug))


@case("editing.translate", "POST")
def _translate(w, actor, own, variant):
    slug = w.entry_of(actor, own)
    return Case("POST", f"/entries/{slug}/translate",
                form={"lang": "sw", "name": "Jina", "summary": "", "description": "",
                      "base_revision": str(w.revision(slug))},
                probe=edited_or_proposed(w, actor, slug, "translation"))


def _locked(w: World, slug: str) -> bool:
    provenance = w.one(select(Entry.provenance).where(Entry.slug == slug))
    return "edited_by" in provenance.get("summary", {})


@case("editing.unlock", "POST")
def _unlock(w, actor, own, variant):
    slug = w.entry_of(actor, own, edited=True)
    return Case("POST", f"/entries/{slug}/unlock", form={"field": "summary", "base_revision": "2"},
                probe=became(w, lambda: _locked(w, slug), False))


def _revert(w, actor, own, api: bool) -> Case:
    slug = w.entry_of(actor, own, edited=True)
    probe = became(w, lambda: w.revision(slug), 3)
    if api:
        return Case("POST", f"{API}/entries/{slug}/revert", json={"revision": 1, "base_revision": 2}, probe=probe)
    return Case("POST", f"/entries/{slug}/revert", form={"revision": "1", "base_revision": "2"}, probe=probe)


case("editing.revert", "POST")(lambda w, actor, own, variant: _revert(w, actor, own, api=False))
case("api.revert", "POST")(lambda w, actor, own, variant: _revert(w, actor, own, api=True))


def _hidden(w: World, slug: str) -> bool:
    return w.one(select(Entry.hidden).where(Entry.slug == slug))


@case("editing.hide", "POST", "hide", "show")
def _hide(w, actor, own, variant):
    hide = variant == "hide"
    slug = w.entry_of(actor, own, hidden=not hide)
    form = {"hide": "Hide this entry", "reason": "spam"} if hide else {"show": "Show it again", "reason": ""}
    return Case("POST", f"/entries/{slug}/hide", form=form, probe=became(w, lambda: _hidden(w, slug), hide))


@case("api.hide_entry", "POST")
def _api_hide(w, actor, own, variant):
    slug = w.entry_of(actor, own)
    return Case("POST", f"{API}/entries/{slug}/hide", json={"reason": "spam"},
                probe=became(w, lambda: _hidden(w, slug), True))


@case("api.restore_entry", "POST")
def _api_restore(w, actor, own, variant):
    slug = w.entry_of(actor, own, hidden=True)
    return Case("POST", f"{API}/entries/{slug}/restore", json={}, probe=became(w, lambda: _hidden(w, slug), False))


@case("editing.claim", "POST")
def _claim(w, actor, own, variant):
    slug = f"lab/{actor}" if own else "lab/owner"
    return Case("POST", f"/entries/{slug}/claim", form={},
                probe=grew(w, Claim, Claim.entry_id == entry_id(w, slug), Claim.user_id == user_id(w, actor)))


def _decide(w, actor, own, variant, api: bool) -> Case:
    slug = w.entry_of(actor, own)
    pid = w.proposal(author="visitor", slug=slug)
    probe = became(w, lambda: proposal_status(w, pid), "accepted" if variant == "accept" else "rejected")
    if api:
        return Case("POST", f"{API}/proposals/{pid}/{variant}", json={"note": "Thanks."}, probe=probe)
    button = {"accept": "Accept"} if variant == "accept" else {"reject": "Reject"}
    return Case("POST", f"/review/{pid}", form={"note": "Thanks.", **button}, probe=probe)


case("review.decide", "POST", "accept", "reject")(lambda w, actor, own, variant: _decide(w, actor, own, variant, False))
case("api.decide", "POST", "accept", "reject")(lambda w, actor, own, variant: _decide(w, actor, own, variant, True))


# --- registering and re-harvesting ------------------------------------------------------

@case("submit.submit", "POST")
def _preview(w, actor, own, variant):
    return Case("POST", "/submit", form={"url": w.preview_repo})


def _registered_by(w: World, actor: str) -> Callable[[], str | None]:
    return grew(w, Entry, Entry.submitted_by_id == user_id(w, actor)) if actor in w.ids else None


@case("submit.confirm", "POST")
def _confirm(w, actor, own, variant):
    return Case("POST", "/submit/confirm", form={"url": w.repo()}, probe=_registered_by(w, actor))


@case("api.register_entry", "POST")
def _register_entry(w, actor, own, variant):
    return Case("POST", f"{API}/entries", json={"source_url": w.repo()}, probe=_registered_by(w, actor))


def _reharvest(w, actor, own, path: str) -> Case:
    source_id = w.source_of(actor, own)
    return Case("POST", path.format(source_id), form={} if not path.startswith(API) else None,
                probe=grew(w, HarvestRun, HarvestRun.source_id == source_id))


case("sources.reharvest", "POST")(lambda w, actor, own, variant: _reharvest(w, actor, own, "/sources/{}/reharvest"))
case("api.reharvest", "POST")(lambda w, actor, own, variant: _reharvest(w, actor, own, API + "/sources/{}/reharvest"))


@case("api.hook_secret", "POST")
def _hook_secret(w, actor, own, variant):
    source_id = w.source_of(actor, own)
    read = lambda: w.one(select(SourceHook.secret).where(SourceHook.source_id == source_id))  # noqa: E731
    before = read()
    return Case("POST", f"{API}/sources/{source_id}/hook-secret",
                probe=lambda: OK if read() not in (None, before) else None)


@case("api.push_hook", "POST", "signed", "unsigned", "wrong-signature")
def _push(w, actor, own, variant):
    body = json.dumps({"ref": "refs/heads/main", "repository": {"clone_url": w.owner_repo}}).encode()
    delivery = w.unique("delivery-")
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery}
    secret = w.one(select(SourceHook.secret).where(SourceHook.source_id == w.owner_source))
    if variant != "unsigned":
        key = secret if variant == "signed" else "not the secret"
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return Case("POST", f"{API}/hooks/push", body=body, headers=headers,
                probe=grew(w, HookDelivery, HookDelivery.delivery_id == delivery))


@case("submit.job", "GET")
def _submission_job(w, actor, own, variant):
    from registry.jobs.queue import submit

    app = w.queue_app()
    owner_id = w.ids["owner" if not own else actor]
    with app.app_context():
        job = submit("registry.jobs.tasks.register_submission", f"https://example.org/{w.unique('queued/r')}",
                     owner_id, kind="submission", source="queued", owner_id=owner_id)
    return Case("GET", f"/submit/jobs/{job.id}", app=app)


@case("api.job", "GET", "", "harvest")
def _api_job(w, actor, own, variant):
    from registry.services.sources import request_harvest

    if variant == "harvest":
        app = w.queue_app()
        with app.app_context():
            job = request_harvest(source=w.owner_repo, kind="git", operator=True)
        return Case("GET", f"{API}/jobs/{job.id}", app=app)
    page = _submission_job(w, actor, own, variant)
    return Case("GET", page.path.replace("/submit/jobs/", f"{API}/jobs/"), app=page.app)
