"""Documents for many entries at once, built in worker processes so a rebuild uses every core.

Building an entry's document (the tokenizer over its texts) is about half of a rebuild's CPU,
and the other half — writing rows and the full-text index — has to happen in the one process
that holds the write transaction. So the writer hands out batches of entry ids, and each worker
opens a connection of its own, reads those committed entries and builds their documents, while
the writer writes the batches that are done. A few batches at most wait in between, so memory
stays bounded whatever the corpus size. Workers start from a fresh server process (``forkserver``),
never as forks of the writer: a database connection must not cross a fork.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine
from sqlmodel import Session

from ..db import make_engine
from .documents import SearchDocument
from .loading import read_documents

#: Batches handed out ahead of the writer, per worker: enough to keep each worker busy while
#: the writer writes, few enough that waiting documents stay a few megabytes.
AHEAD = 2

_engine: Engine | None = None


def _start(url: str) -> None:
    global _engine
    _engine = make_engine(url, pool_size=1, max_overflow=0)


def _build(entry_ids: list[int]) -> tuple[int, list[SearchDocument], list[int]]:
    assert _engine is not None  # set by _start in every worker
    with Session(_engine) as session:
        docs, left_out = read_documents(session, entry_ids)
    return len(entry_ids), docs, left_out


def can_share(session: Session) -> bool:
    """Tell whether other processes can read what this session's database has committed."""
    url = session.get_bind().engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def documents(
    session: Session, batches: Iterable[list[int]], *, processes: int = 1
) -> Iterator[tuple[int, list[SearchDocument], list[int]]]:
    """Yield (ids in the batch, documents, ids left out as hidden or deleted) for each batch of committed
    entry ids, in order: built in this process, or in ``processes`` worker processes."""
    if processes <= 1 or not can_share(session):
        for ids in batches:
            docs, left_out = read_documents(session, ids)
            yield len(ids), docs, left_out
            session.expunge_all()  # a million entries must not pile up in the identity map
        return
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("forkserver")
    with context.Pool(processes, initializer=_start, initargs=(url,)) as pool:
        waiting: deque = deque()
        todo = iter(batches)
        for ids in todo:
            waiting.append(pool.apply_async(_build, (ids,)))
            if len(waiting) >= processes * AHEAD:
                break
        while waiting:
            done = waiting.popleft().get()
            following = next(todo, None)
            if following is not None:
                waiting.append(pool.apply_async(_build, (following,)))
            yield done
