"""What every table module shares: the vocabularies, the clock and the JSON column."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Column
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Field

ENTRY_KINDS = ("model", "dataset", "project")
SOURCE_KINDS = ("git", "page", "list", "huggingface", "modelscope")
FACETS = ("kind", "license", "language", "task", "region", "framework")
ROLES = ("user", "moderator", "admin")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def attributes(*columns: object) -> list[QueryableAttribute[Any]]:
    """Return model columns as the ORM attributes they are, for load_only()."""
    # SQLModel types a column by its value (int, str); sqlmodel's col() gives a Mapped, which
    # load_only() does not take either. The class attribute is an ORM attribute at run time.
    return [cast(QueryableAttribute[Any], c) for c in columns]


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


# pydantic asks each default factory for its signature every time it makes an object (does the
# factory take the validated data?), and inspect.signature costs 9 µs a call: an entry has eleven
# factories. A function that states its signature (no parameters) answers at once.
for _factory in (utcnow, _empty_list, _empty_dict):
    setattr(_factory, "__signature__", inspect.Signature())  # noqa: B010 (read by inspect.signature)


def _json(default=None):
    # A plain function, not the builtin list/dict: pydantic inspects a default factory's
    # signature on every instance it makes, and for a builtin type that takes 15 times longer.
    factory = {list: _empty_list, dict: _empty_dict, None: _empty_dict}.get(default, default)
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))
