"""Which language version to show a reader: one rule for entries, collections, feeds and pages.

A wanted tag matches an available one of the same language (its first subtag); among those,
the nearest by langcodes' distance wins, which knows that `zh` means Simplified Chinese and
`pt` Brazilian Portuguese. Available tags keep their order for ties, so an original listed
first wins over a translation just as near.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

import langcodes

T = TypeVar("T")


@functools.lru_cache(maxsize=4096)
def _language(tag: str) -> str:
    try:
        return langcodes.Language.get(tag).language or tag.lower().split("-")[0]
    except (langcodes.LanguageTagError, ValueError):
        return tag.lower().split("-")[0]


@functools.lru_cache(maxsize=4096)
def _distance(wanted: str, offered: str) -> int:
    if wanted.lower() == offered.lower():
        return 0
    try:
        return langcodes.tag_distance(wanted, offered)
    except (langcodes.LanguageTagError, ValueError):
        return 1000


def closest_language(wanted: str | None, available: Iterable[str]) -> str | None:
    """Return the available tag of the same language as ``wanted`` that is nearest to it, or None."""
    if not wanted:
        return None
    language = _language(wanted)
    best: tuple[int, int, str] | None = None
    for position, tag in enumerate(available):
        if tag and _language(tag) == language:
            candidate = (_distance(wanted, tag), position, tag)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


def closest_version(versions: Mapping[str, T], wanted: str | None) -> T | None:
    """Return the value of ``versions`` (keyed by language tag) nearest to ``wanted``, or None."""
    found = closest_language(wanted, versions)
    return versions[found] if found is not None else None


def choose_language(wanted: Sequence[str], available: Sequence[str], *, default: str | None = None) -> str | None:
    """Return the version for the first wanted language that has one, else ``default``."""
    for tag in wanted:
        found = closest_language(tag, available)
        if found is not None:
            return found
    return default
