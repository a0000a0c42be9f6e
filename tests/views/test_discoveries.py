"""The /discoveries pages: for admins, moderators and curators; add one, see its runs, review an inbox."""
from __future__ import annotations

from harvesters.listers import reset_politeness
from registry.config import lister_settings
from registry.db import sessions, write_session
from registry.services.discovery import run_discovery
from registry.services.users import create_user
from tests.harvesters import fake_apis as fa


def _login(client, name):
    return client.post("/login", data={"name": name, "password": "long enough pw"})


def test_the_discoveries_page_adds_one_and_shows_what_it_found(app, client):
    with write_session(app) as s:
        create_user(s, name="root", email="root@example.org", password="long enough pw", role="admin")
        create_user(s, name="plain", email="plain@example.org", password="long enough pw")
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.get("/discoveries").status_code == 302  # to the sign-in page
    _login(client, "plain")
    assert client.get("/discoveries").status_code == 403
    client.post("/logout")
    _login(client, "root")
    assert client.get("/discoveries").status_code == 200
    bad = client.post("/discoveries", data={"kind": "github", "target": "acme"})
    assert bad.status_code == 422 and "github target" in bad.get_data(as_text=True)
    reset_politeness()
    fake = fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 4)]}).start()
    app.config.update(GITHUB_API_URL=fake.base, HARVEST_ALLOW_PRIVATE=True, DISCOVERY_HOST_INTERVAL=0)
    try:
        made = client.post("/discoveries", data={"kind": "github", "target": "org:acme"})
        assert made.status_code == 302
        discovery_id = int(made.headers["Location"].rstrip("/").split("/")[-1])
        run_discovery(sessions(app), discovery_id=discovery_id, settings=lister_settings(app.config))
    finally:
        fake.stop()
    page = client.get(f"/discoveries/{discovery_id}").get_data(as_text=True)
    assert "acme/repo1" in page and "found 3 (new 3, known 0, gone 0)" in page and "Repository number 2" in page
    assert "org:acme" in client.get("/discoveries").get_data(as_text=True)


def test_an_entry_whose_source_is_gone_says_so_and_is_kept(app, client):
    from sqlmodel import select

    from registry.models import Source, utcnow
    from tests.helpers import add_entry

    add_entry(app, "lab/old-model", source_url="https://github.com/lab/old-model")
    with write_session(app) as s:
        src = s.exec(select(Source).where(Source.url == "https://github.com/lab/old-model")).one()
        src.gone_at = utcnow()
        s.add(src)
    page = client.get("/entries/lab/old-model")
    assert page.status_code == 200 and "no longer lists it" in page.get_data(as_text=True)
