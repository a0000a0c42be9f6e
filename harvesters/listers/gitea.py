"""Gitea and Forgejo (Codeberg and any other instance): an organisation's or a user's repositories, or a topic."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from ..pagefetch import check_page_url
from ..record import UnsafeSource
from .base import Answer, BadTarget, ListerSettings, Parsed, Request, load_json_page, register_lister, split_target
from .gitee import next_numbered
from .github import forge_items

#: The instance of a target written without one (``org:NAME``).
DEFAULT_INSTANCE = "https://codeberg.org"


def instance_target(target: str) -> tuple[str, str, str]:
    """Return (instance, prefix, name): ``org:NAME`` (Codeberg), ``org:NAME@https://host`` or ``https://host/NAME``."""
    target = target.strip()
    if target.startswith(("https://", "http://")):
        try:
            url = check_page_url(target)
        except UnsafeSource as refused:
            raise BadTarget(f"a gitea target is an organisation URL or org:NAME: {refused}") from None
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) != 1:
            raise BadTarget("a gitea organisation URL has one path segment (https://codeberg.org/NAME)")
        return f"{parts.scheme}://{parts.netloc}", "org", segments[0]
    spec, _, instance = target.partition("@")
    prefix, name = split_target(spec, ("org", "user", "topic"), "gitea")
    if instance:
        try:
            parts = urlsplit(check_page_url(instance))
        except UnsafeSource as refused:
            raise BadTarget(f"the gitea instance is not a valid address: {refused}") from None
        return f"{parts.scheme}://{parts.netloc}", prefix, name
    return DEFAULT_INSTANCE, prefix, name


@register_lister("gitea")
class GiteaLister:
    """An organisation or user on a Gitea/Forgejo instance (API v1), numbered pages."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        base, prefix, name = instance_target(target)
        size = min(settings.page_size, 50)
        if prefix == "topic":
            return Request(
                f"{base}/api/v1/repos/search?" + urlencode({"q": name, "topic": "true", "page": 1, "limit": size})
            )
        path = "orgs" if prefix == "org" else "users"
        return Request(f"{base}/api/v1/{path}/{quote(name, safe='')}/repos?" + urlencode({"page": 1, "limit": size}))

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        items, skipped = forge_items(load_json_page(answer), answer)
        size = min(settings.page_size, 50)
        following = next_numbered(answer, request, count=len(items) + skipped, size=size)
        return Parsed(items=items, next=following, skipped=skipped)
