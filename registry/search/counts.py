"""Facet counts: kept for the whole index, and counted fast for any set of matches.

Kept counts let browsing everything read a few hundred rows instead of every indexed entry's
facets. The table holds one row per facet pair ("facet\\x1evalue", the encoding of documents.py)
and one row under TOTAL for the number of indexed entries. Every index write adjusts it in the
same transaction, from the difference between the entries' old and new facet strings.

Codes count the matches of a query. Every facet pair ever indexed has a number in
search_facet_codes (never reused, never changed), and each index row keeps its pairs' numbers as
fixed-width hexadecimal in facet_codes. The database joins the matches' codes into one string;
numpy turns it into integers and counts them, instead of Python splitting and counting strings.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Select, String, bindparam, cast, column, null, select, table, text, union_all
from sqlmodel import Session

from .documents import FACET_SEP

#: Hexadecimal digits of one code in facet_codes: room for 16.7 million distinct facet pairs.
CODE_DIGITS = 6
MAX_CODE = 16**CODE_DIGITS - 1
#: Characters of joined codes decoded at a time, so a million matches never need a million-row array.
CODE_CHUNK = CODE_DIGITS * (1 << 18)
#: Pairs looked up per statement (SQLite caps the number of parameters).
_LOOKUP_BATCH = 500

#: The row that counts indexed entries (no facet pair is empty).
TOTAL = ""


def _pairs(facets: str | None) -> list[str]:
    # No pair is empty: an empty piece must never count under TOTAL.
    return [pair for pair in facets.split(FACET_SEP) if pair] if facets else []


def adjust(session: Session, old: dict[int, str], new: dict[int, str]) -> None:
    """Move the counts from the entries' old facet strings (absent: not indexed) to their new ones."""
    delta: Counter[str] = Counter()
    for facets in old.values():
        delta.subtract(_pairs(facets))
        delta[TOTAL] -= 1
    for facets in new.values():
        delta.update(_pairs(facets))
        delta[TOTAL] += 1
    # Sorted, so two PostgreSQL transactions touching the same rows lock them in the same order.
    changes = sorted((pair, n) for pair, n in delta.items() if n)
    if not changes:
        return
    session.execute(
        text("""INSERT INTO search_facet_counts (pair, n) VALUES (:pair, :n)
        ON CONFLICT (pair) DO UPDATE SET n = search_facet_counts.n + excluded.n"""),
        [{"pair": pair, "n": n} for pair, n in changes],
    )
    if any(n < 0 for _, n in changes):
        session.execute(text("DELETE FROM search_facet_counts WHERE n <= 0 AND pair <> :total"), {"total": TOTAL})


def reset(session: Session) -> None:
    """Forget every count (the index is being emptied)."""
    session.execute(text("DELETE FROM search_facet_counts"))


def read(session: Session, documents, leave_out=None) -> Counter[str]:
    """Return the count of every facet pair, and of all indexed entries under TOTAL.

    ``documents`` is the backend's (entry_id, facets) subquery of the index; the rows of the
    entries ``leave_out`` selects are taken off. One statement reads both, so on PostgreSQL
    one snapshot answers: a change committed between two reads cannot be taken off twice.
    """
    kept: Select[Any, Any, Any] = (
        select(column("pair"), column("n"), cast(null(), String).label("facets"))
        .select_from(table("search_facet_counts"))
        .where(column("n") > 0)
    )
    parts = [kept]
    if leave_out is not None:
        parts.append(
            select(cast(null(), String), cast(null(), BigInteger), documents.c.facets).where(
                documents.c.entry_id.in_(leave_out)
            )
        )
    found: Counter[str] = Counter()
    for pair, n, facets in session.connection().execute(union_all(*parts)):
        if pair is not None:
            found[pair] += n
        else:
            found.subtract(_pairs(facets))
            found[TOTAL] -= 1
    return +found


def rebuild(session: Session, facet_strings) -> None:
    """Count from scratch, from every indexed entry's facet string (for a migration)."""
    reset(session)
    adjust(session, {}, dict(enumerate(facet_strings)))


