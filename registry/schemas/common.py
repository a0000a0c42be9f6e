"""Errors and what every list answer shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import pydantic
from pydantic import PlainSerializer, WithJsonSchema
from sqlmodel import SQLModel


def _iso(value: datetime) -> str:
    return value.isoformat()


#: A time written as ``datetime.isoformat()`` ("+00:00", never "Z"): the collections and
#: communities API has always answered so, and its clients may compare the strings.
Timestamp = Annotated[
    datetime, PlainSerializer(_iso, when_used="json"), WithJsonSchema({"type": "string", "format": "date-time"})
]

#: A value left out of the JSON when it is None (and only then), for answers whose keys depend
#: on the case, such as a collection's owner.
OmittedWhenNone = pydantic.Field(exclude_if=lambda value: value is None)


class ErrorDetail(SQLModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(SQLModel):
    """Every API error: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail
