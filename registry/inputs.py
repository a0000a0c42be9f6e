"""The request boundary: every JSON body, form and query string a user sends is checked here once.

- A body larger than ``MAX_CONTENT_LENGTH`` is a 413 (Werkzeug refuses it as it is read).
- A JSON body is read by ``load_json`` only: invalid UTF-8, malformed JSON and nesting deeper
  than ``MAX_JSON_DEPTH`` are a 400 in the error envelope.
- Text that no page can show and no database stores the same way — a lone surrogate (JSON can
  spell one as ``"\\udc80"``) or NUL (PostgreSQL refuses it) — is refused wherever it is sent,
  naming the field. Harvested text is not refused but repaired (``storable``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, request

from .errors import BadRequest, Invalid

#: Deeper than any body the API takes (a proposal's authors are four levels down).
MAX_JSON_DEPTH = 32
#: A lone surrogate (no UTF-8 spelling) or NUL (PostgreSQL stores no NUL in text).
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
View = TypeVar("View", bound=Callable[..., Any])
_REASON = "contains a character that is not allowed (NUL or a lone UTF-16 surrogate)"


def storable(value: Any) -> Any:
    """Return ``value`` with NUL and lone surrogates replaced by U+FFFD wherever it holds text.

    Text, lists, tuples, dicts and dataclasses (a harvester's record and what it holds) are
    walked; a value with nothing to replace comes back equal.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: storable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(storable(v) for v in value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


# A value's JSON text written without ASCII escapes: NUL is spelled \u0000 there, a lone surrogate is itself.
_SUSPECT_UNESCAPED = re.compile(r"\\u0000|[\ud800-\udfff]")


def storable_data(value: Any) -> Any:
    """``storable`` for data as JSON reads it (dicts, lists, text, numbers): a value with nothing to
    repair is found in one pass over its JSON text and comes back as it is, without being walked."""
    if _SUSPECT_UNESCAPED.search(json.dumps(value, ensure_ascii=False)) is None:
        return value
    return storable(value)


# The text of a stored JSON value that may hold NUL or a lone surrogate (ensure_ascii escapes them).
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|\x00")


def read_stored_json(text: str | bytes) -> Any:
    """The database's JSON reader: a value stored before the boundary existed comes back repaired.

    Only a value whose text could hold NUL or a surrogate is walked; the others are plain json.loads.
    """
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8")
    data = json.loads(text)
    return storable(data) if _SUSPECT.search(text) else data


def load_json(raw: bytes) -> Any:
    """Parse a JSON body sent by a user; what is not UTF-8 JSON, too deep or holds unstorable text is refused.

    Malformed or too deep is a 400 (code ``invalid_json``); a lone surrogate or NUL in a key or
    a value is a 422 naming the field by its path (``changes.name``, ``items.3``).
    """
    try:
        text = raw.decode("utf-8")  # strict: Python's json would let encoded surrogates through
    except UnicodeDecodeError as err:
        raise BadRequest(f"The body is not valid UTF-8 (at byte {err.start}).", code="invalid_json") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as err:
        raise BadRequest(f"The body is not valid JSON: {err}.", code="invalid_json") from None
    check_text_tree(data)
    return data


def check_text_tree(data: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and unstorable text in any key or value (iteratively)."""
    stack: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 0)]
    bad: dict[str, str] = {}
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                bad[".".join(path) or "body"] = _REASON
            continue
        if isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in pairs:
                name = str(key)
                if UNSTORABLE.search(name):
                    bad[".".join((*path, UNSTORABLE.sub("\ufffd", name)))] = _REASON
                    continue
                stack.append((item, (*path, name), depth + 1))
    if bad:
        raise _refused(bad)


def _too_deep() -> BadRequest:
    return BadRequest(f"The body is nested more than {MAX_JSON_DEPTH} levels deep.", code="invalid_json")


def _refused(bad: dict[str, str]) -> Invalid:
    return Invalid("; ".join(f"{name}: {msg}" for name, msg in sorted(bad.items())), details={"fields": bad})


def checks_own_text(view: View) -> View:
    """Mark a view that refuses unstorable text itself, in its protocol's words (OAI-PMH's badArgument)."""
    view.checks_own_text = True  # type: ignore[attr-defined]  # (a marker read by the request hook)
    return view


def unstorable_names(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Return the names of the pairs whose name or value holds NUL or a lone surrogate (repaired for display)."""
    return sorted(_bad_pairs(pairs))


def _bad_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    bad: dict[str, str] = {}
    for name, value in pairs:
        if UNSTORABLE.search(name) or UNSTORABLE.search(value):
            bad[UNSTORABLE.sub("\ufffd", name)] = _REASON
    return bad


def _check_request() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "checks_own_text", False):
        return
    if UNSTORABLE.search(request.path):
        raise BadRequest("The address " + _REASON + ".", code="invalid_parameter", details={"parameter": "path"})
    bad = _bad_pairs(request.args.items(multi=True))
    if bad:
        name = min(bad)
        raise BadRequest(f"{name}: {_REASON}", code="invalid_parameter", details={"parameter": name, "fields": bad})
    # Forms are read only for the pages: the API takes JSON (read by load_json), and a signed
    # webhook's body must reach its route unread.
    if request.mimetype in _FORM_TYPES and not request.path.startswith("/api/"):
        bad = _bad_pairs(request.form.items(multi=True))
        if bad:
            raise _refused(bad)


def init_app(app: Flask) -> None:
    """Check every request's query string and form before any view sees it."""
    app.before_request(_check_request)
