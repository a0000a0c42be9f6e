"""ModelScope: an owner's models (the hub's model list, numbered pages asked for with a JSON body)."""

from __future__ import annotations

import json
from typing import Any

from .base import (
    Answer,
    BadTarget,
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


def _request(settings: ListerSettings, owner: str, page: int) -> Request:
    body = json.dumps({"Path": owner, "PageNumber": page, "PageSize": min(settings.page_size, 100)}, sort_keys=True)
    return Request(f"{settings.modelscope_url.rstrip('/')}/api/v1/models/", method="PUT", body=body.encode())


def modelscope_item(model: Any, *, base: str) -> ListedItem | None:
    """Return the item of one model of the list, or None without an owner and a name."""
    if not isinstance(model, dict):
        return None
    owner, name = text(model.get("Path"), 100), text(model.get("Name"), 200)
    if not owner or not name or "/" in owner or "/" in name or ".." in owner + name:
        return None
    meta = {
        "name": f"{owner}/{name}",
        "type": "model",
        "description": text(model.get("Description")) or text(model.get("ChineseName"), 300),
        "license": text(model.get("License"), 100),
        "tags": strings(model.get("Tags")),
        "downloads": number(model.get("Downloads")),
        "likes": number(model.get("Stars") if model.get("Stars") is not None else model.get("Likes")),
        "updated": str(model["LastUpdatedTime"]) if isinstance(model.get("LastUpdatedTime"), (int, str)) else None,
    }
    key = model.get("Id")
    return ListedItem(
        url=f"{base.rstrip('/')}/models/{owner}/{name}",
        source_kind="modelscope",
        key=f"model:{key}" if isinstance(key, (int, str)) and str(key) else f"model:{owner}/{name}".lower(),
        metadata=clean_metadata(meta),
    )


@register_lister("modelscope")
class ModelScopeLister:
    """``author:NAME``: the owner's models."""

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        prefix, owner = split_target(target, ("author", "language", "task", "search"), "modelscope")
        if prefix != "author":
            raise BadTarget("ModelScope is listed by owner only: author:NAME")
        return _request(settings, owner, 1)

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        data = load_json_page(answer)
        payload = data.get("Data") if isinstance(data, dict) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("Models"), list):
            message = text(data.get("Message"), 200) if isinstance(data, dict) else None
            raise ListerError(f"the ModelScope page has no list of models{f' ({message})' if message else ''}")
        items, skipped = [], 0
        for model in payload["Models"]:
            item = modelscope_item(model, base=settings.modelscope_url)
            if item is None:
                skipped += 1
            else:
                items.append(item)
        asked = json.loads((request.body or b"{}").decode())
        page, size = int(asked.get("PageNumber", 1)), int(asked.get("PageSize", 100))
        total = number(payload.get("TotalCount"))
        more = (page * size < total) if total is not None else len(payload["Models"]) >= size
        following = _request(settings, str(asked.get("Path", "")), page + 1) if more and payload["Models"] else None
        return Parsed(items=items, next=following, skipped=skipped)
