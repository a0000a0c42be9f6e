"""Property-based API tests: schemathesis generates requests from the OpenAPI document, offline.

Every operation is sent generated requests by every kind of caller the issue names (issue 29):
anonymous; a plain user's read token and write token; a maintainer's (the user who maintains a
seeded entry) read and write tokens; an admin's read and write tokens; and a moderator's write
token. No answer may be a server error, use an undocumented status, media type or header, or
break its schema. A fifth of the cases are negative (made to break the document's request schemas),
which must be refused with a documented status. Against the WSGI app: no server, no network.

Each caller group is a test of its own, so pytest-xdist spreads them over its workers. On SQLite
they send at least MINIMUM (5,000) cases in all, each group its share by the number of its callers;
on PostgreSQL (CI's second pass over every tier) the same groups send POSTGRES_SHARE of that (about
one in seven): the cases find faults in the document and the routes, which are the same on both
databases, and the second pass is there for what a database does differently.

Half of the generated requests have their path parameters pointed at seeded things (an entry the
maintainer maintains, a collection, a community, a proposal, an item, a source), so that
maintainers, moderators and admins act on something that exists rather than meet 404s.

The stateful test follows the document's links (make a collection, then read, edit, fill, order and
translate it; start a community, then read, edit, join and leave it; make a token, then revoke it)
as an admin and as a plain user, with the same checks on every step. (A proposal's links start
from proposing on an entry, which no answer names by the namespace and name its path takes apart:
proposals are exercised by the generated requests on the seeded entry.)
"""
from __future__ import annotations

import math
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from registry.db import get_engine, write_session
from registry.models import Entry, Maintainer, User
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
#: These fetch the submitted or stored repository address; generated ones would reach for the network.
#: Only anonymous callers send them (refused with 401 before anything is fetched).
NETWORK = {"registerEntry", "reharvest", "syncCollection"}
#: Generated cases in all on SQLite, over every caller group.
MINIMUM = 5000
#: The share of MINIMUM sent on PostgreSQL.
POSTGRES_SHARE = 0.15
#: The share of the cases that are negative: generated to break the document's schemas (wrong types,
#: missing fields, values out of range), which the server must refuse with a documented error status.
NEGATIVE_SHARE = 0.2
#: Examples per operation and caller are a group's quota spread over them with this margin:
#: operations with few possible inputs (no parameters) run out of distinct cases before their share.
MARGIN = 1.15
#: Callers by group: (account, role, token scope); None is anonymous.
GROUPS = {
    "anonymous": [None],
    "user": [("member", "user", "read"), ("member", "user", "write")],
    "maintainer": [("keeper", "user", "read"), ("keeper", "user", "write")],
    "staff": [("root", "admin", "read"), ("root", "admin", "write"), ("fuzzer", "moderator", "write")],
}
CALLERS = sum(len(callers) for callers in GROUPS.values())
MAINTAINED = "nairobi/tweets"


@dataclass
class World:
    """What the seeding made: each caller's headers, and real values for path parameters."""

    headers: dict[tuple[str, str] | None, dict[str, str]] = field(default_factory=dict)
    #: Path parameter values that name something that exists, by parameter (and, for `slug`, by resource).
    known: dict[str, str | int] = field(default_factory=dict)


