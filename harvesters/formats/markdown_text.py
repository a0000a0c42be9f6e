"""Read a README as a reader's eye does: a sequence of headings and paragraphs of plain text.

A small line-based reader rather than a full Markdown renderer, because what matters here
is how GitHub shows a README: an HTML block ends at a blank line, so a Markdown heading
between ``<div align="center">`` and ``</div>`` is still a heading.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Title and summary live near the top; a block longer than this is cut before the inline
# patterns run. Those patterns also bound every repetition: on hostile input ("[[[[…") an
# unbounded one rescans the rest of the block from each start, which is quadratic.
_MAX_BLOCK = 4000

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^*#\"'`+:._])\1{2,}[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s")
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]{0,2000}>(.*?)</h\1\s*>", re.S | re.I)

_HTML_IMAGE = re.compile(r"<img\b[^>]{0,2000}>", re.I)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\](?:\([^)\n]{0,1000}\)|\[[^\]\n]{0,200}\])")
_MD_LINK = re.compile(r"\[([^\]\n]{0,500})\](?:\([^)\n]{0,1000}\)|\[[^\]\n]{0,200}\])")
_HTML_LINK = re.compile(r"<a\b[^>]{0,2000}>([^<]{0,1000}(?:<(?!/a\s*>)[^<]{0,1000}){0,20})</a\s*>", re.I)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]*)>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^>]{0,2000}>")
_INLINE_CODE = re.compile(r"(`{1,10})([^`\n]{1,500}?)\1")
_STRONG = re.compile(r"\*\*|__|~~")
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_RST_LINK = re.compile(r"`([^`<]{1,500}?)\s*<[^>]{0,1000}>`_{1,2}")
_RST_SUBSTITUTION = re.compile(r"\|[^|\n]{1,200}\|_{0,2}")


@dataclass(frozen=True)
class Block:
    """One heading or paragraph, as plain text; ``link_letters`` counts letters inside links."""

    kind: str  # "heading" or "paragraph"
    level: int  # 1-6 for headings, 0 for paragraphs
    text: str
    link_letters: int = 0


def letters(text: str) -> int:
    """Count the letters in a text (any script)."""
    return sum(ch.isalpha() for ch in text)


def plain_inline(source: str, *, rst: bool = False) -> tuple[str, int]:
    """Turn inline Markdown/HTML into plain text; also return how many letters were link text."""
    text = source[:_MAX_BLOCK]
    linked = 0

    def keep_link_text(match: re.Match[str]) -> str:
        nonlocal linked
        inner = _TAG.sub(" ", match.group(1))
        linked += letters(inner)
        return inner

    if rst:
        text = _RST_SUBSTITUTION.sub(" ", text)
        text = _RST_LINK.sub(keep_link_text, text)
        text = text.replace("``", "")
    text = _HTML_IMAGE.sub(" ", text)
    text = _MD_IMAGE.sub(" ", text)
    text = _MD_LINK.sub(keep_link_text, text)
    text = _HTML_LINK.sub(keep_link_text, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _INLINE_CODE.sub(lambda m: m.group(2).strip(), text)
    text = _STRONG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    return " ".join(text.split()), linked


def blocks(text: str, *, rst: bool = False) -> Iterator[Block]:
    """Yield the headings and prose paragraphs of a document, in order."""
    text = _COMMENT.sub("\n", text)
    paragraph: list[str] = []
    fence: str | None = None
    rst_levels: dict[str, int] = {}
    for line in text.split("\n"):
        if fence:
            if line.strip().startswith(fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening and not rst:
            yield from _flush(paragraph, rst=rst)
            fence = opening.group(1)[0] * 3
            continue
        if not line.strip():
            yield from _flush(paragraph, rst=rst)
            continue
        atx = None if rst else _ATX.match(line)
        if atx:
            yield from _flush(paragraph, rst=rst)
            heading, linked = plain_inline(atx.group(2) or "")
            yield Block("heading", len(atx.group(1)), heading, linked)
            continue
        underline = (_RST_UNDERLINE if rst else _MD_UNDERLINE).match(line)
        if underline and paragraph and not _LIST_ITEM.match(paragraph[0]):
            if rst:
                level = rst_levels.setdefault(line.strip()[0], len(rst_levels) + 1)
            else:
                level = 1 if line.strip().startswith("=") else 2
            heading, linked = plain_inline(" ".join(paragraph), rst=rst)
            paragraph.clear()
            yield Block("heading", level, heading, linked)
            continue
        if underline or _THEMATIC_BREAK.match(line):
            # An RST overline, or a Markdown rule between sections: neither is text.
            yield from _flush(paragraph, rst=rst)
            continue
        paragraph.append(line)
    yield from _flush(paragraph, rst=rst)


def _flush(lines: list[str], *, rst: bool) -> Iterator[Block]:
    if not lines:
        return
    first = lines[0]
    content = [line for line in lines if not _LINK_DEFINITION.match(line)]
    lines.clear()
    # Quotes (often "> [!NOTE]" call-outs), lists, tables, indented code and RST directives
    # are not where a project introduces itself.
    if (
        not content
        or first.lstrip().startswith((">", "|"))
        or _LIST_ITEM.match(first)
        or first.startswith(("    ", "\t"))
        or (rst and first.startswith(".."))
    ):
        return
    joined = "\n".join(content)[:_MAX_BLOCK]
    rest = joined
    for match in _HTML_HEADING.finditer(joined):
        heading, linked = plain_inline(match.group(2), rst=rst)
        yield Block("heading", int(match.group(1)), heading, linked)
        rest = rest.replace(match.group(0), " ", 1)
    prose, linked = plain_inline(rest, rst=rst)
    if prose:
        yield Block("paragraph", 0, prose, linked)