def codes_for(session: Session, pairs: set[str]) -> dict[str, int]:
    """Return the code of each facet pair, numbering pairs never seen before."""
    wanted = sorted(pair for pair in pairs if pair)
    found = _codes_of_pairs(session, wanted)
    missing = [pair for pair in wanted if pair not in found]
    if missing:
        # Sorted, and ON CONFLICT: two writers numbering the same new pair get the same code.
        session.execute(
            text("INSERT INTO search_facet_codes (pair) VALUES (:pair) ON CONFLICT (pair) DO NOTHING"),
            [{"pair": pair} for pair in missing],
        )
        found.update(_codes_of_pairs(session, missing))
    if found and max(found.values()) > MAX_CODE:
        raise RuntimeError(f"more than {MAX_CODE} distinct facet values: widen counts.CODE_DIGITS")
    return found


def known_codes(session: Session, pairs: list[str]) -> dict[str, int]:
    """Return the codes of those of these pairs that have one (none is given here)."""
    return _codes_of_pairs(session, sorted(set(pairs)))


def _codes_of_pairs(session: Session, pairs: list[str]) -> dict[str, int]:
    return _lookup(session, "SELECT pair, code FROM search_facet_codes WHERE pair IN :keys", pairs)


def _lookup(session: Session, sql: str, keys: list) -> dict:
    # Two-column rows of the statement for these keys, a batch of keys at a time.
    stmt = text(sql).bindparams(bindparam("keys", expanding=True))
    found: dict = {}
    for start in range(0, len(keys), _LOOKUP_BATCH):
        found.update(session.execute(stmt, {"keys": keys[start : start + _LOOKUP_BATCH]}).all())
    return found


def meta_rows(session: Session, docs, *, with_codes: bool) -> tuple[list[str], list[dict]]:
    """Return the columns and rows of the small values both backends keep per indexed entry.

    ``with_codes`` adds facet_codes (False only while migrating, before 0009 made the column).
    """
    columns = ["entry_id", "boost", "updated_epoch", "name_keys", "facets"]
    rows = [
        {
            "entry_id": d.entry_id,
            "boost": d.boost,
            "updated_epoch": d.updated_epoch,
            "name_keys": d.name_keys,
            "facets": d.facets,
        }
        for d in docs
    ]
    if with_codes:
        columns.append("facet_codes")
        for row, codes in zip(rows, document_codes(session, docs), strict=False):
            row["facet_codes"] = codes
    return columns, rows


def document_codes(session: Session, docs) -> list[str]:
    """Return the facet_codes text of each index document, in order."""
    codes = codes_for(session, {pair for doc in docs for pair in _pairs(doc.facets)})
    return [encode(doc.facets, codes) for doc in docs]


def encode(facets: str | None, codes: dict[str, int]) -> str:
    """Return the facet_codes text of a facet string: each pair's code, fixed width, in order."""
    return "".join(f"{codes[pair]:0{CODE_DIGITS}x}" for pair in _pairs(facets))


def count_codes(session: Session, joined: str | None) -> Counter[str]:
    """Count the pairs of facet_codes texts joined end to end, a bounded slice at a time."""
    if not joined:
        return Counter()
    if len(joined) % CODE_DIGITS:
        raise ValueError("joined facet codes are not a whole number of codes")
    width = CODE_DIGITS // 2
    tally = np.zeros(1, dtype=np.int64)
    for start in range(0, len(joined), CODE_CHUNK):
        raw = np.frombuffer(bytes.fromhex(joined[start : start + CODE_CHUNK]), dtype=np.uint8)
        digits = raw.reshape(-1, width).astype(np.int64)
        numbers = np.zeros(len(digits), dtype=np.int64)
        for i in range(width):
            numbers = (numbers << 8) | digits[:, i]
        found = np.bincount(numbers)
        if len(found) > len(tally):
            found[: len(tally)] += tally
            tally = found
        else:
            tally[: len(found)] += found
    present = [int(code) for code in np.flatnonzero(tally)]
    names = pairs_of_codes(session, present)
    if len(names) != len(present):
        raise LookupError(f"facet codes without a pair: {sorted(set(present) - set(names))[:5]}")
    return Counter({names[code]: int(tally[code]) for code in present})


def pairs_of_codes(session: Session, codes: list[int]) -> dict[int, str]:
    """Return the pair each of these codes stands for."""
    return _lookup(session, "SELECT code, pair FROM search_facet_codes WHERE code IN :keys", codes)
