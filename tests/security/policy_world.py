"""The world the authorization, CSRF and header suites act on, built once per test module.

One database (a copy of the migrated SQLite template, or a PostgreSQL database when
REGISTRY_TEST_DATABASE_URL is set) holds the actors of tests/security/policy.py, a third account
``owner`` who owns every FOREIGN object, entries harvested from real local git repositories,
and the communities ``comm`` and ``elsewhere``. Each actor signs in once through the login form;
every request then starts from a copy of that session cookie, so no request sees another's
flashed messages or signs anyone else out.
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import git
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from harvesters import HarvestedRecord
from registry import create_app
from registry.db import get_engine, write_session
from registry.models import Community, Entry, Maintainer, Source
from registry.services import OPERATOR, Actor
from registry.services.communities import add_member
from registry.services.harvesting import apply_record
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.conftest import IN_CI, SAMPLE_AUTHOR, SAMPLE_DATE, TEST_DATABASE_URL
from tests.helpers import harvest_options, harvest_source, source_row

from .policy import SIGNED_IN

PASSWORD = "long enough pw"
#: The accounts beside the actors: ``owner`` owns FOREIGN objects; ``visitor`` writes proposals and asks to join.
EXTRA_ACCOUNTS = ("owner", "visitor", "applicant")
SITE_ROLES = {"moderator": "moderator", "admin": "admin"}
REDIS_URL = os.environ.get("REGISTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def build_repo(path: Path, files: dict[str, str]) -> Path:
    """Make a real git repository with one commit holding ``files``."""
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch="main")
    for rel, content in files.items():
        (path / rel).write_text(content, encoding="utf-8")
    repo.git.add("-A")
    repo.index.commit("sample commit", author=SAMPLE_AUTHOR, committer=SAMPLE_AUTHOR, author_date=SAMPLE_DATE,
                      commit_date=SAMPLE_DATE)
    repo.close()
    return path


class World:
    """The accounts, objects, sessions and tokens requests are made with."""

    def __init__(self, app, root: Path):
        self.app = app
        self.root = root
        self.counter = itertools.count(1)
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.cookies: dict[str, str] = {}
        self.csrf: dict[str, str] = {}
        #: Filled by build_world: base entries (harvested), the dataset, collections, sources.
        self.base_entries: list[str] = []
        self._queue_app = None

    # --- database helpers ----------------------------------------------------------

    def session(self) -> Session:
        """A session on the world's database (close it, or use it in `with`)."""
        return Session(get_engine(self.app), expire_on_commit=False)

    def one(self, statement) -> Any:
        with self.session() as s:
            return s.exec(statement).first()

    def actor(self, name: str) -> Actor:
        """The service-layer actor of an account."""
        role = SITE_ROLES.get(name, "user")
        return Actor(name=name, role=role, user_id=self.ids[name])

    def unique(self, prefix: str = "x") -> str:
        return f"{prefix}{next(self.counter)}"

    # --- objects ---------------------------------------------------------------------

    def entry(self, *, maintainer: str | None = None, kind: str = "project", edited: bool = False,
              hidden: bool = False) -> str:
        """Register a new entry (revision 1; 2 when ``edited``, its summary then locked) and return its slug."""
        from registry.services.editing import edit_entry, set_hidden

        slug = f"cell/{self.unique('e')}"
        url = f"https://example.org/{slug}"
        record = HarvestedRecord(source_url=url, source_kind="git", slug_hint=slug, commit="c" * 40)
        for name, value in (("name", slug), ("summary", "A sample."), ("language", "en"), ("kind", kind),
                            ("description", "# Sample\n\nText.")):
            record.set(name, value, origin="README.md")
        with write_session(self.app) as s:
            slug = apply_record(s, record=record, src=source_row(s, url)).slug
            entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
            if maintainer:
                s.add(Maintainer(user_id=self.ids[maintainer], entry_id=entry.id, via="admin"))
            if edited:
                edit_entry(s, slug=slug, actor=OPERATOR, changes={"summary": "Edited by a person."},
                           base_revision=entry.revision)
            if hidden:
                set_hidden(s, slug=slug, actor=OPERATOR, hidden=True, reason="spam")
        return slug

    def entry_of(self, actor: str, own: bool | None, **kw) -> str:
        """A new entry maintained by the actor (OWN) or by ``owner`` (FOREIGN)."""
        return self.entry(maintainer=actor if own else "owner", **kw)

    def revision(self, slug: str) -> int:
        return self.one(select(Entry.revision).where(Entry.slug == slug))

    def proposal(self, *, author: str, slug: str, kind: str = "edit") -> int:
        """An open proposal on an entry (written directly: setup is not bound by the open-proposal quota)."""
        from registry.models import Proposal

        with write_session(self.app) as s:
            entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
            changes = {"summary": f"Proposed {self.unique()}."} if kind == "edit" else \
                {"name": "Jina", "summary": "Muhtasari.", "description": ""}
            row = Proposal(entry_id=entry.id, author_id=self.ids[author], kind=kind, changes=changes,
                           lang=None if kind == "edit" else "sw", base_revision=entry.revision)
            s.add(row)
            s.flush()
            return row.id

    def token(self, owner: str) -> int:
        with write_session(self.app) as s:
            return create_token(s, user_name=owner, scope="read", name=self.unique("t"))[1].id

    def collection(self, actor: str, own: bool | None, *, items: int = 1) -> tuple[str, list[int]]:
        """A new collection the actor curates (OWN) or one of ``elsewhere`` (FOREIGN); return slug and item ids."""
        from registry.services.collection_items import add_item
        from registry.services.collections import create_collection

        slug = self.unique("coll-")
        with write_session(self.app) as s:
            if own and actor == "curator":
                create_collection(s, actor=OPERATOR, title=slug, slug=slug, language="en", community="comm")
            elif own:
                create_collection(s, actor=self.actor(actor), title=slug, slug=slug, language="en")
            else:
                create_collection(s, actor=OPERATOR, title=slug, slug=slug, language="en", community="elsewhere")
            ids = [add_item(s, slug=slug, actor=OPERATOR, entry=e, note="A note.").id
                   for e in self.base_entries[:items]]
        return slug, ids

    def collection_proposal(self, slug: str) -> int:
        from registry.models import Collection, CollectionProposal

        with write_session(self.app) as s:
            collection = s.exec(select(Collection).where(Collection.slug == slug)).one()
            row = CollectionProposal(collection_id=collection.id, author_id=self.ids["visitor"], lang="sw",
                                     changes={"title": "Orodha", "description": ""})
            s.add(row)
            s.flush()
            return row.id

    def community(self, actor: str, own: bool | None) -> str:
        """A new community run by ``owner``, where the actor has its role (OWN) or none (FOREIGN).

        ``visitor`` is an active member and ``applicant`` waits for an answer to a join request.
        """
        from registry.models import CommunityMember

        slug = self.unique("comm-")
        with write_session(self.app) as s:
            community = Community(slug=slug, name=slug, description="", region="", languages=["sw"])
            s.add(community)
            s.flush()
            add_member(s, community=community, user_id=self.ids["owner"], role="admin")
            add_member(s, community=community, user_id=self.ids["visitor"], role="member")
            s.add(CommunityMember(community_id=community.id, user_id=self.ids["applicant"], role="member",
                                  status="pending"))
            if own:
                add_member(s, community=community, user_id=self.ids[actor],
                           role="curator" if actor == "curator" else "member")
        return slug

    def repo(self, files: dict[str, str] | None = None) -> str:
        """A new local git repository nobody registered yet; return its path."""
        name = self.unique("repo")
        return str(build_repo(self.root / "repos" / "fresh" / name,
                              files or {"README.md": f"# Tool {name}\n\nA sample tool for tests.\n"}))

    def awesome_list(self) -> str:
        """A new awesome-list repository (its links name no repository, so nothing is queued)."""
        name = self.unique("list")
        return str(build_repo(self.root / "repos" / "lists" / name,
                              {"README.md": f"# {name}\n\n## Reading\n- [A guide](https://example.org/{name}) - a note\n"}))

    def queue_app(self):
        """The same registry with a Redis job queue of its own (skipped without Redis, except in CI)."""
        if self._queue_app is None:
            import redis

            try:
                redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
            except redis.exceptions.ConnectionError as err:
                if IN_CI:
                    raise
                pytest.skip(f"no Redis server at {REDIS_URL}: {err}")
            self._queue_app = make_app(self.app.config["DATABASE_URL"], self.root, REDIS_URL=REDIS_URL,
                                       QUEUE_NAME=f"security-{uuid.uuid4().hex}")
        return self._queue_app

    def close(self) -> None:
        """Forget the queue's jobs and close the databases' connections."""
        if self._queue_app is not None:
            from rq import Queue

            from registry.jobs.queue import queue_name, redis_connection

            conn = redis_connection(self._queue_app)
            Queue(queue_name(self._queue_app), connection=conn).empty()
            keys = list(conn.scan_iter(f"*{queue_name(self._queue_app)}*"))
            if keys:
                conn.delete(*keys)
            get_engine(self._queue_app).dispose()
        get_engine(self.app).dispose()

    def source_of(self, actor: str, own: bool | None) -> int:
        """The source of the harvested entry the actor maintains (OWN) or ``owner``'s (FOREIGN)."""
        slug = f"lab/{actor if own else 'owner'}"
        return self.one(select(Source.id).join(Entry, Entry.id == Source.entry_id).where(Entry.slug == slug))

    # --- clients ---------------------------------------------------------------------

    def client(self, actor: str | None = None, app=None):
        """A fresh test client carrying the actor's signed-in session (anonymous: a session with a CSRF token)."""
        c = (app or self.app).test_client()
        c.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookies[actor or "anonymous"])
        return c

    def sign_in(self, name: str, password: str = PASSWORD):
        """Sign in through the form in a new client; return (client, CSRF token of the new session)."""
        c = self.app.test_client()
        resp = c.post("/login", data={"csrf_token": page_token(c, "/login"), "name": name, "password": password})
        assert resp.status_code == 302 and not resp.headers["Location"].startswith("/login"), resp.status_code
        return c, page_token(c, "/account")


