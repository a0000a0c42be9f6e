"""Differences between two revision snapshots, as lines for a template to show (Jinja escapes them)."""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass
from typing import Any

from ..schemas.entries import ENTRY_FIELDS, TEXT_FIELDS

#: Fields whose text is compared line by line; the rest are shown as old value → new value.


@dataclass
class FieldDiff:
    field: str
    #: (op, text) with op one of "del", "ins", "ctx" (unchanged context) or "gap" (lines skipped).
    # dataclasses.field: the name `field` is the attribute above in this class's body.
    lines: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(("gap", "…"))
        elif line.startswith("-"):
            lines.append(("del", line[1:]))
        elif line.startswith("+"):
            lines.append(("ins", line[1:]))
        else:
            lines.append(("ctx", line[1:]))
    # The first hunk marker carries no information when the text is short.
    if lines and lines[0][0] == "gap":
        lines.pop(0)
    return lines


def snapshot_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldDiff]:
    """Return what changed from ``old`` to ``new`` (None means the entry did not exist yet)."""
    old = old or {}
    names = [n for n in ENTRY_FIELDS if n in new or n in old] + sorted((set(new) | set(old)) - set(ENTRY_FIELDS))
    out = []
    for name in names:
        before, after = _text(old.get(name)), _text(new.get(name))
        if before == after:
            continue
        if name in TEXT_FIELDS:
            out.append(FieldDiff(name, _line_diff(before, after)))
        else:
            lines = ([("del", before)] if before else []) + ([("ins", after)] if after else [])
            out.append(FieldDiff(name, lines))
    return out
