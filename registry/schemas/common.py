"""Errors and what every list answer shares."""
from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel


class ErrorDetail(SQLModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(SQLModel):
    """Every API error: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail
