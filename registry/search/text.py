"""Text normalisation shared by indexing and querying, so both backends see identical tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import regex

#: Scripts written without spaces between words: each character is indexed as its own token
#: and a query in them becomes a phrase of characters, so 1- and 2-character queries work
#: (a trigram index cannot find anything shorter than three characters).
_SEGMENTED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Bopomofo}"
TOKEN = regex.compile(rf"[{_SEGMENTED}]\p{{M}}*|[[\p{{L}}\p{{M}}\p{{N}}\p{{Co}}]--[{_SEGMENTED}]]+", regex.V1)
_SEGMENTED_CHAR = regex.compile(rf"[{_SEGMENTED}]", regex.V1)
# Accents are folded only on Latin and Greek letters: in Indic scripts the marks are letters
# of the word, and Cyrillic й/и are distinct letters to their readers.
_FOLDABLE_MARK = regex.compile(r"(?<=[\p{Latin}\p{Greek}]\p{Mn}*)\p{Mn}", regex.V1)
# Arabic and Hebrew vowel marks and the tatweel are optional in writing; people search without them.
_OPTIONAL_MARK = regex.compile(r"[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})

#: Longest token kept; longer runs are base64 blobs or hashes, not words.
MAX_TOKEN_CHARS = 64
# ASCII text folds to its lower case and its tokens are runs of letters and digits: the same
# tokens as the general path, without four Unicode passes over a long README.
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Return text case-folded, with optional accents and vowel marks removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text)
    text = _FOLDABLE_MARK.sub("", text)
    text = _OPTIONAL_MARK.sub("", text)
    return unicodedata.normalize("NFC", text).translate(_ALEF)


def tokens(text: str | None, *, limit: int | None = None) -> list[str]:
    """Split text into folded search tokens (words, or single characters in unspaced scripts)."""
    if not text or (limit is not None and limit <= 0):
        return []
    if limit is not None:
        text = text[: limit * 40]  # no token is 40 characters on average: folding the rest is waste
    out: list[str] = []
    for found in _line_tokens(text):
        out += [tok for tok in found if len(tok) <= MAX_TOKEN_CHARS]
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def _line_tokens(text: str) -> Iterator[list[str]]:
    # Line by line, so that one accented word or dash in a long README leaves the other lines
    # on the ASCII path. No token and no folding reaches across a line break.
    if text.isascii():
        yield _ASCII_TOKEN.findall(text.lower())
        return
    for line in text.split("\n"):
        yield _ASCII_TOKEN.findall(line.lower()) if line.isascii() else TOKEN.findall(fold(line))


def is_segmented(token: str) -> bool:
    """Tell whether a token is one character of an unspaced script (CJK, Thai…)."""
    return bool(_SEGMENTED_CHAR.match(token))


def key(text: str | None) -> str:
    """Return the comparison key of a name: its tokens joined by single spaces."""
    return " ".join(tokens(text))
