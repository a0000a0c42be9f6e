"""Requests of the matrix: communities, collections, and the API's reads, proposals and tokens."""
from __future__ import annotations

from typing import Callable

from sqlmodel import select

from registry.models import ApiToken, Collection, CollectionItem, CollectionProposal, CollectionTranslation, Community

from .policy import OK, PROPOSED
from .policy_cases import API, Case, became, case, collection_row, entry_id, first_of, get, grew, member_row, user_id
from .policy_requests_content import edited_or_proposed
from .policy_world import World

# --- communities -----------------------------------------------------------------------

@case("communities.new", "POST")
def _new_community(w, actor, own, variant):
    slug = w.unique("started-")
    return Case("POST", "/communities/new", form={"name": slug, "slug": slug, "description": "", "region": "",
                                                  "languages": "sw"},
                probe=grew(w, Community, Community.slug == slug))


@case("api.new_community", "POST")
def _api_new_community(w, actor, own, variant):
    slug = w.unique("started-")
    return Case("POST", f"{API}/communities", json={"name": slug, "slug": slug, "languages": ["sw"]},
                probe=grew(w, Community, Community.slug == slug))


def _status(w: World, community: str, name: str) -> str | None:
    row = member_row(w, community, name)
    return None if row is None else f"{row.status}:{row.role}"


def _join(w, actor, own, api: bool) -> Case:
    slug = w.community(actor, own)
    probe = None if actor == "anonymous" else became(w, lambda: _status(w, slug, actor), "pending:member")
    if api:
        return Case("POST", f"{API}/communities/{slug}/join", json={"message": "Hello"}, probe=probe)
    return Case("POST", f"/communities/{slug}/join", form={"message": "Hello"}, probe=probe)


case("communities.join", "POST")(lambda w, actor, own, variant: _join(w, actor, own, api=False))
case("api.join_community", "POST")(lambda w, actor, own, variant: _join(w, actor, own, api=True))


def _leave(w, actor, own, api: bool) -> Case:
    slug = w.community(actor, own)
    was = None if actor == "anonymous" else _status(w, slug, actor)
    probe = lambda: OK if was is not None and _status(w, slug, actor) is None else None  # noqa: E731
    if api:
        return Case("DELETE", f"{API}/communities/{slug}/members/me", probe=probe)
    return Case("POST", f"/communities/{slug}/leave", form={}, probe=probe)


case("communities.leave", "POST")(lambda w, actor, own, variant: _leave(w, actor, own, api=False))
case("api.leave", "DELETE")(lambda w, actor, own, variant: _leave(w, actor, own, api=True))


def _member(w, actor, own, variant, api: bool) -> Case:
    slug = w.community(actor, own)
    if variant == "role":
        name, wanted, form, body = "visitor", "active:curator", {"role": "curator"}, {"role": "curator"}
    else:
        name = "applicant"
        wanted = "active:member" if variant == "approve" else None
        form, body = {"action": variant}, {"accept": variant == "approve"}
    probe = became(w, lambda: _status(w, slug, name), wanted)
    if api:
        return Case("POST", f"{API}/communities/{slug}/members/{name}", json=body, probe=probe)
    return Case("POST", f"/communities/{slug}/members/{name}", form=form, probe=probe)


case("communities.member", "POST", "approve", "decline", "role")(
    lambda w, actor, own, variant: _member(w, actor, own, variant, api=False))
case("api.decide_member", "POST", "approve", "decline", "role")(
    lambda w, actor, own, variant: _member(w, actor, own, variant, api=True))


@case("api.patch_community", "PATCH")
def _patch_community(w, actor, own, variant):
    slug = w.community(actor, own)
    text = w.unique("About ")
    return Case("PATCH", f"{API}/communities/{slug}", json={"description": text},
                probe=grew(w, Community, Community.slug == slug, Community.description == text))


# --- collections -----------------------------------------------------------------------

def _new_collection(w, actor, own, variant, api: bool) -> Case:
    slug = w.unique("made-")
    community = None if variant == "personal" else ("comm" if own else "elsewhere")
    probe = grew(w, Collection, Collection.slug == slug)
    if api:
        body = {"title": slug, "slug": slug, "language": "en", **({"community": community} if community else {})}
        return Case("POST", f"{API}/collections", json=body, probe=probe)
    return Case("POST", "/collections/new", probe=probe,
                form={"title": slug, "slug": slug, "description": "", "language": "en", "owner": community or "",
                      "visibility": "public", "list_url": ""})


case("collections.new", "POST", "personal", "community")(
    lambda w, actor, own, variant: _new_collection(w, actor, own, variant, api=False))
case("api.new_collection", "POST", "personal", "community")(
    lambda w, actor, own, variant: _new_collection(w, actor, own, variant, api=True))


@case("collections.curate", "GET")
def _curate_page(w, actor, own, variant):
    return Case("GET", f"/collections/{w.collection(actor, own)[0]}/curate")


@case("collections.translate", "GET")
def _translate_page(w, actor, own, variant):
    return Case("GET", f"/collections/{w.collection(actor, own)[0]}/translate")


