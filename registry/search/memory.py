"""The search index in each process: a shared set mapped from files, and the changes made since.

The database's index (FTS5 or a tsvector) stays the truth and every write goes there; this copy
only answers reads (ranking.py). It holds, per indexed entry, a slot with the entry id, its length
in tokens, boost, freshness time, exact-name keys and facet codes, and two inverted indexes over
the slots: every token, and every pair of adjacent tokens (segments.py).

One index per machine: the segments of a set are files that every process maps read-only
(store.py), written by one builder at a time (build.py), so N workers share one copy through the
page cache and a new one opens it in milliseconds. A process opens the set the manifest names when
it was built from this database at its current reset number and the change notes still reach back
to its generation; else it builds one under the lock (or waits for the builder that holds it), and
without a directory for the files (``SEARCH_INDEX_DIR`` empty, or one it cannot write) it reads the
index into its own memory, as before the shared index.

Staying in step: every index write also bumps one counter row (``search_index_state``) and
notes the entry ids it touched (``search_index_changes``), in its own transaction. Before a
query the copy reads the counter; when it moved, it reads the noted entries' index rows again
into a small private segment, and their slots in the set die. When those outgrow a share of the
set, the process folds them into a new set in a background thread (unless another builder is at
it), answering from the segments meanwhile, and every process moves to a newer set when the
manifest names one. The counter's row lock orders the writers,
so changes are seen in the order they committed. A session that wrote the index in its open
transaction is answered by the database instead (the copy holds committed data only).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from pathlib import Path

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import build, store
from .changes import KEEP_CHANGES
from .ranking import Ranked, Snapshot, _slots_of, _top, rank  # (_top: tests read it here)
from .segments import build_segment

__all__ = ["MemoryIndex", "Ranked", "Snapshot", "_top", "enable", "index_for", "rank"]

log = logging.getLogger(__name__)

#: Changed entries are kept in small further segments; past this share of the set (or this
#: many), they are folded into a new set (or, without one, everything is read again).
DELTA_SHARE, DELTA_MIN = 0.2, 5000
#: After a fold failed, the next is tried this many seconds later at the earliest.
FOLD_RETRY_S = 60.0


class MemoryIndex:
    """One database's search index in this process, brought up to date before each query."""

    def __init__(self, reader, code_digits: int, directory: Path | None = None, engine: Engine | None = None):
        self._reader = reader
        self._code_digits = code_digits
        self._lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.reset_generation = -1
        self.loads = 0
        #: Facet codes never change once given (until the index's tables are made again, which
        #: changes the reset number), so both directions are kept once looked up.
        self.pair_of_code: dict[int, str] = {}
        self.code_of_pair: dict[str, int] = {}
        self._hidden: tuple = (None, np.zeros(0, dtype=np.int64))
        #: Where the shared sets live (None: this process reads the index into its own memory).
        self.directory = directory if engine is not None else None
        self._engine = engine
        self._database = store.database_key(engine) if engine is not None else ""
        self.shared: store.SharedSet | None = None  # the set the snapshot's first segments are mapped from
        self._stamp: tuple | None = None  # the manifest as last looked at
        #: The thread folding the changes into a new base (a set, or without a directory a whole
        #: new copy), so that no query waits for it; and that copy, with its reset number, when done.
        self.folding: threading.Thread | None = None
        self._folded: tuple[int, Snapshot] | None = None
        self._fold_after = 0.0
        self._fold_done = False

    def hidden_ids(self, fingerprint, load) -> np.ndarray:
        """Return the ids of entries never to show, calling load() only when fingerprint() changed."""
        known, ids = self._hidden
        fingerprint = fingerprint()
        if known != fingerprint:
            ids = np.asarray(load(), dtype=np.int64)
            self._hidden = (fingerprint, ids)
        return ids

    def current(self, session: Session) -> Snapshot:
        """Return a snapshot at least as new as the database's counter as this session sees it."""
        generation, reset = build.counter(session)
        snap = self.snapshot
        # A newer snapshot than this session's view (another thread refreshed it) holds committed
        # changes too: reading them is what a session started a moment later would do.
        if (
            snap is not None
            and snap.generation >= generation
            and reset == self.reset_generation
            and not self._fold_done
        ):
            return snap
        with self._lock:
            snap = self.snapshot
            fold_done, self._fold_done = self._fold_done, False  # a fold's result is taken up even without changes
            if snap is not None and snap.generation >= generation and reset == self.reset_generation and not fold_done:
                return snap
            if snap is None or reset != self.reset_generation or generation - snap.generation > KEEP_CHANGES:
                # Codes are numbered for good, but a migration that makes the index again numbers them anew.
                self.pair_of_code, self.code_of_pair = {}, {}
                self.reset_generation = reset
                snap = self._load(session, generation)
            else:
                snap = (
                    self._newer_set(session, generation)
                    or self._take_folded(session, generation)
                    or self._apply(session, snap, generation)
                )
            self.snapshot = snap
            return snap

    def waits_for_builder(self, session: Session) -> bool:
        """Return whether this process has no index to answer from until a builder elsewhere is done.

        True only while another builder holds the lock and neither this process's snapshot nor
        the set the manifest names can be brought up to date from the change notes.
        """
        if self.directory is None or not store.building(self.directory):
            return False
        generation, reset = build.counter(session)
        snap = self.snapshot
        if snap is not None and reset == self.reset_generation and generation - snap.generation <= KEEP_CHANGES:
            return False
        return not self._fits(store.read_manifest(self.directory), generation, reset)

    def _fits(self, manifest: dict | None, generation: int, reset: int) -> bool:
        # A set this process may start from: this database's, at its reset number, and with every
        # change since it still in the notes (a set newer than this session's view is fine too).
        return (
            store.usable(manifest, database=self._database, code_digits=self._code_digits)
            and manifest is not None
            and manifest.get("reset_generation") == reset
            and generation - int(manifest.get("generation", 0)) <= KEEP_CHANGES
        )

    def _open(self, generation: int) -> store.SharedSet | None:
        assert self.directory is not None
        self._stamp = store.manifest_stamp(self.directory)
        if not self._fits(store.read_manifest(self.directory), generation, self.reset_generation):
            return None
        found = store.open_set(self.directory, database=self._database, code_digits=self._code_digits)
        return found if found is not None and self._fits(found.manifest, generation, self.reset_generation) else None

    def _build(self, generation: int, *, wait: bool) -> store.SharedSet | None:
        """Build a set under the lock (or take the one another builder made meanwhile); None when none came."""
        assert self.directory is not None and self._engine is not None
        opened: list[store.SharedSet] = []

        def done_meanwhile() -> bool:  # asked under the lock: another builder may have made one
            found = self._open(generation)
            if found is not None:
                opened.append(found)
            return bool(opened)

        try:
            built = build.build_set(
                self._engine, self._reader, self._code_digits, self.directory, wait=wait, unless=done_meanwhile
            )
        except OSError as err:  # a directory it cannot write: this process reads the index itself
            log.warning("search index: cannot build a shared set in %s (%s)", self.directory, err)
            return None
        if opened:
            return opened[0]
        return self._open(generation) if built is not None else None

    def _load(self, session: Session, generation: int) -> Snapshot:
        """Return a snapshot of the whole index: the shared set (opened, or built first) and the changes since."""
        if self.directory is not None:
            found = self._open(generation) or self._build(generation, wait=True)
            if found is not None:
                return self._from_set(session, found, generation)
        return self._load_all(session, generation)

    def _from_set(self, session: Session, found: store.SharedSet, generation: int) -> Snapshot:
        self.shared = found
        self.loads += 1
        alive = [np.ones(seg.size, dtype=bool) for seg in found.segments]
        snap = Snapshot(found.segments, alive, found.generation, base=len(found.segments))
        return self._apply(session, snap, generation, fold=False) if generation > found.generation else snap

    def _newer_set(self, session: Session, generation: int) -> Snapshot | None:
        """Return a snapshot from the set the manifest names when it is newer than this one's (a stat, else)."""
        if self.directory is None or store.manifest_stamp(self.directory) == self._stamp:
            return None
        found = self._open(generation)
        if found is None or (self.shared is not None and found.generation <= self.shared.generation):
            return None
        return self._from_set(session, found, generation)

    def _load_all(self, session: Session, generation: int) -> Snapshot:
        self.shared = None
        base = build_segment(self._reader(session, None), self._code_digits)
        self.loads += 1
        return Snapshot([base], [np.ones(base.size, dtype=bool)], generation)

    def _apply(self, session: Session, snap: Snapshot, generation: int, *, fold: bool = True) -> Snapshot:
        """Return the snapshot with the entries noted since it was taken read again.

        Their old slots die; their current rows become a new small segment. Small segments are
        merged like a binary counter (the last two while the older is at most twice the newer), so
        there are only a few and each row is read again only a few times; when the changed rows
        outgrow a share of the base, they are folded into a new set (or everything is read again).
        """
        changed = sorted(
            r[0]
            for r in session.execute(
                text("SELECT DISTINCT entry_id FROM search_index_changes WHERE generation > :g"), {"g": snap.generation}
            )
        )
        base = snap.base
        if not changed:
            return Snapshot(snap.segments, snap.alive, generation, base)
        gone = np.asarray(changed, dtype=np.int64)
        segments, alive = list(snap.segments), []
        for seg, live in zip(segments, snap.alive, strict=False):
            live = live.copy()
            live[_slots_of(seg, gone)] = False
            alive.append(live)
        rows = list(self._reader(session, changed))
        if rows:
            segments.append(build_segment(rows, self._code_digits))
            alive.append(np.ones(len(rows), dtype=bool))
        while len(segments) > base + 1 and alive[-2].sum() <= 2 * alive[-1].sum():
            ids = sorted(segments[-2].ids[alive[-2]].tolist() + segments[-1].ids[alive[-1]].tolist())
            del segments[-2:], alive[-2:]
            merged = list(self._reader(session, ids))
            if merged:
                segments.append(build_segment(merged, self._code_digits))
                alive.append(np.ones(len(merged), dtype=bool))
        newer = sum(int(a.sum()) for a in alive[base:])
        if fold and newer > max(DELTA_MIN, DELTA_SHARE * sum(seg.size for seg in segments[:base])):
            if self._engine is None:
                return self._load_all(session, generation)
            # In the background: these segments answer meanwhile, and a later query moves to the
            # new set (or copy) once it is there.
            self._fold_in_background()
        return Snapshot(segments, alive, generation, base)

    def _fold_in_background(self) -> None:
        if self.folding is not None and self.folding.is_alive():
            return
        if time.monotonic() < self._fold_after:  # a fold failed a moment ago
            return
        if self.directory is not None and store.building(self.directory):  # another builder is at it
            return
        self.folding = threading.Thread(target=self._fold, name="search-fold", daemon=True)
        self.folding.start()

    def _fold(self) -> None:
        """Build a new base from the whole index: a set under the lock (unless another builder is at
        it, or has named a newer one), or without a directory this process's own copy."""
        assert self._engine is not None
        try:
            if self.directory is not None:
                since = self.shared.generation if self.shared is not None else -1
                build.build_set(
                    self._engine,
                    self._reader,
                    self._code_digits,
                    self.directory,
                    wait=False,
                    unless=lambda: self._named_newer(since),
                )
                return
            with Session(self._engine) as session:
                generation, reset = build.counter(session)
                base = build_segment(self._reader(session, None), self._code_digits)
            self._folded = (reset, Snapshot([base], [np.ones(base.size, dtype=bool)], generation))
        except OSError as err:  # a directory it cannot write: this process reads the index itself from now on
            log.warning("search index: cannot build a shared set in %s (%s)", self.directory, err)
            self.directory = None
        except Exception:  # the segments kept apart go on answering; a fold is tried again a minute later
            log.exception("search index: folding the changes into a new base failed")
            self._fold_after = time.monotonic() + FOLD_RETRY_S
        finally:
            self._fold_done = True

    def _named_newer(self, since: int) -> bool:
        # Asked under the builder's lock: a set named meanwhile, newer than this process's, will do.
        assert self.directory is not None
        manifest = store.read_manifest(self.directory)
        return (
            store.usable(manifest, database=self._database, code_digits=self._code_digits)
            and manifest is not None
            and int(manifest.get("generation", -1)) > since
        )

    def _take_folded(self, session: Session, generation: int) -> Snapshot | None:
        """Return the copy a background fold made (without a directory), brought up to date; else None."""
        folded, self._folded = self._folded, None
        # (A copy of another reset, or one the change notes no longer reach back to, is dropped.)
        if folded is None or folded[0] != self.reset_generation or generation - folded[1].generation > KEEP_CHANGES:
            return None
        self.shared = None
        self.loads += 1
        snap = folded[1]
        return self._apply(session, snap, generation, fold=False) if generation > snap.generation else snap


_INDEXES: weakref.WeakKeyDictionary[Engine, MemoryIndex] = weakref.WeakKeyDictionary()
_ENABLED: weakref.WeakSet[Engine] = weakref.WeakSet()
_REGISTRY_LOCK = threading.Lock()


def enable(engine: Engine) -> None:
    """Answer this database's ranked queries from memory (create_app does it unless SEARCH_IN_MEMORY is off)."""
    _ENABLED.add(engine)


def index_for(session: Session, reader, code_digits: int) -> MemoryIndex | None:
    """Return the memory index of the session's database, or None when the database must answer.

    The database answers when the copy is off for it, when this session changed the index in
    its open transaction (the copy has committed rows only), and while another process builds the
    shared set this one needs (a reindex, or the first set of a machine).
    """
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine not in _ENABLED or session.info.get("search_index_written"):
        return None
    with _REGISTRY_LOCK:
        found = _INDEXES.get(engine)
        if found is None:
            found = _INDEXES[engine] = MemoryIndex(reader, code_digits, build.directory_for(engine), engine)
    return None if found.waits_for_builder(session) else found
