"""Recognise a language named in any language or script (`Chinese`, `中文`, `kiswahili`) from Babel's CLDR data."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.localedata import locale_identifiers

from .text import key

#: The longest language name, in words, looked for inside a query ("modern standard arabic").
MAX_NAME_WORDS = 3


@lru_cache(maxsize=1)
def language_names() -> dict[str, frozenset[str]]:
    """Map every language name CLDR knows, in every locale, to the primary language subtags it names."""
    names: dict[str, set[str]] = {}
    # Base locales carry every name; regional variants only repeat or respell a few of them.
    for ident in locale_identifiers():
        if "_" in ident:
            continue
        try:
            languages = Locale.parse(ident).languages
        except (ValueError, TypeError):  # a locale Babel lists but cannot load
            continue
        for code, name in languages.items():
            name_key = key(name)
            # One-character names (some CJK locales' abbreviations) would turn every
            # ideograph in a query into a language filter.
            if len(name_key) > 1:
                names.setdefault(name_key, set()).add(code.split("_")[0].lower())
    return {name: frozenset(codes) for name, codes in names.items()}


def find_language(words: list[str]) -> frozenset[str]:
    """Return the language subtags these query words name together, or an empty set."""
    if not words or len(words) > MAX_NAME_WORDS:
        return frozenset()
    return language_names().get(" ".join(words), frozenset())