def _seed(app, client) -> World:
    """Seed entries, accounts (a maintainer of MAINTAINED among them), a collection, a community, a proposal."""
    add_entry(app, MAINTAINED, kind="dataset", name="Tweets", language="sw", languages=["sw"],
              license="CC0-1.0", authors=[{"name": "Amina"}], citation={"doi": "10.1/x"},
              translations={"en": {"name": "Tweets", "summary": "Tweets.", "description": "", "origin": "README.en.md"}})
    add_entry(app, "lagos/translator", kind="model", name="Translator", language="en", license="MIT OR Apache-2.0")
    world = World()
    with write_session(app) as s:
        for name, role in (("member", "user"), ("keeper", "user"), ("root", "admin"), ("fuzzer", "moderator")):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
        # Spare tokens first: a generated `DELETE /me/tokens/{small id}` then revokes one of these, not
        # a caller's own token (which would turn the rest of its cases into 401s).
        for n in range(30):
            create_token(s, user_name="fuzzer", scope="read", name=f"spare {n}")
        for callers in GROUPS.values():
            for caller in callers:
                if caller is None:
                    world.headers[None] = {}
                    continue
                name, _role, scope = caller
                world.headers[(name, scope)] = {
                    "Authorization": f"Bearer {create_token(s, user_name=name, scope=scope)[0]}"}
        keeper = s.exec(select(User).where(User.name == "keeper")).one()
        entry = s.exec(select(Entry).where(Entry.slug == MAINTAINED)).one()
        s.add(Maintainer(user_id=keeper.id, entry_id=entry.id, via="admin"))
    root, member = world.headers[("root", "write")], world.headers[("member", "write")]
    made = client.post("/api/v1/collections", json={"title": "Kit", "slug": "kit"}, headers=root)
    assert made.status_code == 201, made.get_data(as_text=True)
    item = client.post("/api/v1/collections/kit/items", json={"entry": MAINTAINED}, headers=root).get_json()
    assert client.post("/api/v1/communities", json={"name": "Nairobi NLP", "slug": "nairobi-nlp"},
                       headers=root).status_code == 201
    proposal = client.post(f"/api/v1/entries/{MAINTAINED}/proposals",
                           json={"changes": {"summary": "Swahili tweets."}, "base_revision": 1}, headers=member)
    assert proposal.status_code == 201, proposal.get_data(as_text=True)
    found = client.post("/api/v1/discoveries", json={"kind": "github", "target": "org:fuzz-lab"}, headers=root)
    assert found.status_code == 201, found.get_data(as_text=True)
    namespace, name = MAINTAINED.split("/")
    world.known = {"namespace": namespace, "name": name, "collection": "kit", "community": "nairobi-nlp",
                   "item_id": item["items"][0]["id"], "proposal_id": proposal.get_json()["id"], "source_id": 1,
                   "member_name": "member", "discovery_id": found.get_json()["id"]}
    return world


def _as(case, headers: dict) -> dict:
    """The case's headers sent as the caller: a generated Authorization header (in any case) gives way."""
    own = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    return {**own, **headers}


def _point_at_known(case, known: dict) -> None:
    """Point the case's path parameters at seeded things (what a caller with rights would act on)."""
    params = case.path_parameters or {}
    for key in params:
        if key == "slug":
            params[key] = known["community" if case.path.startswith("/communities") else "collection"]
        elif key == "name" and case.path.startswith("/communities"):
            params[key] = known["member_name"]
        elif key in known:
            params[key] = known[key]


class _Run:
    """Send generated cases of one operation as one caller; count them and keep what failed."""

    def __init__(self, known: dict):
        self.known = known
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []

    def operation(self, operation, headers: dict, mode: GenerationMode, examples: int) -> None:
        @given(case=operation.as_strategy(generation_mode=mode), known=st.booleans())
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case, known):
            if known:
                _point_at_known(case, self.known)
            response = case.call(headers=_as(case, headers))
            self.sent += 1
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseExceptionGroup as err:  # schemathesis raises a group of every failure it saw
                self.failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {err}"[:2000])
                raise

        try:
            run()
        except BaseExceptionGroup:
            pass  # recorded above; go on with the other operations to report everything at once
        except Unsatisfiable:
            pass  # no negative case exists for an operation that takes nothing (GET /me)


def _unlimited(app) -> None:
    app.config["API_WRITE_RATE_LIMIT"] = "1000000 per minute"
    app.config["PROPOSAL_RATE_LIMIT"] = app.config["SUBMIT_RATE_LIMIT"] = "1000000 per minute"


def _minimum(app) -> int:
    on_postgres = app.config["DATABASE_URL"].startswith("postgresql")
    return math.ceil(MINIMUM * POSTGRES_SHARE) if on_postgres else MINIMUM


