"""The shared search index: segment sets in files that every process on the machine maps read-only.

A directory (``SEARCH_INDEX_DIR``, by default ``<instance>/search-index/``) holds::

    lock              flock()ed by the one builder at a time (build.py)
    manifest.json     names the current set; replaced atomically (temp file, fsync, os.replace)
    set-<g>-<hex>     one set: every array of every segment, one after the other (64-byte aligned)
    set-<g>-<hex>.ok  the file as it was when its checksum was last found right

The manifest holds the format version, the database's ``reset_generation`` and the
``generation`` the set was built at, the database it was built from (a digest of its URL), the
facet code width, each segment's size, each array's type, shape and place in the file, and the
file's size and CRC-32. A reader opens a set only when all of that matches: the version, the
database and its reset number, the file's size and checksum, and the arrays' shapes. Anything
else and the set is not read (the caller builds another).

Reading the whole file for its checksum costs about a quarter of a second a gigabyte, so it is
done once per file, not once per process: the first reader to find it right leaves
``set-<g>-<hex>.ok`` beside it, naming the file's inode, size, modification and change times and
the checksum it matched. A reader whose file still has exactly those skips the sum; any write to
the file, or a copy put in its place, changes its change time (which no one can set back), and
the sum is taken again. (A damage that bypasses the file system, such as a failing disk, is not
seen after the first check.)

A set is written beside the current one, under a name that starts with a dot, fsynced, renamed
into place, and only then named by a new manifest; a crash leaves at worst a dot file that no
manifest names, removed by the next builder. Old sets are removed once no
manifest names them: a process that still maps one keeps reading it (unlinked files stay
readable on POSIX) until it moves to the new set.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import mmap
import os
import re
import secrets
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .lists import IntLists, Strings, StrLists
from .segments import CodeBitmaps, Positions, Postings, Segment

#: Bumped whenever the files' layout or meaning changes: a set of another version is never read.
FORMAT = 2
MANIFEST, LOCK, CHECKED = "manifest.json", "lock", ".ok"
#: A file is marked as checked only once it has not changed for this long (seconds).
SETTLED_S = 0.1
_SET_NAME = re.compile(r"^set-\d+-[0-9a-f]{8}$")
# A set, a set being written (a dot first), a set's checked mark, or a mark being written.
_OURS = re.compile(r"^\.?set-\d+-[0-9a-f]{8}(\.ok)?(\.[0-9a-f]{8})?$")
_CHUNK, _ALIGN = 8 * 2**20, 64


def database_key(engine) -> str:
    """A digest of the database's address (without its password): a set is read only for its own database."""
    plain = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(plain.encode()).hexdigest()[:16]


# --- a segment as named arrays ----------------------------------------------------------------------


def segment_arrays(seg: Segment) -> dict[str, np.ndarray]:
    """Return every array a segment holds, by the name of its file."""
    found = {
        "ids": seg.ids,
        "length": seg.length,
        "boost": seg.boost,
        "epoch": seg.epoch,
        "token_start": seg.token_start,
        "code_table": seg.code_table,
        "names.blob": seg.names.keys.blob,
        "names.offsets": seg.names.keys.offsets,
        "names.ptr": seg.names.ptr,
        "names.values": seg.names.values,
        "vocab.blob": seg.vocab.blob,
        "vocab.offsets": seg.vocab.offsets,
        "counting.dense_codes": seg.counting.dense_codes,
        "counting.bits": seg.counting.bits,
        "counting.sparse_codes": seg.counting.sparse_codes,
        "counting.sparse_slots": seg.counting.sparse_slots,
        "counting.sparse_index": seg.counting.sparse_index,
        "char_pairs.keys": seg.char_pairs.keys,
        "char_pairs.ptr": seg.char_pairs.ptr,
        "char_pairs.at": seg.char_pairs.at,
    }
    for name, lists in (("code_more", seg.code_more), ("by_code", seg.by_code)):
        found.update({f"{name}.keys": lists.keys, f"{name}.ptr": lists.ptr, f"{name}.values": lists.values})
    for name, postings in (("words", seg.words), ("pairs", seg.pairs)):
        found.update({f"{name}.{part}": getattr(postings, part) for part in ("keys", "ptr", "slots", "freq")})
    return found


