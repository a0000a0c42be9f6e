"""Every response carries the security headers, and cookies carry their flags.

The routes come from the URL map: each route and method is requested (with the request the
authorization matrix makes, as an anonymous reader and as an admin), plus error pages of every
kind, static files, feeds and the API. Each answer must have a Content-Security-Policy that
allows no inline or foreign script and no framing, `X-Content-Type-Options: nosniff` and a
`Referrer-Policy`. Pages carry no inline script (the policy would block it).
"""
from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from registry.db import get_engine
from tests.helpers import add_entry

from .policy import rules_for
from .policy_cases import BUILDERS, send
from .policy_routes import key_id, route_keys
from .policy_world import PASSWORD, make_app, page_token, world  # noqa: F401  (world: the module's fixture)

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", re.I)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def csp_directives(resp) -> dict[str, list[str]]:
    policy = resp.headers.get("Content-Security-Policy", "")
    return {parts[0].lower(): parts[1:] for parts in (d.split() for d in policy.split(";")) if parts}


def assert_secure_headers(resp, where: str) -> None:
    """The headers every answer must carry."""
    directives = csp_directives(resp)
    assert directives, f"{where}: no Content-Security-Policy"
    for name in ("script-src", "script-src-elem", "script-src-attr"):
        sources = directives.get(name, directives.get("default-src") if name == "script-src" else [])
        if name == "script-src":
            assert sources, f"{where}: no script-src (nor default-src)"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources or []), \
            f"{where}: {name} {sources}"
    assert directives.get("frame-ancestors") in (["'none'"], ["'self'"]), f"{where}: framing allowed"
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") in (["'none'"], ["'self'"]), where
    assert resp.headers.get("X-Content-Type-Options") == "nosniff", where
    assert resp.headers.get("Referrer-Policy") in REFERRER_POLICIES, where
    assert resp.headers.get("X-Frame-Options") == "DENY", where


def assert_no_inline_script(resp, where: str) -> None:
    if resp.mimetype != "text/html":
        return
    html = resp.get_data(as_text=True)
    assert not _INLINE_SCRIPT.search(html), f"{where}: an inline <script>"
    assert not _EVENT_HANDLER.search(html), f"{where}: an inline event handler"


@pytest.mark.parametrize("route", route_keys(), ids=key_id)
def test_every_route_answers_with_the_security_headers(world, route):
    endpoint, method, variant, _rule = route
    declared = rules_for(endpoint, method, variant)
    assert declared, f"{key_id(route)}: declare it in tests/security/policy.py first"
    for rule in declared:
        for actor in ("anonymous", "admin"):
            own = True if rule.expect[actor][0] is not None else (False if rule.own else None)
            case = BUILDERS[rule.key](world, actor, own, rule.variant)
            resp, _client = send(world, actor, case)
            where = f"{case.method} {case.path} as {actor} → {resp.status_code}"
            assert_secure_headers(resp, where)
            assert_no_inline_script(resp, where)


@pytest.mark.parametrize("method, path", [
    ("GET", "/no/such/page"), ("GET", "/entries/no/such"), ("DELETE", "/"), ("POST", "/entries"),
    ("GET", "/api/v1/entries/no/such"), ("DELETE", "/api/v1/entries"), ("GET", "/api/v1/entries?page=x"),
    ("POST", "/api/v1/entries"), ("GET", "/static/no-such-file.css"), ("GET", "/sources/99999999999"),
    ("POST", "/account/profile"),  # no CSRF token: the 400 page
])
def test_error_answers_carry_the_headers_too(world, method, path):
    resp = world.client("member").open(path, method=method)
    assert resp.status_code >= 400, (method, path, resp.status_code)
    assert_secure_headers(resp, f"{method} {path} → {resp.status_code}")


def test_a_server_error_and_a_rate_limit_answer_carry_the_headers(world, tmp_path):
    app = make_app(world.app.config["DATABASE_URL"], tmp_path, RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT="1 per minute")

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    try:
        client = app.test_client()
        resp = client.get("/boom")
        assert resp.status_code == 500
        assert_secure_headers(resp, "500 page")
        token = page_token(client, "/login")
        statuses = [client.post("/login", data={"csrf_token": token, "name": "member", "password": "wrong pw!"}
                                ).status_code for _ in range(2)]
        assert statuses == [401, 429]
        resp = client.post("/login", data={"csrf_token": token, "name": "member", "password": "wrong pw!"})
        assert resp.status_code == 429
        assert_secure_headers(resp, "429 page")
    finally:
        get_engine(app).dispose()


def test_pages_with_hostile_text_have_no_inline_script(app, client):
    add_entry(app, "lab/tagger", name="Tagger", description="# Tagger\n\n<script>alert(1)</script>"
                                                            "<img src=x onerror=alert(1)>")
    for path in ("/", "/entries", "/entries/lab/tagger", "/entries/lab/tagger/history", "/login", "/register"):
        resp = client.get(path)
        assert_secure_headers(resp, path)
        assert_no_inline_script(resp, path)


# --- cookies ---------------------------------------------------------------------------

def set_cookies(resp) -> dict[str, str]:
    """The raw Set-Cookie header of each cookie the response sets, by name."""
    out = {}
    for header in resp.headers.getlist("Set-Cookie"):
        out[next(iter(SimpleCookie(header.split(";", 1)[0] + ";")))] = header
    return out


def flags(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def test_the_session_cookie_is_httponly_and_samesite_and_no_remember_cookie(world):
    client = world.app.test_client()
    token = page_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "name": "member", "password": PASSWORD})
    assert resp.status_code == 302
    cookies = set_cookies(resp)
    assert set(cookies) == {"session"}, "signing in sets the session cookie only (no remember-me cookie)"
    session = flags(cookies["session"])
    assert "httponly" in session and session["samesite"].lower() == "lax"
    assert "secure" not in session  # plain http in development: a Secure cookie would never come back
    assert "expires" not in session  # it ends with the browser session
    resp = client.post("/logout", data={"csrf_token": page_token(client, "/logout")})
    assert "httponly" in flags(set_cookies(resp)["session"])


@pytest.mark.parametrize("config, base_url", [({}, "https://localhost"),
                                              ({"SESSION_COOKIE_SECURE": True}, "http://localhost"),
                                              ({"PREFERRED_URL_SCHEME": "https"}, "http://localhost")])
def test_cookies_are_secure_over_https_or_when_configured(world, tmp_path, config, base_url):
    app = make_app(world.app.config["DATABASE_URL"], tmp_path, **config)
    try:
        resp = app.test_client().get("/login", base_url=base_url)  # the form's CSRF token starts a session
        session = flags(set_cookies(resp)["session"])
        assert "secure" in session and "httponly" in session and session["samesite"].lower() == "lax"
        # The language cookie follows the session cookie: Secure over https and when configured so.
        ui = flags(set_cookies(app.test_client().get("/?ui=sw", base_url=base_url))["ui_lang"])
        assert "secure" in ui and "httponly" in ui and ui["samesite"].lower() == "lax"
    finally:
        get_engine(app).dispose()


def test_the_language_cookie_is_httponly_and_samesite(world):
    ui = flags(set_cookies(world.app.test_client().get("/?ui=ar"))["ui_lang"])
    assert "httponly" in ui and ui["samesite"].lower() == "lax"
