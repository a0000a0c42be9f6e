"""Checking and normalizing what people type into entry fields, with one clear reason per field."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from babel import Locale
from license_expression import ExpressionError

from harvesters.language import normalize_tag

from ..errors import Invalid
from ..facets import spdx_licensing
from ..models import ENTRY_KINDS
from ..schemas.entries import EDITABLE_FIELDS, LIST_FIELDS
from ..schemas.limits import ENTRY_TEXT_MAX as _MAX
from ..schemas.limits import TERM_MAX, TERMS_MAX


def bounded(value: str | None, *, field: str, limit: int) -> str:
    """Return ``value`` stripped, or raise Invalid naming the field and its limit: never cut it short."""
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid(
            f"{field}: at most {limit} characters", details={"fields": {field: f"at most {limit} characters"}}
        )
    return value


def trimmed(value: Any) -> Any:
    """Return text without surrounding white space, a list of texts with each trimmed (blanks and repeats
    dropped), and any other value as it is: how every entry field is stored, typed, imported or harvested."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))
    return value


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    # Babel types the keys loosely; they are territory codes (str).
    return frozenset(
        code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()
    )


#: SPDX's own references to a licence outside its list (`LicenseRef-…`, also after a `DocumentRef-…:`),
#: which harvesters write for a card's `license: other`.
_NOT_SPDX = "not a valid SPDX expression"
_LICENSE_REF = re.compile(r"(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+\Z")


@lru_cache(maxsize=4096)
def normalize_license(expression: str) -> str:
    """Return an SPDX expression in its canonical spelling, or raise Invalid.

    Kept per process for the few thousand distinct expressions a registry holds: checking one
    costs a third of a millisecond, about a seventh of loading one entry of a dump."""
    if expression in ("NOASSERTION", "NONE"):
        return expression
    try:
        info = spdx_licensing().validate(expression)
        if info.errors and info.invalid_symbols and all(_LICENSE_REF.match(s) for s in info.invalid_symbols):
            # Only user-defined references are unknown: keep them as written, the listed keys spelled canonically.
            return str(spdx_licensing().parse(expression))
    except (ExpressionError, AttributeError, TypeError, ValueError):
        # license_expression fails inside its own error reporting on some input (a lone "€", a
        # dangling "MIT AND"): whatever it raises, the expression is not one it can read.
        info = None
    if info is None or info.errors:
        reason = info.errors[0] if info is not None else _NOT_SPDX
        raise Invalid(f"license: {reason}", details={"fields": {"license": reason}})
    return info.normalized_expression


def _one(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("a list of strings")
        items = trimmed(value)
        if name == "languages":
            tags = [normalize_tag(v) for v in items]
            bad = [v for v, t in zip(items, tags, strict=False) if t is None]
            if bad:
                raise ValueError(f"not a language tag: {bad[0]!r}")
            items = tags
        long = [v for v in items if len(v) > TERM_MAX]
        if long:
            raise ValueError(f"at most {TERM_MAX} characters each ({long[0][:20]!r}… has {len(long[0])})")
        items = list(dict.fromkeys(items))
        if len(items) > TERMS_MAX:
            raise ValueError(f"at most {TERMS_MAX} values")
        return items
    if value is None:
        if name in ("kind", "name"):
            raise ValueError("required")
        return None if name not in ("summary", "description") else ""
    if not isinstance(value, str):
        raise ValueError("text")
    value = trimmed(value)
    if name in _MAX and len(value) > _MAX[name]:
        raise ValueError(f"at most {_MAX[name]} characters")
    if name == "kind" and value not in ENTRY_KINDS:
        raise ValueError(f"one of {', '.join(ENTRY_KINDS)}")
    if name == "name" and not value:
        raise ValueError("required")
    if name == "language":
        tag = normalize_tag(value) if value else None
        if value and tag is None:
            raise ValueError("not a language tag")
        return tag
    if name == "license":
        return normalize_license(value) if value else None
    if name == "region":
        if value and value.upper() not in _regions():
            raise ValueError("an ISO 3166 country code such as KE")
        return value.upper() or None
    if name == "homepage" and value:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("an http(s) address")
    return value or (None if name not in ("summary", "description") else "")


def validate_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Check every changed field; raise Invalid naming each bad field, or return the clean values."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    errors: dict[str, str] = {name: "not an editable field" for name in unknown}
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in unknown:
            continue
        try:
            clean[name] = _one(name, value)
        except ValueError as err:
            errors[name] = str(err)
        except Invalid as err:
            errors[name] = err.message.removeprefix(f"{name}: ")
    if errors:
        raise Invalid("; ".join(f"{k}: {v}" for k, v in errors.items()), details={"fields": errors})
    if not clean:
        raise Invalid("nothing to change: send at least one field", details={"fields": {}})
    return clean