def page_token(client, path: str) -> str:
    """GET a page and return the CSRF token its forms carry."""
    resp = client.get(path)
    found = _TOKEN.search(resp.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({resp.status_code})"
    return found.group(1)


def build_world(app, root: Path) -> World:
    """Make the accounts, their sessions and tokens, the base entries and the two communities."""
    root = root.resolve()  # sources are stored by their resolved path
    world = World(app, root)
    with write_session(app) as s:
        for name in (*SIGNED_IN, *EXTRA_ACCOUNTS):
            world.ids[name] = create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD,
                                          role=SITE_ROLES.get(name, "user")).id
        for name in SIGNED_IN:
            world.tokens[name] = create_token(s, user_name=name, scope="write", name="matrix")[0]
    # The entries maintained by the maintainers and by owner come from real repositories, so that
    # re-harvests and signed pushes really harvest.
    options = harvest_options(app, operator=True)
    for name in ("maintainer", "other_maintainer", "owner"):
        path = build_repo(root / "repos" / "lab" / name, {"README.md": f"# Lab {name}\n\nA tool by {name}.\n"})
        with app.app_context():
            result = harvest_source(app, source=str(path), kind="git", options=options)
        assert result.slug == f"lab/{name}", result
        with write_session(app) as s:
            entry = s.exec(select(Entry).where(Entry.slug == result.slug)).one()
            s.add(Maintainer(user_id=world.ids[name], entry_id=entry.id, via="admin"))
    world.base_entries = ["lab/owner", "lab/maintainer", "lab/other_maintainer"]
    world.dataset = world.entry(maintainer="owner", kind="dataset")
    with write_session(app) as s:
        for slug, roles in (("comm", {"owner": "admin", "curator": "curator", "member": "member"}),
                            ("elsewhere", {"owner": "admin", "member": "member"})):
            community = Community(slug=slug, name=slug.title(), description="", region="", languages=["sw"])
            s.add(community)
            s.flush()
            for name, role in roles.items():
                add_member(s, community=community, user_id=world.ids[name], role=role)
        from registry.services.webhooks import set_hook_secret

        world.owner_repo = str(root / "repos" / "lab" / "owner")
        world.owner_source = s.exec(select(Source.id).where(Source.url == world.owner_repo)).one()
        set_hook_secret(s, source_id=world.owner_source, actor=OPERATOR)
    world.public_collection, _ = world.collection("member", False)
    world.unlisted_collection, _ = world.collection("member", False)
    with write_session(app) as s:
        from registry.services.collections import update_collection

        update_collection(s, slug=world.unlisted_collection, actor=OPERATOR, changes={"visibility": "unlisted"})
    world.hidden_entry = world.entry(maintainer="owner", hidden=True)
    world.hidden_source = world.one(select(Source.id).join(Entry, Entry.id == Source.entry_id)
                                    .where(Entry.slug == world.hidden_entry))
    world.preview_repo = world.repo()
    # Sessions: anonymous gets one holding a CSRF token; each actor signs in through the form once.
    anonymous = app.test_client()
    world.csrf["anonymous"] = page_token(anonymous, "/login")
    world.cookies["anonymous"] = anonymous.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    for name in SIGNED_IN:
        c, token = world.sign_in(name)
        world.csrf[name] = token
        world.cookies[name] = c.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    return world


