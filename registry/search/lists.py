"""Flat layouts of a segment's lookups: every part is a few numpy arrays, so a file can hold it.

A segment built in memory and one mapped from files (store.py) hold the same classes over
different arrays: sorted keys, a pointer array (the values of key i are ``values[ptr[i]:ptr[i + 1]]``)
and the values, CSR-style. Strings are kept as UTF-8 bytes one after the other with their offsets;
UTF-8 sorts bytewise as its code points do, so a binary search over the bytes finds what a
search over the sorted Python strings found. No process holds a Python object per token or key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np

#: Past the highest code point: every string that starts with a prefix sorts below prefix + this.
_TOP = "\U0010ffff".encode()


class Strings:
    """Sorted distinct strings as UTF-8 bytes and offsets; a string's number is its place."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self.blob, self.offsets = blob, offsets  # uint8; int64, one more than the strings
        self._bytes = blob.data  # (slicing a memoryview is cheaper than slicing the array)

    @classmethod
    def of(cls, ordered: Iterable[str]) -> Strings:
        encoded = [s.encode() for s in ordered]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def at(self, i: int) -> bytes:
        return bytes(self._bytes[int(self.offsets[i]) : int(self.offsets[i + 1])])

    def __getitem__(self, i: int) -> str:
        return self.at(i).decode()

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def _bisect(self, key: bytes) -> int:
        low, high = 0, len(self)
        offsets, view = self.offsets, self._bytes
        while low < high:
            mid = (low + high) // 2
            if bytes(view[int(offsets[mid]) : int(offsets[mid + 1])]) < key:
                low = mid + 1
            else:
                high = mid
        return low

    def find(self, s: str) -> int | None:
        """Return the number of a string, or None when it is not here."""
        key = s.encode()
        at = self._bisect(key)
        return at if at < len(self) and self.at(at) == key else None

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """Return the range of the numbers of the strings that start with a prefix."""
        key = prefix.encode()
        return self._bisect(key), self._bisect(key + _TOP)


class StrLists:
    """A mapping of strings to arrays of slots (the exact-name keys of a segment)."""

    def __init__(self, keys: Strings, ptr: np.ndarray, values: np.ndarray):
        self.keys, self.ptr, self.values = keys, ptr, values

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[int]]) -> StrLists:
        ordered = sorted(mapping)
        lists = [np.asarray(list(mapping[k]), dtype=np.int64) for k in ordered]
        return cls(Strings.of(ordered), _pointers(lists), _joined(lists, np.int64))

    def get(self, key: str) -> np.ndarray | None:
        i = self.keys.find(key)
        return None if i is None else self.values[self.ptr[i] : self.ptr[i + 1]]

    def __len__(self) -> int:
        return len(self.keys)


class IntLists:
    """A mapping of integers to arrays (a facet code's slots, a slot's further codes)."""

    def __init__(self, keys: np.ndarray, ptr: np.ndarray, values: np.ndarray):
        self.keys, self.ptr, self.values = keys, ptr, values

    @classmethod
    def of(cls, mapping: Mapping[int, np.ndarray]) -> IntLists:
        ordered = sorted(mapping)
        lists = [np.asarray(mapping[k], dtype=np.int64) for k in ordered]
        return cls(np.asarray(ordered, dtype=np.int64), _pointers(lists), _joined(lists, np.int64))

    def get(self, key: int) -> np.ndarray | None:
        i = int(np.searchsorted(self.keys, key))
        if i == len(self.keys) or self.keys[i] != key:
            return None
        return self.values[self.ptr[i] : self.ptr[i + 1]]

    def __getitem__(self, key: int) -> np.ndarray:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def items(self) -> Iterator[tuple[int, np.ndarray]]:
        for i, key in enumerate(self.keys.tolist()):
            yield key, self.values[self.ptr[i] : self.ptr[i + 1]]

    def __iter__(self) -> Iterator[int]:
        return iter(self.keys.tolist())

    def __len__(self) -> int:
        return len(self.keys)


def _pointers(lists: list[np.ndarray]) -> np.ndarray:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists)), out=ptr[1:])
    return ptr


def _joined(lists: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(lists).astype(dtype) if lists else np.zeros(0, dtype=dtype)
