"""Gitee (API v5): an organisation's or a user's public repositories, or a topic search; numbered pages."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .base import Answer, ListerSettings, Parsed, Request, load_json_page, register_lister, split_target
from .github import forge_items


def next_numbered(
    answer: Answer, request: Request, *, count: int, size: int, page_param: str = "page"
) -> Request | None:
    """Return the request of the next numbered page, or None when this one was the last.

    A ``Link`` header wins; else ``total_page`` (Gitee) or ``X-Total-Count`` says how many there are;
    else a short page is the last.
    """
    following = answer.link("next")
    if following:
        return Request(following)
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query))
    try:
        page = int(query.get(page_param, "1"))
    except ValueError:
        page = 1
    total_pages = answer.headers.get("total_page", "").strip()
    total = answer.headers.get("x-total-count", answer.headers.get("total_count", "")).strip()
    if total_pages.isdigit():
        if page >= int(total_pages):
            return None
    elif total.isdigit():
        if page * size >= int(total):
            return None
    elif count < size:
        return None
    if count == 0:
        return None
    query[page_param] = str(page + 1)
    return Request(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))


@register_lister("gitee")
class GiteeLister:
    """``org:NAME``, ``user:NAME`` or ``topic:NAME`` on Gitee's v5 API."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        prefix, name = split_target(target, ("org", "user", "topic"), "gitee")
        api = settings.gitee_api.rstrip("/")
        size = min(settings.page_size, 100)
        if prefix == "topic":
            return Request(f"{api}/search/repositories?" + urlencode({"q": name, "page": 1, "per_page": size}))
        path = "orgs" if prefix == "org" else "users"
        return Request(
            f"{api}/{path}/{quote(name, safe='')}/repos?" + urlencode({"type": "public", "page": 1, "per_page": size})
        )

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        items, skipped = forge_items(load_json_page(answer), answer)
        size = min(settings.page_size, 100)
        return Parsed(
            items=items, next=next_numbered(answer, request, count=len(items) + skipped, size=size), skipped=skipped
        )
