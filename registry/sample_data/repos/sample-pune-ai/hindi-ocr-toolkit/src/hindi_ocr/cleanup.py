"""Normalise Devanagari text produced by OCR engines.

Part of a fictional sample project written for the AI Commons Registry demo.
"""

from __future__ import annotations

import sys
import unicodedata

_DEVANAGARI_DIGITS = "०१२३४५६७८९"
_TO_ASCII = str.maketrans(_DEVANAGARI_DIGITS, "0123456789")
_TO_DEVANAGARI = str.maketrans("0123456789", _DEVANAGARI_DIGITS)

# OCR engines often read the vowel sign "ि" before its consonant, as it is drawn.
_VOWEL_SIGN_I = "\u093f"


def to_ascii_digits(text: str) -> str:
    """Replace Devanagari digits with ASCII digits."""
    return text.translate(_TO_ASCII)


def to_devanagari_digits(text: str) -> str:
    """Replace ASCII digits with Devanagari digits."""
    return text.translate(_TO_DEVANAGARI)


def _is_consonant(char: str) -> bool:
    return "\u0915" <= char <= "\u0939"


def _fix_vowel_sign_order(text: str) -> str:
    """Move a vowel sign "ि" that starts a word behind the consonant that follows it."""
    chars = list(text)
    for i in range(len(chars) - 1):
        at_word_start = i == 0 or not ("\u0900" <= chars[i - 1] <= "\u097f")
        if chars[i] == _VOWEL_SIGN_I and at_word_start and _is_consonant(chars[i + 1]):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def normalize(text: str) -> str:
    """Return NFC-normalised text with common OCR ordering mistakes fixed."""
    text = unicodedata.normalize("NFC", text)
    text = _fix_vowel_sign_order(text)
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    """Clean the files named on the command line (or standard input) and print them."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stdout.write(normalize(sys.stdin.read()) + "\n")
        return 0
    for path in args:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                print(normalize(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
