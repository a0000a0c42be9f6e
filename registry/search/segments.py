"""Segments of the in-memory search copy: slots for a set of entries, and their postings in numpy.

A segment numbers its entries (slots, in entry order) and holds, per slot, the entry id, its
length in tokens, boost, freshness time, exact-name keys and facet codes; and two inverted
indexes over the slots: every token, and every pair of adjacent tokens, each posting with the
field-weighted count of its occurrences (FTS5's bm25 column weights, applied once here).
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .documents import FIELD_WEIGHTS, FIELDS
from .lists import IntLists, Strings, StrLists

_SHIFT = np.int64(32)
#: Low bits of a Positions value that hold the field (FIELDS has five).
FIELD_BITS = 3
#: Facet codes per slot kept in a fixed-width table (more are kept aside).
CODE_COLUMNS = 12
#: A code held by more than this share of a segment's slots is also kept as a bitmap; segments
#: smaller than BITMAP_MIN_SLOTS keep none (their table is always cheaper to read).
DENSE_SHARE, BITMAP_MIN_SLOTS = 1 / 32, 4096


@dataclass
class Postings:
    """Sorted keys (token ids, or token pairs as id << 32 | id) with the slots and weighted counts of each."""

    keys: np.ndarray
    ptr: np.ndarray
    slots: np.ndarray
    freq: np.ndarray

    def span(self, low: int, high: int) -> tuple[int, int]:
        """Return the range of postings of the keys in [low, high)."""
        a, b = np.searchsorted(self.keys, [low, high])
        return int(self.ptr[a]), int(self.ptr[b])


@dataclass
class Positions:
    """Sorted pair keys with, for each, where in the segment's token stream the pair occurs (ascending).

    Kept only for pairs of one-character tokens: scripts written without spaces (Chinese,
    Japanese) are indexed one character per token, so every word of three or more characters
    is a phrase, and these positions answer it exactly without asking the database. Each value
    is ``position << FIELD_BITS | field``: the next position of the same field is the value plus
    ``1 << FIELD_BITS``, and the field gives an occurrence its bm25 weight.
    """

    keys: np.ndarray
    ptr: np.ndarray
    at: np.ndarray

    def of(self, key: int) -> np.ndarray:
        """Return the positions of one pair key (empty when it never occurs)."""
        i = int(np.searchsorted(self.keys, key))
        if i == len(self.keys) or self.keys[i] != key:
            return self.at[:0]
        return self.at[self.ptr[i] : self.ptr[i + 1]]


@dataclass
class Segment:
    ids: np.ndarray  # entry id of each slot
    length: np.ndarray  # tokens in the entry (all fields)
    boost: np.ndarray
    epoch: np.ndarray
    names: StrLists  # exact-name key -> slots
    code_table: np.ndarray  # slot × the first CODE_COLUMNS facet codes (0: none)
    code_more: IntLists  # the codes past those, for the few slots that have more
    by_code: IntLists  # facet code -> its slots
    counting: CodeBitmaps  # the same codes as bitmaps (frequent ones) and slot lists (the rest)
    vocab: Strings  # sorted tokens; a token's id is its place here
    words: Postings
    pairs: Postings
    char_pairs: Positions  # where each pair of one-character tokens occurs in the token stream
    token_start: np.ndarray  # where each slot's tokens begin in that stream (and where the last ends)

    @property
    def size(self) -> int:
        return len(self.ids)

    def token_id(self, token: str) -> int | None:
        return self.vocab.find(token)

    def prefix_ids(self, prefix: str) -> tuple[int, int]:
        return self.vocab.prefixed(prefix)


@dataclass
class Row:
    """One entry's index row as the database keeps it."""

    entry_id: int
    fields: dict[str, list[str]]
    boost: float
    epoch: float
    name_keys: str
    facet_codes: str


def _decode_codes(hexes: str, digits: int) -> list[int]:
    return [int(hexes[i : i + digits], 16) for i in range(0, len(hexes), digits)]


