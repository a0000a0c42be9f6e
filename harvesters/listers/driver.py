"""Walk a lister's pages with the one client: a stream of pages, each with the cursor to resume after it.

Nothing is kept in memory beyond one page: a catalogue of millions is a stream. A page the
registry saw before is asked for with its ETag; a ``304`` gives back what the registry
remembered of it (the next page's address), so an unchanged catalogue costs one conditional
request per page. Bad input stops the walk with a ListerError that carries the cursor to resume at.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..record import HarvestError
from .base import ListedItem, ListerError, ListerSettings, Request, get_lister
from .http import ListerClient

_log = logging.getLogger(__name__)


@dataclass
class PageMemory:
    """What the registry remembers of a page: its ETag and the request of the page after it."""

    etag: str
    next: str | None


@dataclass
class ListedPage:
    """One page of a listing."""

    #: The page's key: its request, as a cursor string (see ``encode_request``).
    key: str
    items: list[ListedItem] = field(default_factory=list)
    #: The cursor of the page after this one; None at the end.
    next: str | None = None
    etag: str | None = None
    #: The catalogue answered 304: nothing on this page changed since ``etag``.
    not_modified: bool = False
    skipped: int = 0
    watermark: str | None = None


class ListingStopped(ListerError):
    """A listing stopped half-way; ``cursor`` is where the next run resumes."""

    def __init__(self, message: str, *, cursor: str | None) -> None:
        super().__init__(message)
        self.cursor = cursor


def encode_request(request: Request) -> str:
    """Return a cursor string for a request (a plain URL for a GET)."""
    if request.method == "GET" and request.body is None and request.accept == "application/json":
        return request.url
    return json.dumps(
        {
            "url": request.url,
            "method": request.method,
            "body": (request.body or b"").decode(),
            "accept": request.accept,
        },
        sort_keys=True,
    )


def decode_request(cursor: str) -> Request:
    """Return the request a cursor string stands for."""
    if not cursor.startswith("{"):
        return Request(url=cursor)
    try:
        data = json.loads(cursor)
        return Request(
            url=str(data["url"]),
            method=str(data.get("method") or "GET"),
            body=str(data["body"]).encode() if data.get("body") else None,
            accept=str(data.get("accept") or "application/json"),
        )
    except (ValueError, KeyError, TypeError):
        raise ListerError("the saved cursor is not readable; the listing starts again from the first page") from None


def first_cursor(
    kind: str, target: str, *, settings: ListerSettings, set_spec: str | None = None, since: str | None = None
) -> str:
    """Return the cursor of a listing's first page; raise BadTarget for a target the lister refuses."""
    return encode_request(get_lister(kind).first(target, settings=settings, set_spec=set_spec, since=since))


def walk(
    kind: str,
    *,
    start: str,
    settings: ListerSettings,
    memory: Mapping[str, PageMemory] | None = None,
    client: ListerClient | None = None,
) -> Iterator[ListedPage]:
    """Yield the pages of a listing from cursor ``start``; raise ListingStopped on bad input or a failure."""
    lister = get_lister(kind)
    memory = memory or {}
    own = client is None
    http = client or ListerClient(settings)
    seen: set[str] = set()
    cursor: str | None = start
    try:
        while cursor is not None:
            if cursor in seen:
                raise ListingStopped(
                    "the catalogue sent a next-page cursor it had already sent (a loop)", cursor=cursor
                )
            if len(seen) >= settings.max_pages:
                raise ListingStopped(
                    f"the listing went on for more than {settings.max_pages} pages and was stopped", cursor=cursor
                )
            seen.add(cursor)
            request = decode_request(cursor)
            known = memory.get(cursor)
            try:
                answer = http.fetch(request, etag=known.etag if known else None, robots=lister.obeys_robots)
                if answer.status == 304 and known is not None:
                    yield ListedPage(key=cursor, next=known.next, etag=known.etag, not_modified=True)
                    cursor = known.next
                    continue
                if answer.status != 200:
                    raise ListerError(_status_words(answer.status))
                parsed = lister.parse(answer, request=request, settings=settings)
            except ListingStopped:
                raise
            except HarvestError as err:
                raise ListingStopped(str(err), cursor=cursor) from None
            except Exception as err:  # a lister tripping over odd input is a bug, never a crashed run
                _log.exception("the %s lister failed on %s", kind, request.url)
                raise ListingStopped(
                    f"a page of the catalogue could not be read ({type(err).__name__}); the error has been logged",
                    cursor=cursor,
                ) from None
            following = encode_request(parsed.next) if parsed.next is not None else None
            if following is not None and _host(following) != _host(cursor):
                raise ListingStopped("the catalogue's next page is on another host; not followed", cursor=cursor)
            etag = answer.headers.get("etag")
            yield ListedPage(
                key=cursor,
                items=parsed.items,
                next=following,
                etag=etag if etag and len(etag) <= 300 else None,
                skipped=parsed.skipped,
                watermark=parsed.watermark,
            )
            cursor = following
    finally:
        if own:
            http.__exit__(None, None, None)


def _host(cursor: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(decode_request(cursor).url).netloc or "").lower()


def _status_words(status: int) -> str:
    words = {
        401: "the catalogue needs a login (401); check the token in the configuration",
        403: "the catalogue refused access (403)",
        404: "the catalogue has no such organisation, author or endpoint (404)",
        410: "the catalogue says this listing is gone (410)",
        429: "the catalogue asked us to slow down (429)",
    }
    if status in words:
        return words[status]
    if status >= 500:
        return f"the catalogue failed to answer ({status})"
    return f"the catalogue answered {status} instead of a page"