def _retitled(w: World, slug: str) -> tuple[str, Callable[[], str | None]]:
    title = w.unique("Title ")
    return title, grew(w, Collection, Collection.slug == slug, Collection.title == title)


@case("collections.curate", "POST")
def _curate(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    title, probe = _retitled(w, slug)
    return Case("POST", f"/collections/{slug}/curate", probe=probe,
                form={"title": title, "description": "", "language": "en", "visibility": "public"})


@case("api.patch_collection", "PATCH")
def _patch_collection(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    title, probe = _retitled(w, slug)
    return Case("PATCH", f"{API}/collections/{slug}", json={"title": title}, probe=probe)


def _has_dataset(w: World, slug: str) -> Callable[[], str | None]:
    collection_id = collection_row(w, slug).id
    return grew(w, CollectionItem, CollectionItem.collection_id == collection_id,
                CollectionItem.entry_id == entry_id(w, w.dataset))


@case("collections.add", "POST")
def _add(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"/collections/{slug}/items", form={"entry": w.dataset, "note": "Good.", "group": ""},
                probe=_has_dataset(w, slug))


@case("collections.add_entry", "POST")
def _add_from_entry_page(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", "/collections/add", form={"collection": slug, "entry": w.dataset, "note": "Good."},
                probe=_has_dataset(w, slug))


@case("api.new_item", "POST")
def _api_add(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"{API}/collections/{slug}/items", json={"entry": w.dataset, "note": "Good."},
                probe=_has_dataset(w, slug))


def _item(w: World, item_id: int) -> CollectionItem | None:
    return w.one(select(CollectionItem).where(CollectionItem.id == item_id))


def _item_probe(w: World, variant: str, ids: list[int], note: str) -> Callable[[], str | None]:
    if variant == "note":
        return became(w, lambda: _item(w, ids[0]).note, note)
    if variant == "remove":
        return became(w, lambda: _item(w, ids[0]) is None, True)
    return became(w, lambda: _item(w, ids[0]).position > _item(w, ids[1]).position, True)


@case("collections.item", "POST", "note", "down", "remove")
def _web_item(w, actor, own, variant):
    slug, ids = w.collection(actor, own, items=2)
    note = w.unique("Note ")
    form = {"note": note} if variant == "note" else {"action": variant}
    return Case("POST", f"/collections/{slug}/items/{ids[0]}", form=form, probe=_item_probe(w, variant, ids, note))


@case("collections.item", "POST", "foreign-item")
def _web_foreign_item(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    other = w.collection(actor, False)[1][0]
    note = w.unique("Note ")
    return Case("POST", f"/collections/{slug}/items/{other}", form={"note": note},
                probe=became(w, lambda: _item(w, other).note, note))


@case("api.patch_item", "PATCH", "foreign-item")
def _api_foreign_item(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    other = w.collection(actor, False)[1][0]
    note = w.unique("Note ")
    return Case("PATCH", f"{API}/collections/{slug}/items/{other}", json={"note": note},
                probe=became(w, lambda: _item(w, other).note, note))


@case("api.delete_item", "DELETE", "foreign-item")
def _api_remove_foreign_item(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    other = w.collection(actor, False)[1][0]
    return Case("DELETE", f"{API}/collections/{slug}/items/{other}",
                probe=became(w, lambda: _item(w, other) is None, True))


@case("api.patch_item", "PATCH")
def _api_item(w, actor, own, variant):
    slug, ids = w.collection(actor, own, items=2)
    note = w.unique("Note ")
    return Case("PATCH", f"{API}/collections/{slug}/items/{ids[0]}", json={"note": note},
                probe=_item_probe(w, "note", ids, note))


@case("api.delete_item", "DELETE")
def _api_remove(w, actor, own, variant):
    slug, ids = w.collection(actor, own, items=2)
    return Case("DELETE", f"{API}/collections/{slug}/items/{ids[0]}", probe=_item_probe(w, "remove", ids, ""))


@case("api.order_items", "PUT")
def _api_order(w, actor, own, variant):
    slug, ids = w.collection(actor, own, items=2)
    return Case("PUT", f"{API}/collections/{slug}/order", json={"items": [ids[1], ids[0]]},
                probe=_item_probe(w, "down", ids, ""))


def _synced(w: World, slug: str) -> Callable[[], str | None]:
    return became(w, lambda: collection_row(w, slug).list_source_id is not None, True)


@case("collections.sync", "POST")
def _sync(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"/collections/{slug}/sync", form={"url": w.awesome_list()}, probe=_synced(w, slug))


@case("api.sync_collection", "POST")
def _api_sync(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"{API}/collections/{slug}/sync", json={"source": w.awesome_list()}, probe=_synced(w, slug))


def _translated_or_proposed(w: World, actor: str, slug: str) -> Callable[[], str | None]:
    collection_id = collection_row(w, slug).id
    return first_of(grew(w, CollectionTranslation, CollectionTranslation.collection_id == collection_id,
                         CollectionTranslation.lang == "sw"),
                    grew(w, CollectionProposal, CollectionProposal.collection_id == collection_id,
                         CollectionProposal.author_id == user_id(w, actor), label=PROPOSED))


@case("collections.translate", "POST")
def _collection_translate(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"/collections/{slug}/translate", form={"lang": "sw", "title": "Orodha", "description": ""},
                probe=_translated_or_proposed(w, actor, slug))


@case("api.translate_collection", "POST")
def _api_collection_translate(w, actor, own, variant):
    slug = w.collection(actor, own)[0]
    return Case("POST", f"{API}/collections/{slug}/translations", json={"lang": "sw", "title": "Orodha"},
                probe=_translated_or_proposed(w, actor, slug))


def _collection_decide(w, actor, own, variant, api: bool) -> Case:
    slug = w.collection(actor, own)[0]
    # `…foreign-proposal`: the proposal belongs to another collection (one of `elsewhere`).
    pid = w.collection_proposal(w.collection(actor, False)[0] if variant.endswith("foreign-proposal") else slug)
    action = "reject" if variant == "reject" else "accept"
    status = lambda: w.one(select(CollectionProposal.status).where(CollectionProposal.id == pid))  # noqa: E731
    probe = became(w, status, f"{action}ed")
    if api:
        return Case("POST", f"{API}/collections/{slug}/proposals/{pid}/{action}", json={}, probe=probe)
    return Case("POST", f"/collections/{slug}/proposals/{pid}", form={"action": action, "note": ""}, probe=probe)


case("collections.decide", "POST", "accept", "reject", "foreign-proposal")(
    lambda w, actor, own, variant: _collection_decide(w, actor, own, variant, api=False))
case("api.decide_collection", "POST", "accept", "reject", "accept:foreign-proposal")(
    lambda w, actor, own, variant: _collection_decide(w, actor, own, variant, api=True))


# --- the API: reads, proposals, tokens -------------------------------------------------

for _key, _path in {
    "api.entries": "/entries", "api.entry": "/entries/lab/owner", "api.citation": "/entries/lab/owner/citation",
    "api.jsonld": "/entries/lab/owner/jsonld", "api.translations": "/entries/lab/owner/translations",
    "api.revisions": "/entries/lab/owner/revisions", "api.dump": "/dump", "api.openapi_json": "/openapi.json",
    "api.collections": "/collections", "api.communities": "/communities", "api.community": "/communities/comm",
    "api.sources": "/sources", "api.me": "/me", "api.my_tokens": "/me/tokens", "api.proposals": "/proposals",
}.items():
    case(_key, "GET")(get(API + _path))
case("api.entry", "GET", "hidden")(get(lambda w: f"{API}/entries/{w.hidden_entry}"))
case("api.revisions", "GET", "hidden")(get(lambda w: f"{API}/entries/{w.hidden_entry}/revisions"))
case("api.croissant_ld", "GET")(get(lambda w: f"{API}/entries/{w.dataset}/croissant"))
case("api.collection", "GET")(get(lambda w: f"{API}/collections/{w.public_collection}"))
case("api.list_collection_proposals", "GET")(get(lambda w: f"{API}/collections/{w.public_collection}/proposals"))
case("api.source", "GET")(get(lambda w: f"{API}/sources/{w.owner_source}"))
case("api.runs", "GET")(get(lambda w: f"{API}/sources/{w.owner_source}/runs"))

for _method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    case("api.unknown", _method)(lambda w, actor, own, variant, m=_method: Case(m, f"{API}/no/such/route"))


@case("api.proposal", "GET")
def _api_proposal(w, actor, own, variant):
    return Case("GET", f"{API}/proposals/{w.proposal(author=actor if own else 'visitor', slug='lab/owner')}")


@case("api.new_token", "POST")
def _api_token(w, actor, own, variant):
    label = w.unique("label")
    return Case("POST", f"{API}/me/tokens", json={"scope": "read", "name": label},
                probe=grew(w, ApiToken, ApiToken.name == label))


@case("api.patch_entry", "PATCH")
def _patch_entry(w, actor, own, variant):
    slug = w.entry_of(actor, own)
    return Case("PATCH", f"{API}/entries/{slug}", json={"summary": f"Changed {w.unique()}.",
                                                        "base_revision": w.revision(slug)},
                probe=edited_or_proposed(w, actor, slug))


@case("api.propose", "POST", "edit", "translation")
def _api_propose(w, actor, own, variant):
    slug = w.entry_of(actor, own)
    if variant == "edit":
        body = {"changes": {"summary": f"Proposed {w.unique()}."}, "base_revision": w.revision(slug)}
        return Case("POST", f"{API}/entries/{slug}/proposals", json=body, probe=edited_or_proposed(w, actor, slug))
    body = {"lang": "sw", "name": "Jina", "base_revision": w.revision(slug)}
    return Case("POST", f"{API}/entries/{slug}/proposals", json=body,
                probe=edited_or_proposed(w, actor, slug, "translation"))