@pytest.mark.slow
@pytest.mark.parametrize("group", list(GROUPS))
def test_generated_requests_find_no_server_error_and_no_schema_violation(app, group):
    _unlimited(app)
    world = _seed(app, app.test_client())
    callers = GROUPS[group]
    quota = math.ceil(_minimum(app) * len(callers) / CALLERS)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    plan = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in NETWORK and group != "anonymous":
            continue
        plan += [(operation, world.headers[caller if caller is None else caller[::2]]) for caller in callers]
    runs = _Run(known=world.known)
    for mode, share in ((GenerationMode.POSITIVE, 1 - NEGATIVE_SHARE), (GenerationMode.NEGATIVE, NEGATIVE_SHARE)):
        examples = math.ceil(quota * share * MARGIN / len(plan))
        for operation, headers in plan:
            runs.operation(operation, headers, mode, examples)
    print(f"{group}: {runs.sent} cases, statuses {dict(sorted(runs.statuses.items()))}")
    assert not runs.failures, "\n\n".join(runs.failures[:5])
    assert runs.sent >= quota, (runs.sent, quota)
    # The seeded things are found and acted on: not every answer is a refusal.
    assert sum(n for status, n in runs.statuses.items() if status < 300) >= quota // 20, runs.statuses


#: Scenarios (sequences of linked calls) per caller in the stateful test.
SCENARIOS = 60


def _restorer(app):
    """Keep the seeded SQLite database aside; return a function that puts it back (engine disposed)."""
    url = app.config["DATABASE_URL"]
    database = Path(url.removeprefix("sqlite:///"))
    get_engine(app).dispose()
    seeded = database.with_name(database.name + ".seeded")
    shutil.copyfile(database, seeded)

    def restore() -> None:
        get_engine(app).dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(seeded, database)

    return restore


@pytest.mark.slow
@pytest.mark.parametrize("caller", [("root", "write"), ("member", "write")], ids=["admin", "user"])
def test_following_the_documents_links_finds_no_server_error_and_no_schema_violation(app, caller):
    """Scenarios of linked calls (schemathesis' state machine over the document's links) as an admin and as a
    plain user: every step passes the same checks, and links are followed from what a step made.

    SQLite only: each scenario starts from the seeded database (the file is put back before it), so that its
    answers depend on its own requests alone — Hypothesis replays scenarios and requires that. The links and
    the routes they join are the same on PostgreSQL, where the generated-request test runs too."""
    if not app.config["DATABASE_URL"].startswith("sqlite:///"):
        pytest.skip("the scenarios restore the seeded SQLite file before each one")
    _unlimited(app)
    world = _seed(app, app.test_client())
    restore = _restorer(app)
    headers = world.headers[caller]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(operation_id=list(NETWORK))
    steps: list[tuple[str, int]] = []
    failures: list[str] = []

    class Workflow(schema.as_state_machine()):
        def setup(self):
            restore()

        def get_call_kwargs(self, case):
            return {"headers": _as(case, headers)}

        def after_call(self, response, case):
            steps.append((case.operation.definition.raw.get("operationId"), response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
            except BaseExceptionGroup as err:  # kept here: a replayed scenario need not fail again to be reported
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {err}"[:2000])
                raise

    try:
        Workflow.run(settings=settings(max_examples=SCENARIOS, deadline=None, database=None, derandomize=True,
                                       stateful_step_count=6, phases=[Phase.generate],
                                       suppress_health_check=list(HealthCheck)))
    except BaseException as err:
        if not failures or isinstance(err, KeyboardInterrupt):
            raise
    assert not failures, "\n\n".join(failures[:5])
    followed = {op for op, _status in steps}
    print(f"stateful as {caller[0]}: {len(steps)} calls over {len(followed)} operations", sorted(Counter(steps).items()))
    # The links were followed: things were made, and then read or acted on successfully through a link.
    done = {op for op, status in steps if status < 300}
    assert {"createCollection", "createCommunity", "createToken"} <= done, sorted(Counter(steps).items())
    assert len(done & {"getCollection", "editCollection", "addCollectionItem", "orderCollection",
                       "translateCollection", "listCollectionProposals", "getCommunity", "editCommunity",
                       "joinCommunity", "leaveCommunity", "revokeToken", "getDiscovery", "listDiscoveryRuns",
                       "listDiscoveryItems"}) >= 3, sorted(Counter(steps).items())
