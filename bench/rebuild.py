"""Rebuilding the search index (`reindex`) of an existing SQLite registry: time and peak memory.

    .venv/bin/python bench/rebuild.py --database /tmp/s100k.db --processes 2 --json out.json

The database is copied first (the original is never written), then the real `reindex` runs in
one write transaction, as `flask reindex` does, with ``--processes`` worker processes building
the documents (1: in this process; on code from before the workers, always 1). Peak memory is
this process's and, with the workers, of this process and all it started together.
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from measure import PeakSampler, machine  # bench/measure.py, beside this file (no registry import)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()

    from registry import create_app
    from registry.db import write_session
    from registry.search import reindex

    tmp = Path(tempfile.mkdtemp(prefix="bench-rebuild-"))
    try:
        shutil.copyfile(args.database, tmp / "registry.db")
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp / 'registry.db'}",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(tmp / "instance"),
                "SEARCH_IN_MEMORY": False,
            }
        )
        parallel = "processes" in inspect.signature(reindex).parameters
        options = {"processes": args.processes} if parallel else {}
        with app.app_context():
            started = time.perf_counter()
            with PeakSampler() as sampler, write_session(app) as session:
                indexed = reindex(session, **options)
            elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "database": str(args.database),
        "code": str(Path(sys.modules["registry"].__file__).parent.parent),
        "processes": args.processes if parallel else 1,
        "indexed": indexed,
        "reindex_s": round(elapsed, 2),
        "entries_per_s": round(indexed / elapsed, 1),
        "peak_rss_mib": sampler.peak,
        "peak_rss_with_workers_mib": sampler.peak_with_workers,
        "machine": machine(),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
