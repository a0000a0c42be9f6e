"""Who may do what: the declared authorization policy of every route, checked by test_authz_matrix.py.

Each rule names a Flask endpoint, a method and (optionally) a variant, and says for each actor
what happens on their OWN object and on a FOREIGN one. A new route fails the matrix until it is
declared here (and given a request in policy_cases.py).

Actors (tests/security/policy_world.py makes them):

- ``anonymous``: nobody signed in, no token;
- ``member``: an account; a plain member of the communities ``comm`` and ``elsewhere``;
- ``other_maintainer``: maintains an entry, never the one acted on when FOREIGN;
- ``maintainer``: maintains the entry acted on when OWN;
- ``curator``: curator of the community ``comm``, no role in ``elsewhere``;
- ``moderator``, ``admin``: the site's staff.

Pages are requested with the actor's session cookie (and a valid CSRF token on forms); the API
with the actor's write-scoped bearer token and no cookie.

What OWN means depends on the object (``own=`` of a rule); an actor who cannot hold that relation
only has the FOREIGN cell. FOREIGN objects belong to a third account, ``owner``, who maintains
the entry, authored the proposal, holds the token, curates the collection or runs the community.

========== ==================================================== ====================================
relation   OWN object                                           who can hold it
========== ==================================================== ====================================
maintains  an entry the actor maintains (its source, proposals  other_maintainer, maintainer
           on it waiting for review)
authored   a proposal the actor wrote                           everyone signed in
token      an API token of the actor                            everyone signed in
curates    a collection the actor curates: the community        everyone signed in
           ``comm``'s for its curator, else a personal one.
           FOREIGN: a collection of ``elsewhere``
community  a community the actor has a role in (member,         member, curator
           curator). FOREIGN: a community run by ``owner``
curator_of the community the actor curates (``comm``); FOREIGN:  curator
           ``elsewhere``
queued     a submission job the actor queued (Redis)            everyone signed in
========== ==================================================== ====================================

The outcomes below name what a request did, as the matrix reads it from the answer and the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field

OK = "ok"  # allowed: the request did what it asks (for a write, the change is in the database)
PROPOSED = "proposed"  # allowed as a proposal waiting for review, nothing changed directly
REDIRECT = "redirect"  # page: sent elsewhere and nothing done (e.g. /register when signed in)
LOGIN = "login"  # page: redirected to /login?next=…, nothing done
FLASH = "flash"  # page: redirected back with an error message, nothing done
E401, E403, E404, E409, E422 = "401", "403", "404", "409", "422"  # the error page / JSON error envelope

OUTCOMES = (OK, PROPOSED, REDIRECT, LOGIN, FLASH, E401, E403, E404, E409, E422)
ALLOWED = (OK, PROPOSED)

ACTORS = ("anonymous", "member", "other_maintainer", "maintainer", "curator", "moderator", "admin")
SIGNED_IN = ACTORS[1:]
STAFF = ("moderator", "admin")

RELATIONS = {
    "maintains": ("other_maintainer", "maintainer"),
    "authored": SIGNED_IN,
    "token": SIGNED_IN,
    "curates": SIGNED_IN,
    "community": ("member", "curator"),
    "curator_of": ("curator",),
    "queued": SIGNED_IN,
}


@dataclass(frozen=True)
class Rule:
    """The declared outcome of one endpoint/method/variant for every actor: ``{actor: (own, foreign)}``."""

    endpoint: str
    method: str
    variant: str
    own: str | None
    expect: dict[str, tuple[str | None, str]] = field(hash=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.endpoint, self.method, self.variant

    def cells(self) -> list[tuple[str, bool | None, str]]:
        """Return (actor, own?, expected outcome); own is None when the object belongs to nobody."""
        out = []
        for actor in ACTORS:
            own, foreign = self.expect[actor]
            if own is not None:
                out.append((actor, True, own))
            out.append((actor, False if self.own else None, foreign))
        return out


POLICY: list[Rule] = []


def rule(endpoint: str, method: str, variant: str = "", *, own: str | None = None, default: str | None = None,
         **actors: str) -> None:
    """Declare a rule; an actor's value is one outcome, or ``"own/foreign"`` when they differ."""
    holders = RELATIONS[own] if own else ()
    unknown = set(actors) - set(ACTORS)
    assert not unknown, f"{endpoint}: unknown actors {unknown}"
    expect = {}
    for actor in ACTORS:
        value = actors.get(actor, default)
        assert value is not None, f"{endpoint} {method} {variant}: no outcome declared for {actor}"
        parts = value.split("/")
        assert all(p in OUTCOMES for p in parts) and len(parts) <= 2, f"{endpoint}: bad outcome {value!r}"
        if actor in holders:
            expect[actor] = (parts[0], parts[-1])
        else:
            assert len(parts) == 1, f"{endpoint}: {actor} cannot hold {own!r}, so it has no own object"
            expect[actor] = (None, parts[0])
    POLICY.append(Rule(endpoint, method, variant, own, expect))


