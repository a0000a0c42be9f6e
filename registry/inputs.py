"""The request boundary: every JSON body a user sends is read here once.

- A body larger than ``MAX_CONTENT_LENGTH`` is a 413 (Werkzeug refuses it as it is read).
- A JSON body is read by ``load_json`` only: invalid UTF-8, malformed JSON and nesting deeper
  than ``MAX_JSON_DEPTH`` are a 400 in the error envelope.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import BadRequest

#: Deeper than any body the API takes (a proposal's authors are four levels down).
MAX_JSON_DEPTH = 32


def load_json(raw: bytes) -> Any:
    """Parse a JSON body sent by a user; what is not valid UTF-8 JSON or is too deep is a 400 (``invalid_json``)."""
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
    check_tree(data)
    return data


def check_tree(data: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH (walked iteratively: a deep tree cannot overflow the stack)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))


def _too_deep() -> BadRequest:
    return BadRequest(f"The body is nested more than {MAX_JSON_DEPTH} levels deep.", code="invalid_json")
