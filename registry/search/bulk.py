"""Documents for many entries at once, built in worker processes so a rebuild or a load uses every core.

Building an entry's document (the tokenizer over its texts) is about half of a rebuild's CPU,
and the other half — writing rows and the full-text index — has to happen in the one process
that holds the write transaction. So the writer hands out batches of committed entry ids, and
each worker opens a connection of its own, reads those entries and builds their documents,
while the writer writes the batches that are done. A few batches at most wait in between, so
memory stays bounded whatever the corpus size. Workers start from the registry's server process
(registry/processes.py), never as forks of the writer: a database connection must not cross a fork.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool

from sqlalchemy import Engine
from sqlmodel import Session

from ..db import make_engine
from ..processes import worker_context
from .documents import SearchDocument
from .loading import read_documents

#: Batches handed out ahead of the writer, per worker: enough to keep each worker busy while
#: the writer writes, few enough that waiting documents stay a few megabytes.
AHEAD = 2

#: Below this many entries a rebuild or a load takes seconds in one process: starting workers would cost more.
PARALLEL_FROM = 5000

#: (ids in the batch, their documents, the ids left out as hidden or deleted)
Built = tuple[int, list[SearchDocument], list[int]]

_engine: Engine | None = None


def _start(url: str) -> None:
    global _engine
    _engine = make_engine(url, pool_size=1, max_overflow=0)


def _build(entry_ids: list[int]) -> Built:
    assert _engine is not None  # set by _start in every worker
    with Session(_engine) as session:
        docs, left_out = read_documents(session, entry_ids)
    return len(entry_ids), docs, left_out


def processes_for(entries: int | None) -> int:
    """Worker processes for building documents: one per core for a large rebuild or load, none for a small one."""
    return (os.cpu_count() or 1) if entries is not None and entries >= PARALLEL_FROM else 1


def can_share(session: Session) -> bool:
    """Tell whether other processes can read what this session's database has committed."""
    url = session.get_bind().engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


class Builder:
    """Build the documents of batches of committed entries, in order: in worker processes, or (with
    ``processes`` of 1, or a database only this process sees) in this one through its session.

    ``reader``: the session only reads, and the batches are committed by another one after it
    began, so in this process each batch is read in a transaction of its own (one begun earlier
    may not see them).
    """

    def __init__(self, session: Session, *, processes: int = 1, reader: bool = False):
        self.session = session
        self.reader = reader
        self.processes = processes if processes > 1 and can_share(session) else 1
        self._pool: Pool | None = None
        self._waiting: deque[AsyncResult | Built] = deque()

    def __enter__(self) -> Builder:
        if self.processes > 1:
            url = self.session.get_bind().engine.url.render_as_string(hide_password=False)
            self._pool = worker_context().Pool(self.processes, initializer=_start, initargs=(url,))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    @property
    def full(self) -> bool:
        """True when as many batches wait as the workers should be given ahead of the writer."""
        return len(self._waiting) >= self.processes * AHEAD

    def submit(self, entry_ids: list[int]) -> None:
        """Start building a batch (in this process: build it now)."""
        if self._pool is None:
            if self.reader:
                self.session.rollback()
            docs, left_out = read_documents(self.session, entry_ids)
            self.session.expunge_all()  # a million entries must not pile up in the identity map
            self._waiting.append((len(entry_ids), docs, left_out))
        else:
            self._waiting.append(self._pool.apply_async(_build, (entry_ids,)))

    def take(self, *, wait: bool = True) -> Iterator[Built]:
        """Yield the built batches in the order they were submitted: every one (``wait``), or those
        ready now."""
        while self._waiting:
            first = self._waiting[0]
            if isinstance(first, AsyncResult):
                if not wait and not first.ready():
                    return
                built = first.get()
            else:
                built = first
            self._waiting.popleft()
            yield built


def documents(session: Session, batches: Iterable[list[int]], *, processes: int = 1) -> Iterator[Built]:
    """Yield what each batch of committed entry ids builds to, in order (see Builder)."""
    with Builder(session, processes=processes) as builder:
        for ids in batches:
            builder.submit(ids)
            if builder.full:
                yield next(builder.take())
        yield from builder.take()
