"""The one builder of the shared search index: a new set from the database's index rows, in chunks.

Rows are read in batches of entry ids and built into segments of at most ``CHUNK_TOKENS``
tokens each, every segment written to its files and dropped before the next is built, so
memory while building depends on the chunk, not on the corpus. The counter is read before the
first row: every change committed after that is in the change log past the set's generation,
and readers read those entries again (a row read twice is only read newer).

Who builds: `flask reindex` at its end, `flask search-build` on demand, the scheduler when the
change log has grown past the set (``fold_if_due``), and a process that needs a set and finds
none (or finds its changes too many to keep apart) when no other builder holds the lock.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import store
from .changes import KEEP_CHANGES
from .segments import Row, build_segment

#: Tokens per segment of a set: about 45 bytes each at the peak of building one (700 MiB).
CHUNK_TOKENS = 16_000_000
#: Entry ids per read of index rows.
BATCH = 2000
#: The scheduler folds the change log into a new set past this many changes, or when the
#: oldest change not in the set is this old (seconds).
FOLD_CHANGES, FOLD_AGE = 2000, 300

_DIRECTORIES: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def directory_of(app) -> Path | None:
    """Return where the app's shared index lives (SEARCH_INDEX_DIR; empty: no shared index)."""
    configured = app.config.get("SEARCH_INDEX_DIR")
    if configured is None:
        return Path(app.instance_path) / "search-index"
    return Path(configured) if configured else None


def bind(app) -> None:
    """Remember where the app's database keeps its shared index (for processes without an app context)."""
    directory = directory_of(app)
    engine = app.extensions.get("registry_engine")
    if engine is not None and directory is not None:
        _DIRECTORIES[engine] = directory


def directory_for(engine: Engine) -> Path | None:
    """Return the shared index's directory for this engine, or None when it has none."""
    found = _DIRECTORIES.get(engine)
    if found is None:
        from flask import current_app, has_app_context

        if has_app_context() and current_app.extensions.get("registry_engine") is engine:
            bind(current_app)
            found = _DIRECTORIES.get(engine)
    return found


def counter(session: Session) -> tuple[int, int]:
    """Return the database's (generation, reset_generation)."""
    generation, reset = session.execute(
        text("SELECT generation, reset_generation FROM search_index_state WHERE id = 1")
    ).one()
    return int(generation), int(reset)


def build_set(
    engine: Engine,
    reader,
    code_digits: int,
    directory: Path,
    *,
    wait: bool = True,
    progress: Callable[[int], None] | None = None,
    unless: Callable[[], bool] | None = None,
) -> dict | None:
    """Build a new set and name it in the manifest; return its manifest.

    None when another builder holds the lock and ``wait`` is off, or when ``unless()``, asked
    once the lock is held, says a set made meanwhile will do.
    """
    with store.locked(directory, wait=wait) as mine:
        if not mine or (unless is not None and unless()):
            return None
        store.remove_unnamed(directory)  # what a crashed build left
        with Session(engine) as session:
            generation, reset = counter(session)
            ids = [r[0] for r in session.execute(text("SELECT id FROM entries ORDER BY id"))]
            writer = store.SetWriter(
                directory,
                generation=generation,
                reset_generation=reset,
                database=store.database_key(engine),
                code_digits=code_digits,
            )
            try:
                rows = _rows(session, reader, ids, progress)
                while True:
                    seg = build_segment(_chunk(rows), code_digits)
                    if not seg.size:
                        break
                    writer.add(seg)
                    del seg
                if not writer.manifest["segments"]:  # an empty index is one empty segment
                    writer.add(build_segment([], code_digits))
                manifest = writer.commit()
            except BaseException:
                writer.abandon()
                raise
        store.remove_unnamed(directory)
        return manifest


def _rows(session: Session, reader, ids: list[int], progress) -> Iterator[Row]:
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        yield from reader(session, batch)
        if progress:
            progress(len(batch))


def _chunk(rows: Iterator[Row]) -> Iterator[Row]:
    """Yield rows until they hold CHUNK_TOKENS tokens (the rest stay in the iterator)."""
    tokens = 0
    for row in rows:
        yield row
        tokens += sum(map(len, row.fields.values()))
        if tokens >= CHUNK_TOKENS:
            return


def fold_if_due(engine: Engine, reader, code_digits: int, directory: Path) -> dict | None:
    """Build a new set when the change log has grown past the current one; return its manifest, else None.

    Due when there is no usable set, or more than FOLD_CHANGES changes are past it, or any are
    and the set is older than FOLD_AGE seconds. Never waits for another builder.
    """
    manifest = store.read_manifest(directory)
    with Session(engine) as session:
        generation, reset = counter(session)
        if manifest is not None and manifest.get("reset_generation") == reset:
            behind = generation - int(manifest.get("generation", -1))
            if 0 <= behind <= KEEP_CHANGES:
                if behind == 0:
                    return None
                built = (directory / store.MANIFEST).stat().st_mtime if (directory / store.MANIFEST).exists() else 0
                if behind <= FOLD_CHANGES and time.time() - built < FOLD_AGE:
                    return None
    return build_set(engine, reader, code_digits, directory, wait=False)


def fold_for_app(app) -> dict | None:
    """Fold the change log into a new set of the app's shared index when it is due (the scheduler's hook)."""
    directory = directory_of(app)
    if directory is None or not app.config.get("SEARCH_IN_MEMORY"):
        return None
    from . import counts
    from .backends import backend_for

    engine = app.extensions["registry_engine"]
    with Session(engine) as session:
        reader = backend_for(session).memory_rows
    return fold_if_due(engine, reader, counts.CODE_DIGITS, directory)