def build_segment(rows: Iterable[Row], code_digits: int) -> Segment:
    """Build a segment from index rows: vocabulary, postings of tokens and of adjacent pairs, facets.

    Rows are consumed one at a time and only their token numbers kept, so a large index never
    exists as Python strings all at once.
    """
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)  # a new token gets the next number
    number_of = vocab.__getitem__
    token_ids = array("i")  # token numbers: 4 bytes each, a million entries hold 150 million
    run_lengths, run_fields = array("l"), array("b")
    per_slot, entry_ids = array("l"), array("q")
    boosts, epochs = array("d"), array("d")
    names: dict[str, list[int]] = {}
    codes, code_lens = array("l"), array("l")
    slot = -1
    for slot, row in enumerate(rows):
        count = 0
        for number, name in enumerate(FIELDS):
            toks = row.fields.get(name)
            if not toks:
                continue
            token_ids.extend(map(number_of, toks))
            run_lengths.append(len(toks))
            run_fields.append(number)
            count += len(toks)
        per_slot.append(count)
        entry_ids.append(row.entry_id)
        boosts.append(row.boost)
        epochs.append(row.epoch)
        for key in row.name_keys.strip("|").split("|"):
            if key:
                names.setdefault(key, []).append(slot)
        found = _decode_codes(row.facet_codes, code_digits)
        codes.extend(found)
        code_lens.append(len(found))
    n = slot + 1
    ordered = sorted(vocab)
    rank = np.empty(len(vocab), dtype=np.int32)
    rank[np.fromiter((vocab[t] for t in ordered), dtype=np.int64, count=len(ordered))] = np.arange(
        len(ordered), dtype=np.int32
    )
    del vocab
    tokens = rank[np.frombuffer(token_ids, dtype=np.int32)] if len(token_ids) else np.zeros(0, dtype=np.int32)
    del token_ids, rank
    runs = np.frombuffer(run_lengths, dtype=np.int_)
    field_of = np.repeat(np.frombuffer(run_fields, dtype=np.int8), runs)
    slot_of = np.repeat(np.arange(n, dtype=np.int32), np.frombuffer(per_slot, dtype=np.int_))
    words = _postings(tokens, len(ordered), slot_of, field_of, n)
    # Adjacent pairs within one field: every token but the first of each run follows another.
    follows = np.ones(len(tokens), dtype=bool)
    if len(runs):
        follows[np.cumsum(runs) - runs] = False
    nxt = np.flatnonzero(follows)
    del follows
    pair_keys = tokens[nxt - 1].astype(np.int64)
    pair_keys *= len(ordered)
    pair_keys += tokens[nxt]
    one_char = np.fromiter((len(t) == 1 for t in ordered), dtype=bool, count=len(ordered))
    short = np.flatnonzero(one_char[tokens[nxt - 1]] & one_char[tokens[nxt]])
    char_pairs = _positions(pair_keys[short], nxt[short] << FIELD_BITS | field_of[nxt[short]], len(ordered))
    del one_char, short
    pairs = _postings(pair_keys, len(ordered) ** 2, slot_of[nxt], field_of[nxt], n)
    del pair_keys, nxt, tokens, slot_of, field_of
    pairs.keys = (pairs.keys // len(ordered) << _SHIFT) | (pairs.keys % len(ordered))
    token_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(per_slot, dtype=np.int_), out=token_start[1:])
    lens = np.frombuffer(code_lens, dtype=np.int_).astype(np.int64)
    code_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=code_ptr[1:])
    all_codes = np.frombuffer(codes, dtype=np.int_).astype(np.int64)
    # A fixed-width table of each slot's codes (padded with 0, which no pair has) makes counting
    # a selection one gather and one bincount; codes past the width are kept aside.
    column = np.arange(len(all_codes)) - np.repeat(code_ptr[:-1], lens)
    narrow = column < CODE_COLUMNS
    code_table = np.zeros((n, CODE_COLUMNS), dtype=np.int32)
    code_table[np.repeat(np.arange(n), lens)[narrow], column[narrow]] = all_codes[narrow]
    code_more = IntLists.of(
        {
            int(slot): all_codes[code_ptr[slot] + CODE_COLUMNS : code_ptr[slot + 1]]
            for slot in np.flatnonzero(lens > CODE_COLUMNS)
        }
    )
    code_slot = np.repeat(np.arange(n, dtype=np.int64), lens)
    order = np.argsort(all_codes, kind="stable")
    sorted_codes = all_codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(sorted_codes) else order[:0]
    # Each code's slots, ascending (the sort is stable and the slots were in order).
    by_code = IntLists(sorted_codes[starts], np.r_[starts, len(sorted_codes)].astype(np.int64), code_slot[order])
    return Segment(
        ids=np.frombuffer(entry_ids, dtype=np.int64).copy(),
        counting=CodeBitmaps.of(by_code, n),
        length=np.frombuffer(per_slot, dtype=np.int_).astype(np.float64),
        boost=np.frombuffer(boosts, dtype=np.float64).copy(),
        epoch=np.frombuffer(epochs, dtype=np.float64).copy(),
        names=StrLists.of(names),
        code_table=code_table,
        code_more=code_more,
        by_code=by_code,
        vocab=Strings.of(ordered),
        words=words,
        pairs=pairs,
        char_pairs=char_pairs,
        token_start=token_start,
    )


