"""The request behind every rule of tests/security/policy.py, and how its outcome is read.

A builder makes the objects one cell needs (a new entry, proposal, collection… so that no cell
depends on another) and returns a `Case`: the request, and a probe that tells afterwards whether
the change the request asks for is in the database (`OK`), waits as a proposal (`PROPOSED`), or
did not happen (None). A refusal must leave the probe at None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import select

from registry.models import Collection, Community, CommunityMember, Entry, Proposal

from .policy import FLASH, LOGIN, OK, REDIRECT
from .policy_world import World

NOTHING_DONE = "answered but nothing changed"
API = "/api/v1"


@dataclass
class Case:
    """One request, and how to tell what it did."""

    method: str
    path: str
    form: dict[str, Any] | None = None  # a page's form; the CSRF token is added when sent
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    probe: Callable[[], str | None] | None = None
    #: A prepared client (a throwaway account's) and its CSRF token, instead of the actor's own session.
    client: Any = None
    csrf: str | None = None
    #: Routes that take no CSRF token at all (OAI-PMH only reads).
    with_csrf: bool = True
    #: Another app on the same database (the one with a job queue), instead of the world's.
    app: Any = None

    @property
    def api(self) -> bool:
        return self.path.startswith(API + "/")


Builder = Callable[[World, str, "bool | None", str], Case]
BUILDERS: dict[tuple[str, str, str], Builder] = {}


def case(endpoint: str, method: str, *variants: str):
    """Register the builder of a rule (one per variant)."""
    def register(fn: Builder) -> Builder:
        for variant in variants or ("",):
            key = (endpoint, method, variant)
            assert key not in BUILDERS, f"two builders for {key}"
            BUILDERS[key] = fn
        return fn
    return register


def get(path: str) -> Builder:
    return lambda w, actor, own, variant: Case("GET", path(w) if callable(path) else path)


# --- probes ----------------------------------------------------------------------------

def count(w: World, model, *where) -> int:
    return w.one(select(func.count()).select_from(model).where(*where))


def grew(w: World, model, *where, label: str = OK) -> Callable[[], str | None]:
    """A probe: more rows matching ``where`` after the request than before."""
    before = count(w, model, *where)
    return lambda: label if count(w, model, *where) > before else None


def became(w: World, read: Callable[[], Any], wanted: Any) -> Callable[[], str | None]:
    """A probe: ``read()`` gives ``wanted`` after the request (and did not before)."""
    assert read() != wanted, "the cell's object is already in the state the request asks for"
    return lambda: OK if read() == wanted else None


def first_of(*probes: Callable[[], str | None]) -> Callable[[], str | None]:
    return lambda: next((found for found in (p() for p in probes) if found), None)


def user_id(w: World, actor: str) -> int | None:
    return w.ids.get(actor)


def entry_id(w: World, slug: str) -> int:
    return w.one(select(Entry.id).where(Entry.slug == slug))


def collection_row(w: World, slug: str) -> Collection:
    return w.one(select(Collection).where(Collection.slug == slug))


def member_row(w: World, community: str, name: str) -> CommunityMember | None:
    return w.one(select(CommunityMember).join(Community, Community.id == CommunityMember.community_id)
                 .where(Community.slug == community, CommunityMember.user_id == w.ids[name]))


def proposal_status(w: World, pid: int) -> str:
    return w.one(select(Proposal.status).where(Proposal.id == pid))


# --- sending a case and reading its outcome --------------------------------------------

_ACTOR = object()


def send(w: World, actor: str, c: Case, *, csrf: Any = _ACTOR, bearer: Any = _ACTOR, cookie: bool | None = None):
    """Make the request as the actor; return (response, client).

    Pages go with the actor's session and CSRF token, the API with the actor's bearer token and
    no cookie. ``csrf`` (None: no token) and ``bearer`` (None: no header) and ``cookie`` override that.
    """
    cookie = (not c.api) if cookie is None else cookie
    client = c.client or (w.client(actor, app=c.app) if cookie else (c.app or w.app).test_client())
    headers = dict(c.headers)
    token = w.tokens.get(actor) if bearer is _ACTOR else bearer
    if c.api and token:
        headers["Authorization"] = f"Bearer {token}"
    data = c.body
    if c.form is not None:
        data = dict(c.form)
        chosen = (c.csrf or w.csrf[actor]) if csrf is _ACTOR else csrf
        if c.with_csrf and chosen is not None:
            data["csrf_token"] = chosen
    resp = client.open(c.path, method=c.method, data=data, json=c.json, headers=headers)
    resp.get_data()  # read streamed bodies (the dump) before the probe looks at the database
    resp.close()
    return resp, client


def flashed_errors(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for category, message in session.get("_flashes", []) if category == "error"]


def outcome(c: Case, resp, client) -> str:
    """Name what a request did, in the words of tests/security/policy.py."""
    status = resp.status_code
    effect = c.probe() if c.probe else None
    if effect is not None:
        return effect if status < 400 else f"{effect}, yet answered {status}"
    if 200 <= status < 300:
        return NOTHING_DONE if c.probe else OK
    if c.api:
        body = resp.get_json(silent=True)
        if not (isinstance(body, dict) and set(body) == {"error"}
                and {"code", "message", "details"} <= set(body["error"])):
            return f"{status} without the JSON error envelope"
        return str(status)
    if 300 <= status < 400:
        if urlsplit(resp.headers["Location"]).path == "/login":
            return LOGIN
        return FLASH if flashed_errors(client) else REDIRECT
    return str(status)


def run(w: World, actor: str, c: Case, **overrides) -> str:
    """Send a case and return its outcome."""
    resp, client = send(w, actor, c, **overrides)
    return outcome(c, resp, client)


# The builders register themselves with `case` when their modules are imported.
from . import policy_requests_content, policy_requests_discovery, policy_requests_groups  # noqa: E402,F401
