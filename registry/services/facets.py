"""Facet rows: one (entry, facet, value) row each, rewritten whenever an entry changes."""
from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session, delete

from ..models import Entry, FacetValue


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def license_ids(expression: str | None) -> list[str]:
    """Return the licence ids in an SPDX expression: `MIT OR Apache-2.0` counts under both."""
    if not expression or expression in ("NOASSERTION", "NONE"):
        return [expression] if expression else []
    try:
        keys = _licensing().license_keys(_licensing().parse(expression))
    except Exception:  # the library raises several kinds for unparsable text
        return [expression]
    return [k for k in keys if "exception" not in k.lower()] or [expression]


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


def sync_facets(session: Session, entry: Entry) -> None:
    """Rewrite an entry's facet rows in the current transaction."""
    session.exec(delete(FacetValue).where(FacetValue.entry_id == entry.id))
    for facet, value in sorted(facet_values(entry)):
        session.add(FacetValue(entry_id=entry.id, facet=facet, value=value))