def _database(request, folder: Path):
    """Yield a migrated database URL for one module, and drop it afterwards."""
    pg = request.getfixturevalue("postgres_databases")
    if pg is not None:
        name = pg.create()
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        pg.drop(name)
        return
    path = folder / "registry.db"
    shutil.copyfile(request.getfixturevalue("template_db"), path)
    yield f"sqlite:///{path}"


def make_app(database_url: str, folder: Path, **config):
    """The registry app the security suites use: CSRF on, rate limits off, local sources allowed."""
    return create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "security-suite",
        "INSTANCE_PATH": str(folder / "instance"),
        "HARVEST_TIMEOUT": 60,
        # Sources on this machine stand for the forges (no network in tests); the refusal of local
        # paths has its own suite (test_fetch_abuse).
        "HARVEST_ALLOW_LOCAL": True,
        # Rate limits answer 429 after a few dozen writes: not what these suites are about.
        "RATELIMIT_ENABLED": False,
        **config,
    })


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    """The world of tests/security/policy.py on its own database, shared by one test module."""
    folder = tmp_path_factory.mktemp("security")
    databases = _database(request, folder)
    app = make_app(next(databases), folder)
    built = None
    try:
        built = build_world(app, folder)
        yield built
    finally:
        if built is not None:
            built.close()
        get_engine(app).dispose()
        next(databases, None)
