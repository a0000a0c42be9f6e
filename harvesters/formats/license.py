"""Recognise a licence file by comparing its words with the standard texts of known licences."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ..record import RANK_LICENSE_TEXT
from .common import read_text

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

NOASSERTION = "NOASSERTION"

# A file must share this much of a reference text (Dice on word counts) to be that licence,
# and beat the runner-up from another licence by the margin: BSD-3-Clause is BSD-2-Clause
# plus one clause, and a near tie means we cannot tell.
_MATCH = 0.95
_MARGIN = 0.03
# A reference text is "in" the file when this share of its words are (see _contained).
_CONTAINED = 0.9
_MIN_WORDS = 20
_LATER = "any later version"

# Licence files ship the terms, then often an appendix on how to apply them (GPL, Apache)
# or exhibits (MPL). Projects as often drop the appendix, so each text is also known
# without it; _TERMS_END keeps the marker line, _APPENDIX_START drops it.
_TERMS_END = re.compile(r"^\s*END OF TERMS AND CONDITIONS\s*$", re.M)
_APPENDIX_START = re.compile(r"^\s*Exhibit A - Source Code Form License Notice", re.M)
# Copyright lines name the holder, which differs in every copy; "copyright notice" does not match.
_COPYRIGHT_LINE = re.compile(r"^\W*(?:copyright\b\s*(?:\(c\)|©|\d|by\b|\[|<)|\(c\)\s*\d|©)", re.I)
_RIGHTS_RESERVED = re.compile(r"^\W*all rights reserved\W*$", re.I)
_WORD = re.compile(r"[^\W_]+")

#: Root file names read as the licence, most preferred first (compared case-insensitively).
LICENSE_NAMES = tuple(f"{stem}{ext}" for stem in ("license", "licence", "copying") for ext in ("", ".md", ".txt"))
# LGPL projects ship the GPL as COPYING and their actual licence beside it.
_LESSER_NAMES = ("copying.lesser", "copying.lgpl", "license.lgpl")
# LICENSE-MIT, LICENSE_APACHE.txt, LICENCE.BSD: one file per licence of a dual-licensed project.
_SPLIT = re.compile(r"^(?:license|licence|copying)[-_.]([a-z0-9][a-z0-9.-]*?)(?:\.md|\.txt)?$", re.I)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: each is one variant
class _Reference:
    spdx: str
    words: Counter[str]
    size: int
    later: int  # how often the text itself says "any later version"


def normalize_license_text(text: str) -> list[str]:
    """Return a licence text's words: lower-case, no punctuation, no copyright lines, one spelling."""
    kept = [line for line in text.splitlines() if not (_COPYRIGHT_LINE.match(line) or _RIGHTS_RESERVED.match(line))]
    lowered = "\n".join(kept).lower().replace("&", " and ").replace("https://", "http://")
    # British and American spellings ("licence", "licensed") must count as one word.
    lowered = re.sub(r"\blicenc", "licens", lowered)
    lowered = re.sub(r"\bsublicenc", "sublicens", lowered)
    return _WORD.findall(lowered)


@functools.cache
def _references() -> tuple[_Reference, ...]:
    folder = resources.files("harvesters").joinpath("data", "licenses")
    references = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        spdx, text = entry.name[: -len(".txt")], entry.read_text(encoding="utf-8")
        variants = [text]
        for marker, keep in ((_TERMS_END, True), (_APPENDIX_START, False)):
            found = marker.search(text)
            if found:
                variants.append(text[: found.end() if keep else found.start()])
        for variant in variants:
            words = normalize_license_text(variant)
            references.append(_Reference(spdx, Counter(words), len(words), " ".join(words).count(_LATER)))
    return tuple(references)


def _overlap(a: Counter[str], b: Counter[str]) -> int:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(min(count, large[word]) for word, count in small.items())


def _contained(reference: _Reference, words: Counter[str]) -> bool:
    return _overlap(reference.words, words) >= _CONTAINED * reference.size


def detect_spdx_license(text: str) -> tuple[str, list[str]]:
    """Return the SPDX id of a licence text (or NOASSERTION) and warnings explaining a NOASSERTION."""
    spdx, warnings = _detect(text)
    return spdx, list(warnings)


