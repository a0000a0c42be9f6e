"""Result snippets: a short window of an entry's text with the query's words marked, as plain segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

from .text import TOKEN, fold, is_segmented

#: Characters of context shown around the first match.
WIDTH = 220
#: Only the start of a long README is searched for a passage to show.
MAX_SCANNED = 5000
_MARKUP = regex.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]{0,200}>|[#*_`>|~]+|\s+")


@dataclass
class Snippet:
    """Text split into (text, matched) segments; the template escapes each and wraps matches in <mark>."""

    segments: list[tuple[str, bool]]
    lang: str | None = None

    @property
    def matched(self) -> bool:
        return any(hit for _, hit in self.segments)


def plain_text(markdown: str, *, limit: int | None = None) -> str:
    """Return Markdown as one line of plain text: links keep their words, markup goes.

    ``limit``: only about that many characters of the start are wanted (twice that is read).
    """
    if limit is not None:
        markdown = (markdown or "")[: 2 * limit]
    return " ".join(_MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else " ", markdown or "").split())


def _fold_token(token: str) -> str:
    # Most tokens are ASCII words or single ideographs: folding them fully is wasted time.
    if token.isascii():
        return token.lower()
    return fold(token)


def _hits(text: str, terms: set[str], prefixes: tuple[str, ...], width: int) -> list[tuple[int, int]]:
    folded = fold(text)
    if not any(t in folded for t in terms) and not any(p in folded for p in prefixes):
        return []  # cheap refusal: most texts of a result do not contain the words at all
    # Folding seldom changes the length of a text; then its tokens sit where the text's do and
    # are already folded, so nothing is folded twice (one Chinese character at a time, say).
    same_places = len(folded) == len(text)
    spans: list[tuple[int, int]] = []
    for match in TOKEN.finditer(folded if same_places else text):
        start, end = match.span()
        if spans and start > spans[0][0] + width:
            break  # past the window shown around the first match
        word = match.group() if same_places else _fold_token(match.group())
        if word in terms or (prefixes and word.startswith(prefixes) and not is_segmented(word)):
            if spans and spans[-1][1] == start:  # adjacent characters of one CJK word: one mark
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return spans


def highlight(
    text: str, terms: list[str], prefixes: list[str] | None = None, *, width: int = WIDTH, lang: str | None = None
) -> Snippet | None:
    """Return a window of plain ``text`` around its first match, or None when no term occurs in it."""
    text = " ".join(text[:MAX_SCANNED].split())
    spans = _hits(text, set(terms), tuple(prefixes or ()), width)
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, min(first - width // 4, len(text) - width))
    end = min(len(text), start + width)
    # Do not cut a word in half at either edge.
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space != -1 else end
    segments: list[tuple[str, bool]] = []
    if start > 0:
        segments.append(("… ", False))
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        if s > pos:
            segments.append((text[pos:s], False))
        segments.append((text[s:e], True))
        pos = e
    if pos < end:
        segments.append((text[pos:end], False))
    if end < len(text):
        segments.append((" …", False))
    return Snippet(segments, lang)


def best_snippet(
    texts: Iterable[tuple[str, str | None]], terms: list[str], prefixes: list[str] | None = None
) -> Snippet | None:
    """Return the snippet of the first (text, language) pair in which a term occurs (pairs are read lazily)."""
    for value, lang in texts:
        if value:
            found = highlight(value, terms, prefixes, lang=lang)
            if found is not None:
                return found
    return None
