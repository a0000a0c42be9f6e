"""Facet and licence values: which (facet, value) rows an entry belongs under.

Plain functions on an entry's values, below both the services (which write the rows) and the
search backends (which index them), so neither has to reach into the other.
"""

from __future__ import annotations

from functools import lru_cache

from .models import Entry


@lru_cache(maxsize=1)
def spdx_licensing():
    """Return the SPDX licence library's parser (built once: it loads every licence key)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def license_ids(expression: str | None) -> list[str]:
    """Return the licence ids in an SPDX expression: `MIT OR Apache-2.0` counts under both."""
    if not expression or expression in ("NOASSERTION", "NONE"):
        return [expression] if expression else []
    return list(_parsed_license_ids(expression))


@lru_cache(maxsize=4096)
def _parsed_license_ids(expression: str) -> tuple[str, ...]:
    # Parsing an expression costs more than the rest of an entry page's licence work; a registry
    # holds a few thousand distinct expressions at most, so each is parsed once per process.
    try:
        keys = spdx_licensing().license_keys(spdx_licensing().parse(expression))
    except Exception:  # the library raises several kinds for unparsable text
        return (expression,)
    return tuple(k for k in keys if "exception" not in k.lower()) or (expression,)


def facet_values(entry: Entry) -> set[tuple[str, str]]:
    """Return the facet rows an entry belongs under."""
    rows: set[tuple[str, str]] = {("kind", entry.kind)}
    rows.update(("license", lid) for lid in license_ids(entry.license))
    languages = list(entry.languages) or ([entry.language] if entry.language else [])
    rows.update(("language", lang) for lang in languages)
    rows.update(("task", t) for t in entry.tasks)
    rows.update(("framework", f) for f in entry.frameworks)
    if entry.region:
        rows.add(("region", entry.region))
    cleaned = ((facet, _printable(value)[:200]) for facet, value in rows if value)
    return {(facet, value) for facet, value in cleaned if value}


def _printable(value: str) -> str:
    # Control characters mean nothing in a facet value, and two of them (\x1e, \x1f) separate
    # the pairs of the index's facet strings: one inside a value would count a pair that is not there.
    return "".join(ch for ch in str(value) if ch >= " " and ch != "\x7f").strip()