def segment_of(a: dict[str, np.ndarray], cost: int) -> Segment:
    """Return the segment these arrays (by file name, as segment_arrays names them) make up."""
    return Segment(
        ids=a["ids"],
        length=a["length"],
        boost=a["boost"],
        epoch=a["epoch"],
        names=StrLists(Strings(a["names.blob"], a["names.offsets"]), a["names.ptr"], a["names.values"]),
        code_table=a["code_table"],
        code_more=IntLists(a["code_more.keys"], a["code_more.ptr"], a["code_more.values"]),
        by_code=IntLists(a["by_code.keys"], a["by_code.ptr"], a["by_code.values"]),
        counting=CodeBitmaps(
            dense_codes=a["counting.dense_codes"],
            bits=a["counting.bits"],
            sparse_codes=a["counting.sparse_codes"],
            sparse_slots=a["counting.sparse_slots"],
            sparse_index=a["counting.sparse_index"],
            cost=cost,
        ),
        vocab=Strings(a["vocab.blob"], a["vocab.offsets"]),
        words=Postings(*(a[f"words.{p}"] for p in ("keys", "ptr", "slots", "freq"))),
        pairs=Postings(*(a[f"pairs.{p}"] for p in ("keys", "ptr", "slots", "freq"))),
        char_pairs=Positions(a["char_pairs.keys"], a["char_pairs.ptr"], a["char_pairs.at"]),
        token_start=a["token_start"],
    )


def _consistent(seg: Segment) -> bool:
    """Check what the checksums cannot: that the arrays fit together (a bug, or files of two sets)."""
    n = len(seg.ids)
    same = [seg.length, seg.boost, seg.epoch, seg.code_table]
    lists = [
        (seg.vocab.offsets, seg.vocab.blob),
        (seg.names.keys.offsets, seg.names.keys.blob),
        (seg.names.ptr, seg.names.values),
        (seg.code_more.ptr, seg.code_more.values),
        (seg.by_code.ptr, seg.by_code.values),
        (seg.words.ptr, seg.words.slots),
        (seg.pairs.ptr, seg.pairs.slots),
        (seg.char_pairs.ptr, seg.char_pairs.at),
    ]
    return (
        all(len(x) == n for x in same)
        and len(seg.token_start) == n + 1
        and all(len(ptr) >= 1 and int(ptr[-1]) == len(values) and int(ptr[0]) == 0 for ptr, values in lists)
        and len(seg.words.freq) == len(seg.words.slots)
        and len(seg.pairs.freq) == len(seg.pairs.slots)
        and len(seg.words.keys) + 1 == len(seg.words.ptr)
        and len(seg.pairs.keys) + 1 == len(seg.pairs.ptr)
        and len(seg.char_pairs.keys) + 1 == len(seg.char_pairs.ptr)
    )


# --- writing ---------------------------------------------------------------------------------------


class _Summing:
    """A file object that counts and checksums what goes through it."""

    def __init__(self, fh):
        self.fh, self.crc, self.bytes = fh, 0, 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.crc = zlib.crc32(view, self.crc)
        self.bytes += len(view)
        return self.fh.write(view)


