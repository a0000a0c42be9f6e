"""Requests of the matrix: discoveries (reads, adding one, an inbox item's review)."""
from __future__ import annotations

from sqlmodel import select

from registry.config import lister_settings
from registry.db import write_session
from registry.models import DiscoveredItem, Discovery, Source
from registry.services import OPERATOR
from registry.services.discoveries import add_discovery

from .policy_cases import API, Case, became, case, get, grew
from .policy_world import World


def _discovery(w: World, collection: str | None = None) -> tuple[int, int]:
    """A discovery (of a collection's inbox when named) with one item waiting there; return their ids."""
    with write_session(w.app) as s:
        made = add_discovery(s, kind="github", target=f"org:{w.unique('lab-')}", actor=OPERATOR,
                             settings=lister_settings(w.app.config), collection=collection)
        src = Source(kind="git", url=f"https://github.com/lab/{w.unique('repo-')}")
        s.add(src)
        s.flush()
        item = DiscoveredItem(discovery_id=made.id, key=w.unique("k"), url=src.url, source_id=src.id,
                              evidence={"name": "lab/repo"}, review="inbox" if collection else None)
        s.add(item)
        s.flush()
        return made.id, item.id


for _endpoint, _path in (("api.discovery", "{id}"), ("api.discovery_runs", "{id}/runs"),
                         ("api.discovery_items", "{id}/items")):
    case(_endpoint, "GET")(lambda w, actor, own, variant, _path=_path: Case(
        "GET", f"{API}/discoveries/" + _path.format(id=_discovery(w)[0])))
case("api.discoveries", "GET")(get(f"{API}/discoveries"))


def _comm_has_a_collection(w: World) -> None:
    # The pages are for curators of a community with a collection to fill: make sure ``comm`` has one.
    w.collection("curator", True)


@case("discoveries.discoveries", "GET")
def _list_page(w, actor, own, variant):
    _comm_has_a_collection(w)
    return Case("GET", "/discoveries")


@case("discoveries.discovery", "GET")
def _page(w, actor, own, variant):
    _comm_has_a_collection(w)
    return Case("GET", f"/discoveries/{_discovery(w)[0]}")


def _added(w: World, target: str):
    return grew(w, Discovery, Discovery.target == target)


@case("api.new_discovery", "POST", "site", "collection")
def _api_new(w, actor, own, variant):
    target = f"org:{w.unique('new-')}"
    body = {"kind": "github", "target": target}
    if variant == "collection":
        body["collection"] = w.collection(actor, own)[0]
    return Case("POST", f"{API}/discoveries", json=body, probe=_added(w, target))


@case("discoveries.add", "POST", "site", "collection")
def _new(w, actor, own, variant):
    target = f"org:{w.unique('new-')}"
    form = {"kind": "github", "target": target, "set_spec": "", "collection": ""}
    if variant == "collection":
        form["collection"] = w.collection(actor, own)[0]
    return Case("POST", "/discoveries", form=form, probe=_added(w, target))


def _reviewed(w: World, item_id: int):
    return became(w, lambda: w.one(select(DiscoveredItem.review).where(DiscoveredItem.id == item_id)), "accepted")


@case("api.review_discovery_item", "POST")
def _api_review(w, actor, own, variant):
    discovery_id, item_id = _discovery(w, w.collection(actor, own)[0])
    return Case("POST", f"{API}/discoveries/{discovery_id}/items/{item_id}/review", json={"decision": "accept"},
                probe=_reviewed(w, item_id))


@case("discoveries.review", "POST")
def _review(w, actor, own, variant):
    discovery_id, item_id = _discovery(w, w.collection(actor, own)[0])
    return Case("POST", f"/discoveries/{discovery_id}/items/{item_id}/review", form={"decision": "accept"},
                probe=_reviewed(w, item_id))
