"""Signing up, in and out: CSRF, safe redirects, rate limits, cookies and the password reset e-mail."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from registry import create_app
from registry.db import get_engine, write_session
from registry.security import safe_next
from registry.services.users import create_user
from tests.views.conftest import PASSWORD, csrf_token, login, post_form, text


@pytest.fixture
def member(app):
    with write_session(app) as s:
        create_user(s, name="amina", email="amina@example.org", password=PASSWORD)
    return "amina"


def test_register_signs_in_and_shows_the_account(client):
    page = client.get("/register")
    html = text(page)
    assert page.status_code == 200 and 'name="csrf_token"' in html
    assert '<label for="name">' in html and '<label for="password">' in html
    resp = post_form(client, "/register", {"name": "kofi", "email": "kofi@example.org", "password": PASSWORD,
                                           "confirm": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    account = client.get("/account")
    assert account.status_code == 200 and "Signed in as kofi" in text(account)
    assert "Sign out" in text(account) and "Create account" not in text(account)


def test_register_explains_each_refusal(client, member):
    resp = post_form(client, "/register", {"name": "X", "email": "nope", "password": "short", "confirm": "short"})
    html = text(resp)
    assert resp.status_code == 422
    assert 'aria-invalid="true"' in html and "at least 10 characters" in html and "not an e-mail address" in html
    taken = post_form(client, "/register", {"name": "amina", "email": "other@example.org", "password": PASSWORD,
                                            "confirm": PASSWORD})
    assert taken.status_code == 422 and "is taken" in text(taken)
    differ = post_form(client, "/register", {"name": "kofi", "email": "kofi@example.org", "password": PASSWORD,
                                             "confirm": PASSWORD + "x"})
    assert differ.status_code == 422 and "The passwords differ." in text(differ)


@pytest.mark.parametrize("path, data", [
    ("/register", {"name": "kofi", "email": "kofi@example.org", "password": PASSWORD, "confirm": PASSWORD}),
    ("/login", {"name": "amina", "password": PASSWORD}),
    ("/logout", {}),
    ("/reset", {"email": "amina@example.org"}),
])
def test_forms_without_a_csrf_token_are_refused(client, member, path, data):
    resp = client.post(path, data=data)
    assert resp.status_code == 400
    assert "This form has expired or was not sent from this site" in text(resp)
    assert client.get("/account").status_code == 302  # nobody got signed in


def test_a_stale_csrf_token_is_refused(client, member, app):
    old = csrf_token(client, "/login")
    assert login(client, "amina").status_code == 302  # signing in starts a fresh session
    resp = client.post("/account/profile", data={"csrf_token": old, "display_name": "Changed"})
    assert resp.status_code == 400 and "This form has expired" in text(resp)
    assert client.get("/account").status_code == 200  # the new session has its own token now
    resp = client.post("/account/profile", data={"csrf_token": old, "display_name": "Changed"})
    assert resp.status_code == 400 and "The CSRF tokens do not match" in text(resp)
    assert "Changed" not in text(client.get("/account"))
    # A token from somebody else's session is no better.
    stranger = app.test_client()
    resp = client.post("/account/profile", data={"csrf_token": csrf_token(stranger, "/login"), "display_name": "X"})
    assert resp.status_code == 400


def test_login_and_logout(client, member):
    wrong = login(client, "amina", "not the password")
    assert wrong.status_code == 401 and "do not match" in text(wrong)
    assert login(client, "amina@example.org").status_code == 302  # the e-mail address works too
    assert client.get("/account").status_code == 200
    assert client.get("/logout").status_code == 200  # GET only shows the button
    assert client.get("/account").status_code == 200
    resp = post_form(client, "/account", {}, action="/logout")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/account").status_code == 302


def test_pages_that_need_an_account_send_you_to_sign_in_and_back(client, member):
    resp = client.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=%2Faccount"
    page = client.get("/login?next=%2Fentries%3Fkind%3Dmodel")
    assert 'name="next" type="hidden" value="/entries?kind=model"' in text(page)
    resp = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "name": "amina",
                                       "password": PASSWORD, "next": "/entries?kind=model"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/entries?kind=model"


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "https://evil.example/x",
    "javascript:alert(1)", "/\t/evil.example", " //evil.example", "evil.example", "",
])
def test_next_never_leaves_this_host(client, member, target):
    resp = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "name": "amina",
                                       "password": PASSWORD, "next": target})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account"
    assert safe_next(target) is None


def test_next_from_the_query_string_is_checked_on_the_form_too(client, member):
    html = text(client.get("/login?next=//evil.example"))
    assert "evil.example" not in html


def test_too_many_failed_logins_get_a_429_per_address(app, client, member):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert login(client, "amina", "wrong password").status_code == 401
    resp = login(client, "amina", PASSWORD)
    assert resp.status_code == 429
    assert "Too many sign-in attempts" in text(resp) and "Too many attempts" in text(resp)
    assert "Retry-After" in resp.headers


def test_too_many_failed_logins_get_a_429_per_account(app, member):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        assert login(other, "amina", "wrong password").status_code == 401
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert login(fresh, "amina").status_code == 429
    # Another account from that address is not held back.
    with write_session(app) as s:
        create_user(s, name="kofi", email="kofi@example.org", password=PASSWORD)
    assert login(fresh, "kofi").status_code == 302


def test_successful_logins_do_not_use_up_the_limit(app, client, member):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    for _ in range(4):
        assert login(client, "amina").status_code == 302
        post_form(client, "/account", {}, action="/logout")


def test_rate_limit_counters_do_not_outlive_the_app(app, member, tmp_path):
    app.config["LOGIN_RATE_LIMIT"] = "1 per hour"
    client = app.test_client()
    login(client, "amina", "wrong password")
    assert login(client, "amina").status_code == 429
    second = create_app({**app.config, "TESTING": True})
    try:
        assert login(second.test_client(), "amina").status_code == 302
    finally:
        get_engine(second).dispose()


def test_session_cookie_is_httponly_lax_and_secure_over_https(client, member):
    resp = login(client, "amina")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure_client = client.application.test_client()
    # Over https Flask-WTF also checks that the Referer is this site.
    token = csrf_token(secure_client, "https://localhost/login")
    resp = secure_client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                              data={"csrf_token": token, "name": "amina", "password": PASSWORD})
    assert resp.status_code == 302 and "Secure" in resp.headers["Set-Cookie"]


def test_preferred_https_makes_the_cookie_secure_everywhere(app):
    other = create_app({**app.config, "PREFERRED_URL_SCHEME": "https", "SESSION_COOKIE_SECURE": False})
    try:
        assert other.config["SESSION_COOKIE_SECURE"] is True
    finally:
        get_engine(other).dispose()


def _outbox(app) -> list[dict]:
    path = Path(app.instance_path) / "outbox.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_password_reset_by_email(app, client, member):
    page = post_form(client, "/reset", {"email": "amina@example.org"})
    assert page.status_code == 200 and "Check your e-mail" in text(page)
    [mail] = _outbox(app)
    assert mail["to"] == "amina@example.org" and "Reset" in mail["subject"]
    link = re.search(r"http://localhost(/reset/\S+)", mail["body"]).group(1)
    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in text(form)
    short = post_form(client, link, {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "too short" in text(short)
    done = post_form(client, link, {"password": "a brand new password", "confirm": "a brand new password"})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert login(client, "amina").status_code == 401
    assert login(client, "amina", "a brand new password").status_code == 302
    again = post_form(client, link, {"password": "yet another password", "confirm": "yet another password"})
    assert again.status_code == 422 and "not valid any more" in text(again)


def test_a_new_password_ends_every_session_signed_in_with_the_old_one(app, client, member):
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    with write_session(app) as s:
        create_user(s, name="bahati", email="bahati@example.org", password=PASSWORD)
    for device, name in ((laptop, "amina"), (phone, "amina"), (other, "bahati")):
        assert login(device, name).status_code == 302 and device.get("/account").status_code == 200
    post_form(client, "/reset", {"email": "amina@example.org"})
    link = re.search(r"http://localhost(/reset/\S+)", _outbox(app)[-1]["body"]).group(1)
    post_form(client, link, {"password": "a brand new password", "confirm": "a brand new password"})
    # Whoever held the old password (or a stolen cookie) is signed out everywhere.
    assert laptop.get("/account").status_code == 302 and phone.get("/account").status_code == 302
    assert other.get("/account").status_code == 200  # other people's sessions are untouched
    assert login(laptop, "amina", "a brand new password").status_code == 302
    assert laptop.get("/account").status_code == 200


def test_a_session_id_without_the_right_key_is_nobody(app, client, member):
    assert login(client, "amina").status_code == 302
    with client.session_transaction() as sess:
        number = sess["_user_id"].split(":")[0]
    for forged in (number, f"{number}:", f"{number}:{'0' * 32}", "x:y", ""):
        with client.session_transaction() as sess:
            sess["_user_id"] = forged
        assert client.get("/account").status_code == 302, forged


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(app, client, member):
    page = post_form(client, "/reset", {"email": "nobody@example.org"})
    assert page.status_code == 200 and "Check your e-mail" in text(page)
    assert _outbox(app) == []
