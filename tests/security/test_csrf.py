"""CSRF: every state-changing form route (read from the URL map) refuses a request without a valid
token with 400 and changes nothing; the API takes no CSRF token, so a browser's session cookie
alone must never be enough to write through it.

Each route is requested as an actor the policy lets do it (tests/security/policy.py), so the only
thing wrong with the refused request is its token; the same request with the right token works.
"""
from __future__ import annotations

import pytest

from .policy import ALLOWED, rules_for
from .policy_cases import BUILDERS, run, send
from .policy_routes import WRITE_METHODS, key_id, route_keys
from .policy_world import world  # noqa: F401  (the module's world fixture)

#: Form routes without CSRF protection, and why.
CSRF_EXEMPT = {"oai.oai": "OAI-PMH harvesters POST their queries without a session; the route only reads"}
#: API writes that are authorized by something else than a person's token.
NOT_BY_TOKEN = {"api.push_hook": "signed with the source's webhook secret", "api.unknown": "answers 404 to everything"}

FORM_ROUTES = [k for k in route_keys() if k[1] in WRITE_METHODS and not k[3].startswith("/api/")]
API_WRITES = [k for k in route_keys() if k[1] in WRITE_METHODS and k[3].startswith("/api/") and k[0] not in NOT_BY_TOKEN]


def _allowed_cells(endpoint: str, method: str, variant: str):
    """For each declared variant: a signed-in actor (the most powerful one) the policy lets do it, with its outcome."""
    found = 0
    for declared in rules_for(endpoint, method, variant):
        cells = [(actor, own, expected) for actor, own, expected in reversed(declared.cells()) if expected in ALLOWED]
        signed_in = [c for c in cells if c[0] != "anonymous"]
        if cells:  # variants nobody may do (an item of another collection…) have nothing to forge
            found += 1
            yield declared, (signed_in or cells)[0]
    assert found, f"{method} {endpoint}: nobody may do it, so there is nothing for a forged request to do"


@pytest.mark.parametrize("route", [k for k in FORM_ROUTES if k[0] not in CSRF_EXEMPT], ids=key_id)
def test_a_form_without_a_valid_token_is_refused_and_changes_nothing(world, route):
    endpoint, method, variant, _rule = route
    for declared, (actor, own, expected) in _allowed_cells(endpoint, method, variant):
        build = BUILDERS[declared.key]
        # Another person's token is as good as none: each token is bound to its own session.
        stranger = world.csrf["member" if actor == "anonymous" else "anonymous"]
        for label, token in (("no token", None), ("someone else's token", stranger), ("garbage", "x" * 40)):
            case = build(world, actor, own, declared.variant)
            resp, _client = send(world, actor, case, csrf=token)
            assert resp.status_code == 400, (declared.key, actor, label, resp.status_code)
            assert "reload the page" in resp.get_data(as_text=True), (declared.key, label)
            assert case.probe is None or case.probe() is None, f"{declared.key} changed something with {label}"
        # The same request with the session's own token does what the policy says: the token was the only fault.
        assert run(world, actor, build(world, actor, own, declared.variant)) == expected, declared.key


def test_only_the_declared_routes_are_exempt(world):
    exempt = [k for k in FORM_ROUTES if k[0] in CSRF_EXEMPT]
    assert {k[0] for k in exempt} == set(CSRF_EXEMPT)
    resp = world.app.test_client().post("/oai", data={"verb": "Identify"})
    assert resp.status_code == 200 and b"<Identify>" in resp.data


@pytest.mark.parametrize("route", API_WRITES, ids=key_id)
def test_a_session_cookie_alone_cannot_write_through_the_api(world, route):
    endpoint, method, variant, _rule = route
    for declared, (actor, own, _expected) in _allowed_cells(endpoint, method, variant):
        case = BUILDERS[declared.key](world, actor, own, declared.variant)
        resp, _client = send(world, actor, case, bearer=None, cookie=True)
        assert resp.status_code == 401, (declared.key, resp.status_code)
        assert resp.get_json()["error"]["code"] == "unauthorized"
        assert case.probe is None or case.probe() is None, f"{declared.key} wrote with a cookie only"


def test_every_write_route_is_covered():
    assert len(FORM_ROUTES) >= 30 and len(API_WRITES) >= 25
