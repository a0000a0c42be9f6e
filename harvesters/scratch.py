"""Scratch folders for clones, removed in the background.

Deleting a clone's files can take longer than reading them on some disks (each folder is a
synchronous metadata write), and nobody needs to wait for it: the harvest returns, a
background thread removes the folder, and whatever is left is removed when the process exits.
"""

from __future__ import annotations

import atexit
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import util as mp_util
from pathlib import Path

_pending: queue.Queue[Path] = queue.Queue()
_lock = threading.Lock()
_worker: threading.Thread | None = None


@contextmanager
def scratch_dir(prefix: str = "ai-commons-harvest-") -> Iterator[Path]:
    """Yield a new private folder; it is removed (in the background) when the block ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        discard(path)


def discard(path: Path) -> None:
    """Remove a folder soon, on the background thread."""
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_remove_forever, name="scratch-cleaner", daemon=True)
            _worker.start()
    _pending.put(path)


def drain() -> None:
    """Remove every folder still waiting (at exit, and in tests)."""
    _pending.join()


def _remove_forever() -> None:
    while True:
        path = _pending.get()
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            _pending.task_done()


atexit.register(drain)
# Worker processes of a pool end without running atexit handlers, but with multiprocessing's finalizers.
mp_util.Finalize(None, drain, exitpriority=10)
