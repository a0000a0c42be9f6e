"""GitLab: every public project of a group on any instance, subgroups included (API v4)."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from ..pagefetch import check_page_url
from ..record import UnsafeSource
from .base import (
    Answer,
    BadTarget,
    ListedItem,
    ListerError,
    ListerSettings,
    Parsed,
    Request,
    load_json_page,
    register_lister,
)
from .gitee import next_numbered
from .github import forge_item


def group_api(target: str) -> tuple[str, str]:
    """Return (instance base URL, group path) of a group URL such as ``https://gitlab.com/groups/a/b``."""
    try:
        url = check_page_url(target.strip())
    except UnsafeSource as refused:
        raise BadTarget(f"a gitlab target is a group URL (https://gitlab.com/GROUP): {refused}") from None
    parts = urlsplit(url)
    path = parts.path.strip("/").removeprefix("groups/").removesuffix("/-")
    if not path or "/-/" in path:
        raise BadTarget("a gitlab target is a group URL, such as https://gitlab.com/GROUP or …/GROUP/SUBGROUP")
    return f"{parts.scheme}://{parts.netloc}", path


@register_lister("gitlab")
class GitLabLister:
    """A group URL; its projects and those of its subgroups, by id, with ``Link`` pagination."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        base, path = group_api(target)
        query = {
            "include_subgroups": "true",
            "visibility": "public",
            "order_by": "id",
            "sort": "asc",
            "per_page": min(settings.page_size, 100),
            "page": 1,
        }
        return Request(f"{base}/api/v4/groups/{quote(path, safe='')}/projects?" + urlencode(query))

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        data = load_json_page(answer)
        if not isinstance(data, list):
            raise ListerError(f"the GitLab page is not a list of projects ({answer.url})")
        items: list[ListedItem] = []
        skipped = 0
        for project in data:
            item = forge_item(project, web_key="web_url")
            if item is None:
                skipped += 1
            else:
                items.append(item)
        size = min(settings.page_size, 100)
        following = next_numbered(answer, request, count=len(data), size=size)
        if following is None and answer.headers.get("x-next-page", "").strip().isdigit():
            following = Request(_with_page(request.url, answer.headers["x-next-page"].strip()))
        return Parsed(items=items, next=following, skipped=skipped)


def _with_page(url: str, page: str) -> str:
    from urllib.parse import parse_qsl, urlunsplit

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["page"] = page
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