@dataclass
class CodeBitmaps:
    """A segment's facet codes laid out for counting a large selection without visiting its slots.

    Each frequent code is a bitmap over the slots: its count in a selection is the number of bits
    set in (its bitmap AND the selection's), 64 slots per machine word. The other codes keep their
    slot lists, all in one array, and are counted by looking the selection up at those slots. The
    cost depends on the number of codes and slots, not on the size of the selection, so it wins
    where the table of codes per slot (whose cost grows with the selection) loses.
    """

    dense_codes: np.ndarray  # codes with a bitmap
    bits: np.ndarray  # their bitmaps: len(dense_codes) × words, uint64, bit i of word j is slot 64j + i
    sparse_codes: np.ndarray  # the other codes
    sparse_slots: np.ndarray  # their slots, code after code
    sparse_index: np.ndarray  # for each of those slots, the place of its code in sparse_codes
    cost: int  # about what counting this way costs, in slot-table cells read

    @classmethod
    def of(cls, by_code: Mapping[int, np.ndarray] | IntLists, n: int) -> CodeBitmaps:
        dense = sorted(c for c, slots in by_code.items() if n >= BITMAP_MIN_SLOTS and len(slots) > n * DENSE_SHARE)
        sparse = sorted(set(by_code) - set(dense))
        words = (n + 63) // 64
        bits = np.zeros((len(dense), words * 8), dtype=np.uint8)
        for row, code in enumerate(dense):
            mask = np.zeros(words * 64, dtype=bool)
            mask[by_code[code]] = True
            bits[row] = np.packbits(mask, bitorder="little")
        slots = [by_code[c] for c in sparse]
        sizes = [len(s) for s in slots]
        return cls(
            dense_codes=np.asarray(dense, dtype=np.int64),
            bits=bits.view(np.uint64),
            sparse_codes=np.asarray(sparse, dtype=np.int64),
            sparse_slots=np.concatenate(slots).astype(np.int64) if slots else np.zeros(0, dtype=np.int64),
            sparse_index=np.repeat(np.arange(len(sparse)), sizes),
            # Packing the selection, then a few passes over each bitmap, then the lookups.
            cost=n // 4 + len(dense) * words * 2 + sum(sizes),
        )

    def count(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (codes, their counts) over the slots a boolean mask selects."""
        words = self.bits.shape[1]
        packed = np.zeros(words * 8, dtype=np.uint8)
        packed[: (len(mask) + 7) // 8] = np.packbits(mask, bitorder="little")
        dense = np.bitwise_count(self.bits & packed.view(np.uint64)).sum(axis=1, dtype=np.int64)
        sparse = np.bincount(self.sparse_index[mask[self.sparse_slots]], minlength=len(self.sparse_codes))
        return np.concatenate([self.dense_codes, self.sparse_codes]), np.concatenate([dense, sparse])


def _positions(keys: np.ndarray, at: np.ndarray, vocabulary: int) -> Positions:
    # ``at`` ascends (positions with their field in the low bits), so a stable sort by key leaves
    # each key's positions in order.
    order = np.argsort(keys, kind="stable")
    keys, at = keys[order], at[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    found = keys[first]
    width = np.int32 if not len(at) or at[-1] < 2**31 else np.int64
    return Positions(
        keys=(found // vocabulary << _SHIFT) | (found % vocabulary),
        ptr=np.r_[first, len(keys)].astype(np.int64),
        at=at.astype(width),
    )


_FIELD_WEIGHTS = np.asarray(FIELD_WEIGHTS, dtype=np.float32)


def _postings(keys: np.ndarray, bound: int, slots: np.ndarray, fields: np.ndarray, n: int) -> Postings:
    # One posting per key and slot, with the field-weighted count of its occurrences. With keys
    # below ``bound``, (key, slot, field) fits one integer, and one plain sort groups everything.
    empty = np.zeros(0, dtype=np.int64)
    if not len(keys):
        return Postings(empty, np.zeros(1, dtype=np.int64), empty.astype(np.int32), empty.astype(np.float32))
    if bound * max(n, 1) * 8 >= 2**62:  # too wide: number the keys that occur first
        distinct, keys = np.unique(keys, return_inverse=True)
    else:
        distinct = None
    # In place: at a hundred thousand entries each of these arrays is over a hundred megabytes.
    packed = keys.astype(np.int64)
    packed *= n
    packed += slots
    packed *= 8
    packed += fields
    packed.sort()
    field_w = _FIELD_WEIGHTS[packed & 7]
    packed >>= 3
    starts = np.flatnonzero(np.r_[True, packed[1:] != packed[:-1]])
    freq = np.add.reduceat(field_w, starts).astype(np.float32)
    del field_w
    key, slot = np.divmod(packed[starts], n)
    del packed
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    found = key[first]
    return Postings(
        keys=found if distinct is None else distinct[found],
        ptr=np.r_[first, len(key)].astype(np.int64),
        slots=slot.astype(np.int32),
        freq=freq,
    )