def public(endpoint: str, method: str = "GET", variant: str = "") -> None:
    """Anyone, signed in or not, may do it."""
    rule(endpoint, method, variant, default=OK)


def signed_in_page(endpoint: str, method: str = "GET", variant: str = "", default: str = OK) -> None:
    """Pages for people with an account: anonymous readers are sent to sign in."""
    rule(endpoint, method, variant, anonymous=LOGIN, default=default)


def signed_in_api(endpoint: str, method: str, variant: str = "", default: str = OK) -> None:
    """API routes for any token: no token is a 401."""
    rule(endpoint, method, variant, anonymous=E401, default=default)


# --- public pages, feeds and machine-readable documents --------------------------------

for _endpoint in ("pages.home", "pages.entries", "pages.entry", "pages.healthz", "api_docs.show",
                  "feeds.entries_feed", "feeds.language_feed", "feeds.sitemap", "feeds.sitemap_page",
                  "coverage.coverage", "static", "collections.index", "collections.show", "collections.feed",
                  "communities.index", "communities.show", "sources.source", "editing.history"):
    public(_endpoint)
public("collections.show", variant="unlisted")  # unlisted: reachable by its link, never listed
public("oai.oai", "GET")
public("oai.oai", "POST")  # OAI-PMH harvesters POST their queries; it only reads
# A hidden entry is gone for readers; only moderators and admins still see its history (to unhide it).
rule("pages.entry", "GET", "hidden", default=E404)
rule("editing.history", "GET", "hidden", default=E404, moderator=OK, admin=OK)
rule("sources.source", "GET", "hidden", default=E404)

# --- signing up, in and out ------------------------------------------------------------

rule("auth.login", "GET", anonymous=OK, default=REDIRECT)
public("auth.login", "POST")  # signs in whoever's name and password are sent
public("auth.logout", "GET")
public("auth.logout", "POST")
rule("auth.register", "GET", anonymous=OK, default=REDIRECT)
rule("auth.register", "POST", anonymous=OK, default=REDIRECT)
public("auth.reset_request", "GET")
public("auth.reset_request", "POST")  # the same answer whether or not the address has an account
public("auth.reset_password", "GET")
public("auth.reset_password", "POST")  # the one-time token is the authority
signed_in_page("language.switch", "POST")

# --- the signed-in person's own account ------------------------------------------------

signed_in_page("account.account")
signed_in_page("account.profile", "POST")
signed_in_page("account.new_token", "POST")
signed_in_page("account.delete", "POST")
rule("account.revoke", "POST", own="token", anonymous=LOGIN, default=f"{OK}/{E404}")
# A proposal the caller may not see (neither its author nor its reviewer) is not found, like a missing one.
_SEEN_BY_STAFF = dict(moderator=f"{OK}/{E403}", admin=f"{OK}/{E403}")
rule("account.withdraw", "POST", own="authored", anonymous=LOGIN, default=f"{OK}/{E404}", **_SEEN_BY_STAFF)

# --- contributing to entries -----------------------------------------------------------

