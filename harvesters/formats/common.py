"""Helpers every format parser shares: bounded reads, tolerant value coercion, people and identifiers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from ..textdecode import decode_text

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

# Lists in metadata files (keywords, authors) are short; more than this is not worth keeping.
MAX_ITEMS = 100
MAX_TEXT = 10_000
_ORCID = re.compile(r"(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.I)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I)
_HTTP_URL = re.compile(r"^https?://[^\s/]+\.[^\s]*$", re.I)


class FormatError(ValueError):
    """A metadata file cannot be read: the message says why, in plain words."""


def read_text(checkout: RepoFiles, name: str, record: HarvestedRecord) -> str | None:
    """Return a file's text, or None (with a warning for binary content)."""
    data = checkout.read_bytes(name)
    if data is None:
        return None
    text = decode_text(data)
    if text is None:
        record.warnings.append(f"{name} looks like a binary file; skipped")
    return text


def read_root_document(
    checkout: RepoFiles, record: HarvestedRecord, filename: str, parse: Callable[[str], Any]
) -> tuple[str, Any] | None:
    """Find ``filename`` at the root (any case) and parse it; return (its real name, the result) or None.

    A missing file is None without a word; an unreadable or unparsable one is None with a warning.
    """
    names = {name.lower(): name for name in checkout.root_files()}
    name = names.get(filename.lower())
    return None if name is None else parse_file(checkout, record, name, parse)


def parse_file(
    checkout: RepoFiles, record: HarvestedRecord, name: str, parse: Callable[[str], Any]
) -> tuple[str, Any] | None:
    """Read a file and parse it; return (its name, the result), or None (with a warning) if that fails."""
    source = read_text(checkout, name, record)
    if source is None:
        return None
    try:
        return name, parse(source)
    except FormatError as err:
        record.warnings.append(f"{name} {err}; skipped")
        return None


def apply_root_document(
    checkout: RepoFiles,
    record: HarvestedRecord,
    filename: str,
    parse: Callable[[str], tuple[Any, list[str]]],
    apply: Callable[..., None],
) -> None:
    """Apply a document found at the root whose parser also returns warnings, kept under the file's name."""
    found = read_root_document(checkout, record, filename, parse)
    if found is None:
        return
    name, (data, warnings) = found
    record.warnings.extend(f"{name}: {w}" for w in warnings)
    apply(data, record, origin=name)


# NUL and lone surrogates (JSON and YAML can spell them as escapes) are not text a database
# stores or a page shows: PostgreSQL refuses NUL, and UTF-8 has no lone surrogates.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def without_surrogates(value: Any) -> Any:
    """Return parsed data with NUL and lone surrogates replaced by U+FFFD (one would stop the entry being saved)."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def load_json(text: str) -> Any:
    """Parse JSON; raise FormatError on invalid input."""
    try:
        return without_surrogates(json.loads(text))
    except (ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(f"is not valid JSON ({reason[:120]})") from None


# libyaml's parser when PyYAML was built with it (its wheels are): the same safe loader, about
# ten times faster than the pure-Python parser on a model card.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_yaml(text: str) -> Any:
    """Parse YAML with the safe loader (plain data only); raises what PyYAML raises."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def load_yaml(text: str) -> Any:
    """Parse YAML safely; raise FormatError on invalid input."""
    try:
        return without_surrogates(safe_yaml(text))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(f"is not valid YAML ({reason[:120]})") from None


def json_safe(value: Any, *, depth: int = 0) -> Any:
    """Return a copy of parsed YAML/TOML made of JSON types only (dates become ISO strings)."""
    if depth > 20:
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v, depth=depth + 1) for k, v in list(value.items())[: MAX_ITEMS * 10]}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth=depth + 1) for v in list(value)[: MAX_ITEMS * 10]]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def list_of(value: Any) -> list[Any]:
    """Return a value when it is a list, else an empty one (metadata files hold any type anywhere)."""
    return value if isinstance(value, list) else []


def dict_of(value: Any) -> dict[str, Any]:
    """Return a value when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def text(value: Any, *, limit: int = MAX_TEXT) -> str | None:
    """Return a value as stripped text (numbers and dates too), or None when it is not text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, dt.date)):
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split()) if "\n" not in value.strip() else value.strip()
    return value[:limit] or None


def text_list(value: Any) -> list[str]:
    """Return a string or a list of strings as a list of non-empty strings; anything else as []."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out = []
    for item in items[:MAX_ITEMS]:
        item_text = text(item, limit=200)
        if item_text:
            out.append(item_text)
    return list(dict.fromkeys(out))


def keyword_list(value: Any) -> list[str]:
    """Return keywords from a list, or from one comma-separated string (codemeta, setup.cfg)."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[,;\n]", value)]
    return text_list(value)


def tag(value: str) -> str:
    """Normalize a keyword into a tag: lower-case, words joined by hyphens."""
    return "-".join(value.casefold().split())[:100]


def orcid(value: Any) -> str | None:
    """Return an ORCID iD as its https URL when the value is one and its check digit is right."""
    raw = text(value, limit=100)
    match = _ORCID.match(raw or "")
    if not match:
        return None
    digits = match.group(1).replace("-", "").upper()
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return f"https://orcid.org/{match.group(1).upper()}"


def doi(value: Any) -> str | None:
    """Return a DOI (``10.5281/zenodo.1``) from a bare DOI, ``doi:`` or a doi.org URL."""
    raw = text(value, limit=300)
    match = _DOI.match(raw or "")
    return match.group(1) if match else None


def http_url(value: Any) -> str | None:
    """Return the value when it is an http(s) URL with a host; otherwise None."""
    raw = text(value, limit=2000)
    return raw if raw and _HTTP_URL.match(raw) else None


def author(name: str | None, *, orcid_value: Any = None, affiliation: Any = None) -> dict[str, str] | None:
    """Build one ``authors`` item: ``{"name", "orcid"?, "affiliation"?}``."""
    name = text(name, limit=200)
    if not name:
        return None
    person = {"name": name}
    found = orcid(orcid_value)
    if found:
        person["orcid"] = found
    place = text(affiliation, limit=300)
    if place:
        person["affiliation"] = place
    return person


def split_name_email(value: str) -> str:
    """Return the name part of ``"Name <mail@example.org> (https://…)"`` (npm and PEP 621 style)."""
    return re.sub(r"\s*(?:<[^>]*>|\([^)]*\))\s*", " ", value).strip()
