"""CKAN: a catalogue's datasets through ``package_search`` (``rows``/``start``), an organisation as the set."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..pagefetch import check_page_url
from ..record import UnsafeSource
from .base import (
    Answer,
    ListedItem,
    ListerError,
    ListerSettings,
    Parsed,
    Request,
    clean_metadata,
    load_json_page,
    register_lister,
    text,
)
from .oai_pmh import endpoint_of


def _base(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.split("/api/3/", 1)[0].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def dataset_item(package: Any, *, base: str) -> ListedItem | None:
    """Return the item of one dataset (its page in the catalogue), or None without a name."""
    if not isinstance(package, dict) or package.get("private") is True:
        return None
    name = text(package.get("name"), 200)
    if not name or "/" in name:
        return None
    try:
        url = check_page_url(f"{base}/dataset/{quote(name, safe='')}")
    except UnsafeSource:
        return None
    tags: list[Any] = package["tags"] if isinstance(package.get("tags"), list) else []
    org = package.get("organization")
    homepage = text(package.get("url"), 500)
    meta = {
        "name": text(package.get("title"), 300) or name,
        "description": text(package.get("notes")),
        "license": text(package.get("license_id"), 100),
        "topics": [t["name"][:200] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)][:50],
        "organization": text(org.get("name"), 200) if isinstance(org, dict) else None,
        "homepage": homepage if homepage and homepage.startswith(("https://", "http://")) else None,
        "updated": text(package.get("metadata_modified"), 40),
    }
    key = text(package.get("id"), 100) or name
    return ListedItem(url=url, source_kind="page", key=key, metadata=clean_metadata(meta))


@register_lister("ckan")
class CkanLister:
    """A catalogue URL (with ``--set ORGANISATION``): its datasets, oldest change first."""

    obeys_robots = True

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        base = _base(endpoint_of(target))
        query = {"rows": str(min(settings.page_size, 1000)), "start": "0", "sort": "metadata_modified asc"}
        filters = []
        if set_spec:
            filters.append(f"organization:{set_spec}")
        if since:
            filters.append(f"metadata_modified:[{since} TO *]")
        if filters:
            query["fq"] = " AND ".join(filters)
        return Request(f"{base}/api/3/action/package_search?" + urlencode(query))

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        data = load_json_page(answer)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("success") is not True or not isinstance(result, dict):
            raise ListerError(f"the CKAN answer is not a successful package_search ({answer.url})")
        packages = result.get("results")
        count = result.get("count")
        if not isinstance(packages, list) or not isinstance(count, int):
            raise ListerError(f"the CKAN answer has no results and count ({answer.url})")
        base = _base(request.url)
        items, skipped, newest = [], 0, None
        for package in packages:
            item = dataset_item(package, base=base)
            if item is None:
                skipped += 1
                continue
            items.append(item)
            stamp = item.metadata.get("updated")
            if stamp and (newest is None or stamp > newest):
                newest = stamp
        parts = urlsplit(request.url)
        query = dict(parse_qsl(parts.query))
        start, rows = int(query.get("start", "0") or 0), int(query.get("rows", "100") or 100)
        following = None
        if packages and start + rows < count:
            query["start"] = str(start + rows)
            following = Request(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))
        return Parsed(items=items, next=following, skipped=skipped, watermark=newest)
