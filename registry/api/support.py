"""What the API's list and write routes share: page arguments, `Link` headers, write rate limits."""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.routing import IntegerConverter

from ..errors import BadRequest
from ..extensions import limiter
from ..security import per_person
from ..services.listing import MAX_PER_PAGE

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
DEFAULT_WRITE_LIMIT = "120 per minute"
MAX_ID = 2**31 - 1


def page_args(default_per_page: int | None = None) -> tuple[int, int]:
    """Read `page` and `per_page` (at most 100) from the query string; a bad value is a 400."""
    default = default_per_page or current_app.config["PER_PAGE"]
    values = []
    for name, fallback, high in (("page", 1, 100_000), ("per_page", default, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw in (None, ""):
            values.append(fallback)
            continue
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(
                f"{name} must be a whole number, not {raw!r}", code="invalid_parameter", details={"parameter": name}
            ) from None
        if not 1 <= value <= high:
            raise BadRequest(
                f"{name} must be between 1 and {high}", code="invalid_parameter", details={"parameter": name}
            )
        values.append(value)
    return values[0], values[1]


def link_header(*, page: int, per_page: int, total: int) -> str:
    """Return an RFC 8288 `Link` header with first, prev, next and last pages of this request."""
    last = max(1, math.ceil(total / per_page))
    args = request.args.to_dict(flat=False)
    links = []
    for rel, number in (
        ("first", 1),
        ("prev", page - 1 if page > 1 else None),
        ("next", page + 1 if page < last else None),
        ("last", last),
    ):
        if number is None:
            continue
        query = {**args, "page": [str(number)], "per_page": [str(per_page)]}
        pairs = "&".join(f"{_quote(k)}={_quote(v)}" for k, vs in query.items() for v in vs)
        links.append(f'<{request.base_url}?{pairs}>; rel="{rel}"')
    return ", ".join(links)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def paginated(items: list[Any], *, total: int, page: int, per_page: int, facets: dict | None = None) -> Response:
    """Return the list envelope of the contract with a `Link` header."""
    resp = jsonify(
        {
            "items": [i.model_dump(mode="json") if hasattr(i, "model_dump") else i for i in items],
            "total": total,
            "page": page,
            "per_page": per_page,
            "facets": facets or {},
        }
    )
    resp.headers["Link"] = link_header(page=page, per_page=per_page, total=total)
    return resp


def _write_limit() -> str:
    return current_app.config.get("API_WRITE_RATE_LIMIT") or DEFAULT_WRITE_LIMIT


def _ratelimit_headers(response: Response) -> Response:
    """Add the IETF `RateLimit-*` fields (reset in seconds from now) when a limit applied."""
    current = limiter.current_limit
    if current is None:
        return response
    window = current.limit.get_expiry()
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
    response.headers["RateLimit-Reset"] = str(min(window, max(0, math.ceil(current.reset_at - time.time()))))
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
    return response


def _link_lists(response: Response) -> Response:
    """Give every list envelope a `Link` header, also those of routes that build the envelope themselves."""
    if (
        response.status_code != 200
        or "Link" in response.headers
        or response.mimetype != "application/json"
        or response.is_streamed
    ):
        return response
    body = response.get_json(silent=True)
    if isinstance(body, dict) and {"items", "total", "page", "per_page"} <= set(body):
        page, per_page, total = body["page"], body["per_page"], body["total"]
        if all(isinstance(v, int) for v in (page, per_page, total)):
            response.headers["Link"] = link_header(page=max(1, page), per_page=max(1, per_page), total=total)
    return response


def apply_conventions(bp: Blueprint) -> None:
    """Rate-limit every write of the blueprint (saying so in `RateLimit-*`) and give lists `Link` headers."""
    limiter.shared_limit(_write_limit, scope="api-writes", key_func=per_person, methods=WRITE_METHODS)(bp)
    bp.after_request(_ratelimit_headers)
    bp.after_request(_link_lists)


def digits_at_most(limit: int) -> str:
    """Return a regular expression matching the decimal numbers from 0 to ``limit`` (no sign)."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 and len(text) > 1 else 0
        if int(digit) > low:
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` limited to what a 32-bit integer column holds (PostgreSQL's `integer`).

    An id beyond that cannot exist, and handing it to the database overflows (SQLite) or errors
    (PostgreSQL) instead of answering 404. The bound is in the converter's pattern, not only in
    its conversion: a path whose number is too large then matches no rule and is a 404 for every
    method, where a failed conversion made werkzeug answer 405 for the rule's other methods.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
        if not kwargs.get("signed") and not kwargs.get("fixed_digits") and kwargs.get("min") in (None, 0):
            self.regex = digits_at_most(kwargs["max"])