# Most repositories ship one of a few dozen licence texts, often byte for byte: remember them.
@functools.lru_cache(maxsize=256)
def _detect(text: str) -> tuple[str, tuple[str, ...]]:
    words = normalize_license_text(text)
    if len(words) < _MIN_WORDS:
        return NOASSERTION, ("the licence file is too short to recognise",)
    counts, total = Counter(words), len(words)
    scores = {ref: 2 * _overlap(ref.words, counts) / (ref.size + total) for ref in _references()}
    pair = _two_licences(counts, scores)
    if pair:
        return NOASSERTION, (f"it holds more than one licence text ({pair[0]}, {pair[1]})",)
    best_by_id: dict[str, _Reference] = {}
    for ref, score in scores.items():
        if ref.spdx not in best_by_id or score > scores[best_by_id[ref.spdx]]:
            best_by_id[ref.spdx] = ref
    ranked = sorted(best_by_id.values(), key=scores.__getitem__, reverse=True)
    best = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if scores[best] < _MATCH or scores[best] - runner_up < _MARGIN:
        return NOASSERTION, ("its text does not match a licence we know",)
    if best.spdx.endswith("-only") and " ".join(words).count(_LATER) > best.later:
        # The GNU texts say "any later version" themselves; only an extra occurrence is the
        # project's own notice choosing "version N or (at your option) any later version".
        return best.spdx[: -len("-only")] + "-or-later", ()
    return best.spdx, ()


def _two_licences(counts: Counter[str], scores: dict[_Reference, float]) -> tuple[str, str] | None:
    # Two texts are both in the file when each is still wholly there after the other's
    # words are taken away. Checking both ways matters: a short licence whose words all
    # happen to occur in a long one must not pass for a second text.
    inside = sorted((ref for ref in scores if _contained(ref, counts)), key=scores.__getitem__, reverse=True)
    for first in inside:
        rest = counts - first.words
        for second in inside:
            if second.spdx != first.spdx and _contained(second, rest) and _contained(first, counts - second.words):
                return first.spdx, second.spdx
    return None


def find_license_files(names: Iterable[str]) -> list[str]:
    """Return the licence files among root names: the main one, or one file per licence."""
    by_lower = {name.lower(): name for name in sorted(names, reverse=True)}
    main = next((by_lower[n] for n in LICENSE_NAMES if n in by_lower), None)
    if main is not None:
        return [main]
    return sorted(by_lower[n] for n in by_lower if _SPLIT.match(n) and n not in _LESSER_NAMES)


def read_license(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Set the licence from the repository's licence file(s)."""
    names = checkout.root_files()
    lesser = _lesser_license(checkout, names, record)
    if lesser is not None:
        record.offer("license", lesser[0], origin=lesser[1], rank=RANK_LICENSE_TEXT)
        return
    files = find_license_files(names)
    found: dict[str, str] = {}
    for name in files:
        spdx = _detect_file(checkout, name, record)
        if spdx is not None:
            found[name] = spdx
    if not found:
        return
    origin = ", ".join(found)
    if len(found) == 1:
        record.offer("license", next(iter(found.values())), origin=origin, rank=RANK_LICENSE_TEXT)
        return
    # LICENSE-MIT + LICENSE-APACHE is the convention for "either, at your choice"; files
    # named for parts (LICENSE-CODE, LICENSE-MODEL) are licences for different things.
    dual = all(
        spdx != NOASSERTION
        and (part := _SPLIT.match(name.lower())) is not None
        and spdx.lower().startswith(part.group(1))
        for name, spdx in found.items()
    )
    if dual:
        record.offer("license", " OR ".join(sorted(set(found.values()))), origin=origin, rank=RANK_LICENSE_TEXT)
    else:
        record.warnings.append(f"{origin}: licences for different parts of the repository; licence left as NOASSERTION")
        record.offer("license", NOASSERTION, origin=origin, rank=RANK_LICENSE_TEXT)


def _lesser_license(checkout: RepoFiles, names: list[str], record: HarvestedRecord) -> tuple[str, str] | None:
    by_lower = {name.lower(): name for name in names}
    for lower in _LESSER_NAMES:
        if lower in by_lower:
            spdx = _detect_file(checkout, by_lower[lower], record)
            if spdx and spdx.startswith("LGPL-"):
                return spdx, by_lower[lower]
    return None


def _detect_file(checkout: RepoFiles, name: str, record: HarvestedRecord) -> str | None:
    text = read_text(checkout, name, record)
    if text is None:
        return None
    spdx, warnings = detect_spdx_license(text)
    record.warnings.extend(f"{name}: {warning}; licence left as NOASSERTION" for warning in warnings)
    return spdx
