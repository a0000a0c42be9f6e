"""Worker processes: every pool of them in the registry is forked from one server process.

Python keeps one ``forkserver`` per program, and reads its list of modules to load when it starts
it. The harvest pool (jobs/batch.py) and the search index's document builders (search/bulk.py)
both take their workers from it, so the list is one, here, naming what either needs, whichever
pool starts first: a worker is forked from a server that has already imported those modules
(and, through ``harvesters.warmup``, loaded the language model and licence texts), never from the
calling process with its threads and database connections.
"""

from __future__ import annotations

from multiprocessing import get_context
from multiprocessing.context import ForkServerContext

#: Imported by the server before it forks any worker; the program's main module too, which each
#: worker would otherwise import itself.
PRELOAD = ["__main__", "harvesters.warmup", "registry.search.bulk"]


def worker_context() -> ForkServerContext:
    """Return the context that starts worker processes from the registry's one server process."""
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context