_EDITORS = dict(other_maintainer=f"{OK}/{PROPOSED}", maintainer=f"{OK}/{PROPOSED}", moderator=OK, admin=OK)
signed_in_page("editing.edit")
rule("editing.edit", "POST", own="maintains", anonymous=LOGIN, default=PROPOSED, **_EDITORS)
signed_in_page("editing.translate")
rule("editing.translate", "POST", own="maintains", anonymous=LOGIN, default=PROPOSED, **_EDITORS)
_MAINTAINERS_AND_STAFF = dict(other_maintainer=f"{OK}/{E403}", maintainer=f"{OK}/{E403}", moderator=OK, admin=OK)
rule("editing.unlock", "POST", own="maintains", anonymous=LOGIN, default=E403, **_MAINTAINERS_AND_STAFF)
rule("editing.revert", "POST", own="maintains", anonymous=LOGIN, default=E403, **_MAINTAINERS_AND_STAFF)
rule("editing.hide", "POST", "hide", own="maintains", anonymous=LOGIN, default=E403, moderator=OK, admin=OK)
rule("editing.hide", "POST", "show", own="maintains", anonymous=LOGIN, default=E403, moderator=OK, admin=OK)
signed_in_page("editing.claim")
# Anyone may claim an entry (the token must then appear in its repository); its maintainers already have it.
rule("editing.claim", "POST", own="maintains", anonymous=LOGIN, default=OK,
     other_maintainer=f"{E409}/{OK}", maintainer=f"{E409}/{OK}")
signed_in_page("review.queue")
# Deciding a proposal the caller may not see (neither its author nor its reviewer): 404, as for a missing one.
_REVIEWERS_ONLY = dict(default=E404, other_maintainer=f"{OK}/{E404}", maintainer=f"{OK}/{E404}",
                       moderator=OK, admin=OK)
for _variant in ("accept", "reject"):
    rule("review.decide", "POST", _variant, own="maintains", anonymous=LOGIN, **_REVIEWERS_ONLY)

# --- registering projects and re-harvesting sources ------------------------------------

signed_in_page("submit.submit")
signed_in_page("submit.submit", "POST")  # a preview: nothing is written
signed_in_page("submit.confirm", "POST")
# With a queue, a submission is a job only the person who sent it may follow (staff included).
rule("submit.job", "GET", own="queued", anonymous=LOGIN, default=f"{OK}/{E404}")
rule("api.job", "GET", own="queued", anonymous=E404, default=f"{OK}/{E404}")
public("api.job", "GET", "harvest")  # a harvest job says nothing private
# This form reports every refusal, anonymous included, as a message on the source page.
rule("sources.reharvest", "POST", own="maintains", anonymous=LOGIN, default=FLASH,
     other_maintainer=f"{OK}/{FLASH}", maintainer=f"{OK}/{FLASH}", moderator=OK, admin=OK)

# --- communities -----------------------------------------------------------------------

signed_in_page("communities.new")
signed_in_page("communities.new", "POST")
rule("communities.join", "POST", own="community", anonymous=LOGIN, default=OK,
     member=f"{FLASH}/{OK}", curator=f"{FLASH}/{OK}")  # own: already a member
rule("communities.leave", "POST", own="community", anonymous=LOGIN, default=FLASH,
     member=f"{OK}/{FLASH}", curator=f"{OK}/{FLASH}")  # foreign: not a member
for _variant in ("approve", "decline"):  # a join request: the community's curators (and staff) decide
    rule("communities.member", "POST", _variant, own="community", anonymous=LOGIN, default=E403,
         curator=f"{OK}/{E403}", moderator=OK, admin=OK)
# Roles are changed by the community's admins (and staff) only, not by its curators.
rule("communities.member", "POST", "role", own="community", anonymous=LOGIN, default=E403, moderator=OK, admin=OK)

# --- collections -----------------------------------------------------------------------

_CURATORS = dict(anonymous=LOGIN, default=f"{OK}/{E403}", moderator=OK, admin=OK)
signed_in_page("collections.new")
signed_in_page("collections.new", "POST", "personal")
rule("collections.new", "POST", "community", own="curator_of", anonymous=LOGIN, default=E422,
     curator=f"{OK}/{E422}", moderator=OK, admin=OK)
