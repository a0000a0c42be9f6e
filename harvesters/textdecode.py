"""Turn the bytes of a text file from an unknown repository into text, or refuse."""

from __future__ import annotations

import codecs

# Checked longest first: a UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How much of the file the GB18030 plausibility check looks at; enough to judge, cheap to scan.
_SAMPLE_CHARS = 20_000


def decode_text(data: bytes) -> str | None:
    """Decode a text file (UTF-8, UTF-16/32 with BOM, GB18030, else cp1252); None for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _newlines(data[len(bom) :].decode(encoding, errors="replace"))
    if b"\x00" in data:
        return None
    try:
        return _newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return _newlines(text)
    # cp1252 rather than strict latin-1: Windows-written READMEs use its curly quotes.
    return _newlines(data.decode("cp1252", errors="replace"))


def _looks_chinese(text: str) -> bool:
    # Western text with accents (é followed by a letter) also decodes as GB18030, but into
    # rare extension characters; real Chinese text is mostly the common GB2312 repertoire.
    high = [c for c in text[:_SAMPLE_CHARS] if ord(c) >= 0x80]
    if not high:
        return True
    common = 0
    for char in high:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= 0.8 * len(high)


def clean_text(text: str) -> str:
    """Normalize line ends and replace NUL (which PostgreSQL cannot store) with U+FFFD."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


_newlines = clean_text
