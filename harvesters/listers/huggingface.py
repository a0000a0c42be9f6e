"""Hugging Face Hub: models, then datasets, by author, language, task or search text (cursor pages in ``Link``).

The endpoint is the configured one (``REGISTRY_HF_ENDPOINT``), so a regional mirror that answers
as the Hub does works the same; it is also the base of the repository addresses found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

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

_PREFIXES = ("author", "language", "task", "search")


def hub_query(prefix: str, value: str, *, datasets: bool) -> dict[str, str]:
    """Return the query parameters of a Hub listing for one target."""
    if prefix == "author":
        return {"author": value}
    if prefix == "search":
        return {"search": value}
    if prefix == "language":
        return {"filter": f"language:{value}"} if datasets else {"language": value}
    return {"filter": f"task_categories:{value}"} if datasets else {"pipeline_tag": value}


def hub_listing(settings: ListerSettings, target: str, *, datasets: bool) -> Request:
    """Return the request of the first page of models (or datasets) for a target."""
    prefix, value = split_target(target, _PREFIXES, "huggingface")
    query = {**hub_query(prefix, value, datasets=datasets), "limit": str(min(settings.page_size, 1000))}
    if not datasets:
        query["full"] = "false"
    base = settings.hf_endpoint.rstrip("/")
    return Request(f"{base}/api/{'datasets' if datasets else 'models'}?" + urlencode(query))


def _tag_values(tags: list[str], prefix: str) -> list[str]:
    return [t.split(":", 1)[1] for t in tags if t.startswith(prefix + ":") and len(t) > len(prefix) + 1]


def hub_item(repo: Any, *, endpoint: str, datasets: bool) -> ListedItem | None:
    """Return the item of one Hub repository object, or None when it has no id or is private."""
    if not isinstance(repo, dict) or repo.get("private") is True:
        return None
    repo_id = text(repo.get("id") or repo.get("modelId"), 200)
    if not repo_id or repo_id.count("/") > 1 or repo_id.startswith("/") or ".." in repo_id:
        return None
    tags = strings(repo.get("tags"), 200)
    gated = repo.get("gated")
    licenses = _tag_values(tags, "license")
    meta = {
        "name": repo_id,
        "type": "dataset" if datasets else "model",
        "description": text(repo.get("description")),
        "license": licenses[0] if licenses else None,
        "languages": _tag_values(tags, "language") or None,
        "task": text(repo.get("pipeline_tag"), 100),
        "library": text(repo.get("library_name"), 100),
        "tags": [t for t in tags if ":" not in t][:50],
        "downloads": number(repo.get("downloads")),
        "likes": number(repo.get("likes")),
        "gated": gated if isinstance(gated, (bool, str)) else None,
        "updated": text(repo.get("lastModified"), 40),
    }
    base = endpoint.rstrip("/")
    url = f"{base}/datasets/{repo_id}" if datasets else f"{base}/{repo_id}"
    stable = text(repo.get("_id"), 100)
    key = f"{'dataset' if datasets else 'model'}:{stable or repo_id.lower()}"
    return ListedItem(url=url, source_kind="huggingface", key=key, metadata=clean_metadata(meta))


@register_lister("huggingface")
class HuggingFaceLister:
    """``author:NAME``, ``language:CODE``, ``task:NAME`` or ``search:TEXT``: models first, then datasets."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        return hub_listing(settings, target, datasets=set_spec == "datasets")

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        data = load_json_page(answer)
        if not isinstance(data, list):
            raise ListerError(f"the Hub's page is not a list of repositories ({answer.url})")
        datasets = urlsplit(request.url).path.rstrip("/").endswith("/api/datasets")
        items, skipped, newest = [], 0, None
        for repo in data:
            item = hub_item(repo, endpoint=settings.hf_endpoint, datasets=datasets)
            if item is None:
                skipped += 1
                continue
            items.append(item)
            updated = item.metadata.get("updated")
            if updated and (newest is None or updated > newest):
                newest = updated
        following = answer.link("next")
        if following:
            return Parsed(items=items, next=Request(following), skipped=skipped, watermark=newest)
        if not datasets:
            # The models are done: the same target's datasets follow in the same run.
            target = _target_of(request.url)
            if target:
                nxt = hub_listing(settings, target, datasets=True)
                return Parsed(items=items, next=nxt, skipped=skipped, watermark=newest)
        return Parsed(items=items, next=None, skipped=skipped, watermark=newest)


def _target_of(url: str) -> str | None:
    from urllib.parse import parse_qsl

    query = dict(parse_qsl(urlsplit(url).query))
    if "author" in query:
        return f"author:{query['author']}"
    if "search" in query:
        return f"search:{query['search']}"
    if "language" in query:
        return f"language:{query['language']}"
    if "pipeline_tag" in query:
        return f"task:{query['pipeline_tag']}"
    return None
