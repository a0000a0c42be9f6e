"""The collections and communities API: list envelopes, a collection with items, curators' writes."""
from __future__ import annotations

import pytest

from registry.db import write_session
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry


@pytest.fixture
def tokens(app):
    """Write tokens for a curator-to-be (cura) and an outsider, and a read token for cura."""
    add_entry(app, "lab/tagger", name="Tagger", summary="Tags words.", language="en", languages=["sw"])
    add_entry(app, "lab/corpus", name="Corpus", summary="Maneno.", language="sw",
              translations={"en": {"name": "Word corpus", "summary": "Words.", "description": ""}})
    out = {}
    with write_session(app) as s:
        for name in ("cura", "outsider"):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw")
            out[name] = {"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"}
        out["cura-read"] = {"Authorization": f"Bearer {create_token(s, user_name='cura', scope='read')[0]}"}
    return out


def test_curators_write_and_everyone_reads(client, tokens):
    body = {"name": "Swahili NLP", "languages": ["sw", "en"], "region": "Kenya"}
    assert client.post("/api/v1/communities", json=body).status_code == 401
    assert client.post("/api/v1/communities", json=body, headers=tokens["cura-read"]).status_code == 403
    made = client.post("/api/v1/communities", json=body, headers=tokens["cura"])
    assert made.status_code == 201 and made.get_json()["members"] == [
        {"name": "cura", "display_name": "cura", "role": "admin"}]

    new = {"title": "Kiswahili kit", "community": "swahili-nlp", "language": "sw"}
    assert client.post("/api/v1/collections", json=new, headers=tokens["outsider"]).status_code == 403
    resp = client.post("/api/v1/collections", json=new, headers=tokens["cura"])
    assert resp.status_code == 201 and resp.get_json()["slug"] == "kiswahili-kit"
    path = "/api/v1/collections/kiswahili-kit"
    for slug, note in (("lab/tagger", "Nzuri"), ("lab/corpus", "")):
        resp = client.post(f"{path}/items", json={"entry": slug, "note": note, "group": "Msingi"},
                           headers=tokens["cura"])
        assert resp.status_code == 201
    items = resp.get_json()["items"]
    assert [i["slug"] for i in items] == ["lab/tagger", "lab/corpus"] and items[0]["group"] == "Msingi"
    assert client.post(f"{path}/items", json={"entry": "lab/tagger"}, headers=tokens["cura"]).status_code == 409
    order = client.put(f"{path}/order", json={"items": [items[1]["id"], items[0]["id"]]}, headers=tokens["cura"])
    assert [i["slug"] for i in order.get_json()["items"]] == ["lab/corpus", "lab/tagger"]
    assert client.put(f"{path}/order", json={"items": [1]}, headers=tokens["cura"]).status_code == 422
    patched = client.patch(f"{path}/items/{items[0]['id']}", json={"note": "Bora"}, headers=tokens["cura"])
    assert patched.get_json()["items"][1]["note"] == "Bora"
    assert client.patch(path, json={"owner": "me"}, headers=tokens["cura"]).status_code == 422
    assert client.delete(f"{path}/items/{items[0]['id']}", headers=tokens["outsider"]).status_code == 403
    assert client.delete(f"{path}/items/{items[0]['id']}", headers=tokens["cura"]).status_code == 204

    listed = client.get("/api/v1/collections").get_json()
    assert set(listed) == {"items", "total", "page", "per_page", "facets"} and listed["total"] == 1
    assert listed["facets"] == {"language": {"sw": 1}} and listed["items"][0]["item_count"] == 1
    assert listed["items"][0]["owner"] == {"type": "community", "slug": "swahili-nlp", "name": "Swahili NLP"}
    communities = client.get("/api/v1/communities?language=sw").get_json()
    assert communities["total"] == 1 and communities["items"][0]["member_count"] == 1
    assert client.get("/api/v1/collections?per_page=500").status_code == 400
    assert client.get("/api/v1/collections/nope").get_json()["error"]["code"] == "not_found"


def test_translations_and_join_requests_through_the_api(client, tokens):
    client.post("/api/v1/communities", json={"name": "Swahili NLP"}, headers=tokens["cura"])
    client.post("/api/v1/collections", json={"title": "Kiswahili kit", "slug": "kit", "language": "sw",
                                             "community": "swahili-nlp"}, headers=tokens["cura"])
    client.post("/api/v1/collections/kit/items", json={"entry": "lab/corpus"}, headers=tokens["cura"])
    proposed = client.post("/api/v1/collections/kit/translations", json={"lang": "en", "title": "Swahili kit"},
                           headers=tokens["outsider"])
    assert proposed.status_code == 201 and proposed.get_json()["status"] == "open" and proposed.get_json()["id"]
    queue = client.get("/api/v1/collections/kit/proposals", headers=tokens["cura"]).get_json()["items"]
    assert [(p["lang"], p["title"], p["author"]) for p in queue] == [("en", "Swahili kit", "outsider")]
    assert client.post(f"/api/v1/collections/kit/proposals/{queue[0]['id']}/accept",
                       headers=tokens["outsider"]).status_code == 403
    accepted = client.post(f"/api/v1/collections/kit/proposals/{queue[0]['id']}/accept", headers=tokens["cura"])
    assert accepted.get_json()["translations"]["en"]["origin"] == "community"
    english = client.get("/api/v1/collections/kit?lang=en").get_json()
    assert (english["title"], english["shown_language"]) == ("Swahili kit", "en")
    assert english["items"][0]["entry"]["name"] == "Word corpus"  # entries in the reader's language too
    assert client.get("/api/v1/collections/kit").get_json()["title"] == "Kiswahili kit"

    assert client.post("/api/v1/communities/swahili-nlp/join", headers=tokens["outsider"]).status_code == 202
    assert client.post("/api/v1/communities/swahili-nlp/members/outsider", json={"accept": True},
                       headers=tokens["outsider"]).status_code == 403
    decided = client.post("/api/v1/communities/swahili-nlp/members/outsider", json={"accept": True},
                          headers=tokens["cura"])
    assert [m["name"] for m in decided.get_json()["members"]] == ["cura", "outsider"]
    assert client.delete("/api/v1/communities/swahili-nlp/members/me", headers=tokens["outsider"]).status_code == 204