rule("collections.curate", "GET", own="curates", **_CURATORS)
rule("collections.curate", "POST", own="curates", anonymous=LOGIN, default=f"{OK}/{FLASH}", moderator=OK, admin=OK)
rule("collections.add", "POST", own="curates", **_CURATORS)
rule("collections.add_entry", "POST", own="curates", **_CURATORS)
for _variant in ("note", "down", "remove"):
    rule("collections.item", "POST", _variant, own="curates", anonymous=LOGIN, default=f"{OK}/{FLASH}",
         moderator=OK, admin=OK)
# An item of another collection, addressed through this collection's URL, is not found (nor changed).
rule("collections.item", "POST", "foreign-item", own="curates", anonymous=LOGIN, default=FLASH)
rule("collections.sync", "POST", own="curates", anonymous=LOGIN, default=f"{OK}/{FLASH}", moderator=OK, admin=OK)
# A proposal of another collection through this one's URL is not found there (nor decided), whoever asks.
rule("collections.decide", "POST", "foreign-proposal", own="curates", anonymous=LOGIN, default=FLASH)
rule("collections.translate", "GET", own="curates", anonymous=LOGIN, default=OK)
rule("collections.translate", "POST", own="curates", anonymous=LOGIN, default=f"{OK}/{PROPOSED}",
     moderator=OK, admin=OK)
for _variant in ("accept", "reject"):
    rule("collections.decide", "POST", _variant, own="curates", anonymous=LOGIN, default=f"{OK}/{FLASH}",
         moderator=OK, admin=OK)

# --- the JSON API: reads ---------------------------------------------------------------

for _endpoint in ("api.entries", "api.entry", "api.citation", "api.jsonld", "api.croissant_ld", "api.translations",
                  "api.revisions", "api.dump", "api.openapi_json", "api.collections", "api.collection",
                  "api.communities", "api.community", "api.sources", "api.source", "api.runs",
                  "api.list_collection_proposals", "api.discoveries", "api.discovery", "api.discovery_runs",
                  "api.discovery_items"):
    public(_endpoint)
rule("api.entry", "GET", "hidden", default=E404)
rule("api.revisions", "GET", "hidden", default=E404)
for _method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    rule("api.unknown", _method, default=E404)
signed_in_api("api.me", "GET")
signed_in_api("api.my_tokens", "GET")
signed_in_api("api.proposals", "GET")
rule("api.proposal", "GET", own="authored", anonymous=E401, default=f"{OK}/{E404}", moderator=OK, admin=OK)

# --- the JSON API: writes (bearer token only) ------------------------------------------

_API_MAINTAINERS_AND_STAFF = dict(anonymous=E401, default=E403, other_maintainer=f"{OK}/{E403}",
                                  maintainer=f"{OK}/{E403}", moderator=OK, admin=OK)
signed_in_api("api.new_token", "POST")
rule("api.delete_token", "DELETE", own="token", anonymous=E401, default=f"{OK}/{E404}")
signed_in_api("api.register_entry", "POST")
rule("api.patch_entry", "PATCH", own="maintains", **_API_MAINTAINERS_AND_STAFF)
rule("api.revert", "POST", own="maintains", **_API_MAINTAINERS_AND_STAFF)
signed_in_api("api.propose", "POST", "edit", default=PROPOSED)
rule("api.propose", "POST", "translation", own="maintains", anonymous=E401, default=PROPOSED,
     other_maintainer=f"{OK}/{PROPOSED}", maintainer=f"{OK}/{PROPOSED}", moderator=OK, admin=OK)
rule("api.hide_entry", "POST", own="maintains", anonymous=E401, default=E403, moderator=OK, admin=OK)
rule("api.restore_entry", "POST", own="maintains", anonymous=E401, default=E403, moderator=OK, admin=OK)
for _variant in ("accept", "reject"):
    rule("api.decide", "POST", _variant, own="maintains", anonymous=E401, **_REVIEWERS_ONLY)
# Only the author withdraws a proposal, staff included (who see it: 403; others: 404).
rule("api.decide", "POST", "withdraw", own="authored", anonymous=E401, default=f"{OK}/{E404}", **_SEEN_BY_STAFF)
rule("api.reharvest", "POST", own="maintains", **_API_MAINTAINERS_AND_STAFF)
rule("api.hook_secret", "POST", own="maintains", **_API_MAINTAINERS_AND_STAFF)
# Push webhooks are authorized by the source's secret, whoever sends them.
rule("api.push_hook", "POST", "signed", default=OK)
rule("api.push_hook", "POST", "unsigned", default=E401)
rule("api.push_hook", "POST", "wrong-signature", default=E403)

