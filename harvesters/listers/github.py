"""GitHub: an organisation's or a user's public repositories, or every repository with a topic (REST v3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from .base import (
    Answer,
    ListedItem,
    ListerError,
    ListerSettings,
    Parsed,
    Request,
    clean_metadata,
    load_json_page,
    number,
    register_lister,
    split_target,
    strings,
    text,
)


def forge_item(repo: Any, *, source_kind: str = "git", web_key: str = "html_url") -> ListedItem | None:
    """Return the item of a forge's repository object (GitHub, Gitee, Gitea share the shape), or None."""
    if not isinstance(repo, dict):
        return None
    url = text(repo.get(web_key), 500)
    if not url or not url.startswith(("https://", "http://")):
        return None
    if repo.get("private") is True:
        return None
    key = repo.get("id")
    license_ = repo.get("license")
    meta = {
        "name": text(repo.get("full_name") or repo.get("path_with_namespace"), 300),
        "description": text(repo.get("description")),
        "license": text(license_.get("spdx_id") or license_.get("key"), 100) if isinstance(license_, dict) else None,
        "topics": strings(repo.get("topics") or repo.get("topic_names") or repo.get("tag_list")),
        "stars": number(repo.get("stargazers_count", repo.get("stars_count", repo.get("star_count")))),
        "forks": number(repo.get("forks_count")),
        "archived": repo.get("archived") if isinstance(repo.get("archived"), bool) else None,
        "fork": repo.get("fork") if isinstance(repo.get("fork"), bool) else None,
        "updated": text(repo.get("pushed_at") or repo.get("updated_at") or repo.get("last_activity_at"), 40),
        "homepage": text(repo.get("homepage"), 500),
    }
    return ListedItem(
        url=url,
        source_kind=source_kind,
        key=str(key) if key is not None else url.lower(),
        metadata=clean_metadata(meta),
    )


def forge_items(data: Any, answer: Answer) -> tuple[list[ListedItem], int]:
    """Read a page that is a list of repositories (or a search answer's ``items``)."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    elif isinstance(data, dict) and isinstance(data.get("data"), list):  # Gitea's search answer
        data = data["data"]
    if not isinstance(data, list):
        raise ListerError(f"the catalogue's page is not a list of repositories ({answer.url})")
    items, skipped = [], 0
    for repo in data:
        item = forge_item(repo)
        if item is None:
            skipped += 1
        else:
            items.append(item)
    return items, skipped


@register_lister("github")
class GitHubLister:
    """``org:NAME``, ``user:NAME`` or ``topic:NAME`` on REST with ``Link`` pagination."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        prefix, name = split_target(target, ("org", "user", "topic"), "github")
        api = settings.github_api.rstrip("/")
        size = min(settings.page_size, 100)
        if prefix == "topic":
            return Request(f"{api}/search/repositories?" + urlencode({"q": f"topic:{name}", "per_page": size}))
        path = "orgs" if prefix == "org" else "users"
        return Request(f"{api}/{path}/{quote(name, safe='')}/repos?" + urlencode({"per_page": size, "type": "public"}))

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        items, skipped = forge_items(load_json_page(answer), answer)
        following = answer.link("next")
        return Parsed(items=items, next=Request(following) if following else None, skipped=skipped)
