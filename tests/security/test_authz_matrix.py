"""The authorization matrix: every route and method of the URL map × every actor × their own and a
foreign object, requested for real and compared with the declared policy (tests/security/policy.py).

A route that is not declared fails here with a message saying where to declare it; a rule whose
route is gone fails too. Refusals must change nothing: each write's probe looks in the database.
"""
from __future__ import annotations

import pytest

from .policy import ACTORS, ALLOWED, POLICY, cell_count, rules_for
from .policy_cases import BUILDERS, run
from .policy_routes import key_id, route_keys
from .policy_world import world  # noqa: F401  (the module's world fixture)

ROUTES = route_keys()
API_PREFIX = "/api/v1"


def _own_word(own: bool | None) -> str:
    return {True: "own", False: "foreign", None: "any"}[own]


@pytest.mark.parametrize("route", ROUTES, ids=key_id)
def test_route_follows_the_declared_policy(world, route):
    endpoint, method, url_variant, rule_text = route
    rules = rules_for(endpoint, method, url_variant)
    assert rules, (f"{method} {rule_text} ({endpoint}{' ' + url_variant if url_variant else ''}) is not in the "
                   f"authorization policy: declare who may do it in tests/security/policy.py and how to request "
                   f"it in tests/security/policy_cases.py")
    mismatches = []
    for declared in rules:
        build = BUILDERS.get(declared.key)
        assert build, f"{declared.key} is declared but has no request: add one to tests/security/policy_cases.py"
        for actor, own, expected in declared.cells():
            case = build(world, actor, own, declared.variant)
            got = run(world, actor, case)
            if got != expected:
                mismatches.append(f"{declared.variant or '-':>10} {actor:>16} {_own_word(own):>7}: "
                                  f"{case.method} {case.path} → {got!r}, policy says {expected!r}")
    assert not mismatches, "\n".join([f"{method} {endpoint}: outcome differs from the policy", *mismatches])


def test_every_declared_rule_is_a_route_with_a_request():
    routes = {(e, m): v for e, m, v, _r in ROUTES}
    stale = [r.key for r in POLICY if (r.endpoint, r.method) not in routes]
    assert not stale, f"rules for routes that no longer exist: {stale}"
    assert sorted(BUILDERS) == sorted(r.key for r in POLICY), "every rule needs exactly one request builder"
    assert len({r.key for r in POLICY}) == len(POLICY), "a rule is declared twice"


def test_the_matrix_covers_every_actor_and_both_kinds_of_object():
    cells = [(r.key, actor, own) for r in POLICY for actor, own, _expected in r.cells()]
    assert {actor for _key, actor, _own in cells} == set(ACTORS)
    assert {own for _key, _actor, own in cells} == {True, False, None}
    # The count the README quotes: keep it honest when rules are added.
    assert len(cells) == cell_count() >= 1000


def test_a_read_scoped_token_never_writes(world):
    """Every API write the admin may do is refused (403) with a read-only token of the admin's, and changes nothing."""
    from registry.db import write_session
    from registry.services.tokens import create_token

    with write_session(world.app) as s:
        read_only = create_token(s, user_name="admin", scope="read", name="read only")[0]
    checked = 0
    for declared in POLICY:
        if not declared.key[0].startswith("api.") or declared.method == "GET" or declared.endpoint in (
                "api.unknown", "api.push_hook"):
            continue
        for actor, own, expected in declared.cells():
            if actor != "admin" or expected not in ALLOWED:
                continue
            case = BUILDERS[declared.key](world, actor, own, declared.variant)
            assert run(world, actor, case, bearer=read_only) == "403", (declared.key, case.path)
            checked += 1
            break
    assert checked >= 25


@pytest.mark.parametrize("target, endpoints", [
    # Were hiding open to everyone signed in, or editing open to every maintainer of anything…
    ("registry.services.editing.can_hide", ("editing.hide", "api.hide_entry")),
    ("registry.services.permissions.is_maintainer", ("editing.edit", "api.patch_entry", "review.decide")),
])
def test_the_matrix_notices_a_hole(world, monkeypatch, target, endpoints):
    """…the matrix reports the actors who got in, and its probes see what they changed."""
    if target.endswith("can_hide"):
        monkeypatch.setattr(target, lambda actor: actor is not None)
    else:
        monkeypatch.setattr(target, lambda session, actor, entry: bool(actor) and actor.user_id is not None)
    for endpoint in endpoints:
        declared = next(r for r in POLICY if r.endpoint == endpoint and r.method != "GET")
        wrong = {(actor, own) for actor, own, expected in declared.cells()
                 if run(world, actor, BUILDERS[declared.key](world, actor, own, declared.variant)) != expected}
        assert {actor for actor, _own in wrong} == {"member", "other_maintainer", "maintainer", "curator"}, endpoint


def test_reads_show_hidden_entries_and_server_paths_to_nobody_else(world):
    """What the readers of every GET route (and the lists, feeds, search and dumps) get never names a hidden
    entry (its own address's 404 aside) nor a path on the server (admins only, or the person's own input)."""
    import re

    from .policy_cases import Case, send

    hidden = re.compile(re.escape(world.hidden_entry) + r"(?![\w-])")
    lists = ["/oai?verb=ListRecords&metadataPrefix=oai_dc", "/entries?q=cell", f"{API_PREFIX}/entries?per_page=100",
             f"{API_PREFIX}/entries?q=cell", f"{API_PREFIX}/sources?per_page=100", f"{API_PREFIX}/dump",
             "/feeds/entries.atom", "/sitemap.xml", "/coverage"]
    checked = 0
    for declared in POLICY:
        if declared.method != "GET" and declared.key != ("submit.submit", "POST", ""):
            continue
        for actor, own, _expected in declared.cells():
            if actor not in ("anonymous", "member"):
                continue
            case = BUILDERS[declared.key](world, actor, own, declared.variant)
            resp, _client = send(world, actor, case)
            body = resp.get_data(as_text=True)
            if resp.status_code != 404:
                assert not hidden.search(body), (declared.key, actor, case.path)
            if declared.endpoint != "submit.submit":  # the preview names the path the person typed
                assert str(world.root) not in body, (declared.key, actor, case.path)
            checked += 1
    for path in lists:
        for actor in ("anonymous", "member", "maintainer"):
            resp, _client = send(world, actor, Case("GET", path))
            assert resp.status_code == 200 and not hidden.search(resp.get_data(as_text=True)), path
            assert str(world.root) not in resp.get_data(as_text=True), path
    assert checked > 100
    # The admin does see where a harvested entry comes from.
    resp, _client = send(world, "admin", Case("GET", f"{API_PREFIX}/sources/{world.owner_source}"))
    assert resp.get_json()["url"] == world.owner_repo