_API_CURATORS = dict(anonymous=E401, default=f"{OK}/{E403}", moderator=OK, admin=OK)
signed_in_api("api.new_collection", "POST", "personal")
rule("api.new_collection", "POST", "community", own="curator_of", anonymous=E401, default=E403,
     curator=f"{OK}/{E403}", moderator=OK, admin=OK)
rule("api.patch_collection", "PATCH", own="curates", **_API_CURATORS)
rule("api.new_item", "POST", own="curates", **_API_CURATORS)
rule("api.patch_item", "PATCH", own="curates", **_API_CURATORS)
rule("api.delete_item", "DELETE", own="curates", **_API_CURATORS)
rule("api.order_items", "PUT", own="curates", **_API_CURATORS)
rule("api.sync_collection", "POST", own="curates", **_API_CURATORS)
# Discoveries: staff for the whole registry; a collection's curators for its inbox.
rule("api.new_discovery", "POST", "site", anonymous=E401, default=E403, moderator=OK, admin=OK)
rule("api.new_discovery", "POST", "collection", own="curates", **_API_CURATORS)
rule("api.review_discovery_item", "POST", own="curates", **_API_CURATORS)
# The pages are for staff and communities' curators; adding one pointed at a collection, for its curators.
for _endpoint in ("discoveries.discoveries", "discoveries.discovery"):
    rule(_endpoint, "GET", anonymous=LOGIN, default=E403, curator=OK, moderator=OK, admin=OK)
rule("discoveries.add", "POST", "site", anonymous=LOGIN, default=E403, moderator=OK, admin=OK)
rule("discoveries.add", "POST", "collection", own="curates", anonymous=LOGIN, default=f"{OK}/{E403}",
     moderator=OK, admin=OK)
rule("discoveries.review", "POST", own="curates", anonymous=LOGIN, default=f"{OK}/{FLASH}", moderator=OK, admin=OK)
for _endpoint, _method in (("api.patch_item", "PATCH"), ("api.delete_item", "DELETE")):
    rule(_endpoint, _method, "foreign-item", own="curates", anonymous=E401, default=f"{E404}/{E403}",
         moderator=E404, admin=E404)
rule("api.decide_collection", "POST", "accept:foreign-proposal", own="curates", anonymous=E401, default=E404)
for _variant in ("accept", "reject"):
    rule("api.decide_collection", "POST", _variant, own="curates", **_API_CURATORS)
rule("api.translate_collection", "POST", own="curates", anonymous=E401, default=f"{OK}/{PROPOSED}",
     moderator=OK, admin=OK)

signed_in_api("api.new_community", "POST")
# Changing a community is for its admins (and site staff), not its curators.
rule("api.patch_community", "PATCH", own="community", anonymous=E401, default=E403, moderator=OK, admin=OK)
rule("api.join_community", "POST", own="community", anonymous=E401, default=OK,
     member=f"{E409}/{OK}", curator=f"{E409}/{OK}")
rule("api.leave", "DELETE", own="community", anonymous=E401, default=E404,
     member=f"{OK}/{E404}", curator=f"{OK}/{E404}")
for _variant in ("approve", "decline"):
    rule("api.decide_member", "POST", _variant, own="community", anonymous=E401, default=E403,
         curator=f"{OK}/{E403}", moderator=OK, admin=OK)
rule("api.decide_member", "POST", "role", own="community", anonymous=E401, default=E403, moderator=OK, admin=OK)


def rules_for(endpoint: str, method: str, url_variant: str = "") -> list[Rule]:
    """Return the rules declared for a route: all its variants, or those of the one its URL names (`accept:…`)."""
    return [r for r in POLICY if r.endpoint == endpoint and r.method == method
            and (r.variant.split(":")[0] == url_variant if url_variant else True)]


def cell_count() -> int:
    """How many actor × object cells the policy declares."""
    return sum(len(r.cells()) for r in POLICY)