class SetWriter:
    """Writes one set beside the current one, segment after segment; ``commit`` names it in the manifest."""

    def __init__(self, directory: Path, *, generation: int, reset_generation: int, database: str, code_digits: int):
        self.directory = directory
        self.name = f"set-{generation}-{secrets.token_hex(4)}"
        self.building = directory / f".{self.name}"
        self._fh = open(self.building, "wb")  # noqa: SIM115  (closed by commit or abandon)
        self._out = _Summing(self._fh)
        self.manifest: dict = {
            "format": FORMAT,
            "set": self.name,
            "reset_generation": reset_generation,
            "generation": generation,
            "database": database,
            "code_digits": code_digits,
            "segments": [],
            "arrays": {},
        }

    def add(self, seg: Segment) -> None:
        """Append a segment's arrays to the set's file, each at an offset that is a multiple of 64."""
        prefix = f"s{len(self.manifest['segments'])}"
        for name, array in segment_arrays(seg).items():
            array = np.ascontiguousarray(array)
            pad = -self._out.bytes % _ALIGN
            if pad:
                self._out.write(bytes(pad))
            offset = self._out.bytes
            flat = array.reshape(-1).view(np.uint8) if array.size else np.zeros(0, dtype=np.uint8)
            for start in range(0, len(flat), _CHUNK):
                self._out.write(flat[start : start + _CHUNK])
            self.manifest["arrays"][f"{prefix}.{name}"] = {
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "offset": offset,
            }
        self.manifest["segments"].append({"prefix": prefix, "size": seg.size, "cost": int(seg.counting.cost)})

    def commit(self) -> dict:
        """Move the set into place and name it in a new manifest (atomically); return the manifest."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self.manifest["bytes"], self.manifest["crc32"] = self._out.bytes, self._out.crc
        os.rename(self.building, self.directory / self.name)
        temp = self.directory / f".{MANIFEST}.{secrets.token_hex(4)}"
        with open(temp, "w") as fh:
            json.dump(self.manifest, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, self.directory / MANIFEST)
        _fsync_dir(self.directory)
        return self.manifest

    def abandon(self) -> None:
        self._fh.close()
        self.building.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_unnamed(directory: Path) -> None:
    """Remove the sets and unfinished builds no manifest names (call under the builder's lock)."""
    manifest = read_manifest(directory)
    current = manifest.get("set") if manifest else None
    keep = {current, f"{current}{CHECKED}"}
    for path in directory.iterdir():
        name = path.name
        if name not in keep and (_OURS.match(name) or name.startswith(f".{MANIFEST}.")):
            path.unlink(missing_ok=True)


# --- reading ---------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict | None:
    """Return the manifest, or None when there is none or it cannot be read."""
    try:
        found = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def manifest_stamp(directory: Path) -> tuple | None:
    """Return what changes when the manifest is replaced (a stat, no read), or None without one."""
    try:
        st = os.stat(directory / MANIFEST)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def usable(manifest: dict | None, *, database: str, code_digits: int) -> bool:
    """Return whether a manifest is of this format and names a set of this database (files unchecked)."""
    return (
        manifest is not None
        and manifest.get("format") == FORMAT
        and manifest.get("database") == database
        and manifest.get("code_digits") == code_digits
        and bool(_SET_NAME.match(str(manifest.get("set"))))
    )


@dataclass
class SharedSet:
    """An opened set: its segments, mapped from its file, and what the manifest says of it."""

    name: str
    generation: int
    reset_generation: int
    segments: list[Segment]
    stamp: tuple | None = None
    manifest: dict = field(default_factory=dict)


def open_set(directory: Path, *, database: str, code_digits: int) -> SharedSet | None:
    """Open the set the manifest names, or return None when it is missing, damaged or not for this database.

    The caller checks the reset number and generation against the database's counter.
    """
    stamp = manifest_stamp(directory)
    manifest = read_manifest(directory)
    if not usable(manifest, database=database, code_digits=code_digits):
        return None
    assert manifest is not None
    try:
        path = directory / manifest["set"]
        with open(path, "rb") as fh:
            # The size, and the checksum of the whole file unless this very file was found right
            # before: a truncated or damaged set is never read.
            st = os.fstat(fh.fileno())
            if st.st_size != manifest["bytes"]:
                return None
            if not _checked_before(path, st, manifest["crc32"]):
                if _crc32(fh) != manifest["crc32"]:
                    return None
                _mark_checked(path, manifest["crc32"])
            mapped = mmap.mmap(fh.fileno(), 0, prot=mmap.PROT_READ) if manifest["bytes"] else b""
        segments = []
        for info in manifest["segments"]:
            prefix = info["prefix"] + "."
            arrays = {
                name[len(prefix) :]: _array(mapped, spec)
                for name, spec in manifest["arrays"].items()
                if name.startswith(prefix)
            }
            seg = segment_of(arrays, int(info["cost"]))
            if seg.size != info["size"] or not _consistent(seg):
                return None
            segments.append(seg)
    except (OSError, KeyError, TypeError, ValueError):  # a missing file, or a manifest that does not fit it
        return None
    return SharedSet(
        name=manifest["set"],
        generation=int(manifest["generation"]),
        reset_generation=int(manifest["reset_generation"]),
        segments=segments,
        stamp=stamp,
        manifest=manifest,
    )


def _array(mapped, spec: dict) -> np.ndarray:
    dtype = np.dtype(spec["dtype"])
    if dtype.kind not in "iuf":
        raise ValueError(f"unexpected dtype {dtype}")
    shape = tuple(int(x) for x in spec["shape"])
    count = int(np.prod(shape)) if shape else 1
    return np.frombuffer(mapped, dtype=dtype, count=count, offset=int(spec["offset"])).reshape(shape)


def _file_state(st: os.stat_result) -> list[int]:
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _checked_before(path: Path, st: os.stat_result, crc: int) -> bool:
    """Return whether this file, unchanged since, was found to have this checksum."""
    try:
        mark = json.loads(path.with_name(path.name + CHECKED).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(mark, dict) and mark.get("crc32") == crc and mark.get("file") == _file_state(st)


def _mark_checked(path: Path, crc: int) -> None:
    """Note that the file, as it is now, has this checksum (best effort: without it, the next reader sums).

    Only a file unchanged for SETTLED_S is marked: file times move in clock ticks (a few
    milliseconds), so a write in the tick of the mark's look would leave them as the mark says.
    """
    mark = path.with_name(path.name + CHECKED)
    temp = path.with_name(f".{mark.name}.{secrets.token_hex(4)}")
    try:
        st = os.stat(path)
        if time.time_ns() - st.st_ctime_ns < SETTLED_S * 1e9:
            return
        temp.write_text(json.dumps({"crc32": crc, "file": _file_state(st)}))
        os.replace(temp, mark)
    except OSError:
        temp.unlink(missing_ok=True)


def _crc32(fh) -> int:
    crc = 0
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while n := fh.readinto(buffer):
        crc = zlib.crc32(view[:n], crc)
    return crc


# --- one builder at a time -------------------------------------------------------------------------


@contextlib.contextmanager
def locked(directory: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the builder's lock (yield True), or yield False at once when ``wait`` is off and it is taken."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def building(directory: Path) -> bool:
    """Return whether a builder holds the lock now (in this process or another)."""
    try:
        with open(directory / LOCK, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except OSError:
        return False
