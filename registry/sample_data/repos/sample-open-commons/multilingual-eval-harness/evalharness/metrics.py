"""String metrics that behave the same way in every script."""

from __future__ import annotations

import unicodedata
from collections import Counter


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _f1(predicted: list[str], expected: list[str]) -> float:
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not predicted or not expected or not common:
        return float(predicted == expected)
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def exact_match(predicted: str, expected: str) -> float:
    """1.0 when both strings are equal after normalisation, else 0.0."""
    return float(_norm(predicted) == _norm(expected))


def char_f1(predicted: str, expected: str) -> float:
    """Character-level F1, for scripts written without spaces."""
    return _f1(list(_norm(predicted).replace(" ", "")), list(_norm(expected).replace(" ", "")))


def token_f1(predicted: str, expected: str) -> float:
    """Whitespace-token F1."""
    return _f1(_norm(predicted).split(), _norm(expected).split())
