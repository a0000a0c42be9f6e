"""Shared search index figures: build a set from a database, then open it in fresh processes.

    .venv/bin/python bench/shared.py --database /tmp/readme-100k.db --dir /tmp/readme-100k-index \\
        --json bench/results/shared-readme-sqlite-100k.json

1. ``flask search-build`` in a child process: wall time, the child's peak resident memory
   (its ru_maxrss), the set's size on disk and segments.
2. ``--readers`` new processes, started together, each making the app and answering one search
   from the set: the time to open the set (``MemoryIndex.current``), to the first answer, and
   each one's private memory (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup) and
   proportional share (Pss) while all of them still hold the set.
The database is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READER = r"""
import json, os, sys, time
started = time.perf_counter()
from sqlmodel import Session
from registry import create_app
from registry.db import get_engine
from registry.search import backend_for, counts, memory
from registry.services.listing import list_entries, parse_entry_query

from werkzeug.datastructures import MultiDict
app = create_app()
engine = get_engine(app)
imported = time.perf_counter() - started
with app.app_context(), Session(engine) as session:
    t = time.perf_counter()
    index = memory.index_for(session, backend_for(session).memory_rows, counts.CODE_DIGITS)
    index.current(session)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    page = list_entries(session, query=parse_entry_query(MultiDict([("q", "model")])))
    first = time.perf_counter() - t
print(json.dumps({"pid": os.getpid(), "import_and_app_s": round(imported, 3), "open_s": round(opened, 4),
                  "first_search_s": round(first, 4), "total": page.total, "shared_set": bool(index.shared),
                  "segments": len(index.snapshot.segments)}), flush=True)
sys.stdin.readline()  # hold the set until every reader has been measured
"""


def smaps(pid: int) -> dict:
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean"):
            found[name] = int(rest.split()[0])
    return {
        "private_mib": round((found["Private_Clean"] + found["Private_Dirty"]) / 1024, 1),
        "private_dirty_mib": round(found["Private_Dirty"] / 1024, 1),
        "pss_mib": round(found["Pss"] / 1024, 1),
        "rss_mib": round(found["Rss"] / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="a SQLite file (read only)")
    parser.add_argument("--dir", type=Path, required=True, help="where the set is built")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--no-build", action="store_true", help="open the set already in --dir")
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="shared-bench-")
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{args.database}",
        "REGISTRY_SEARCH_INDEX_DIR": str(args.dir),
        "REGISTRY_SECRET_KEY": "bench",
        "REGISTRY_INSTANCE_PATH": tmp.name,
        "PYTHONPATH": str(ROOT),
    }
    result: dict = {"database": str(args.database), "load_average_before": list(os.getloadavg())}
    if not args.no_build:
        started = time.perf_counter()
        child = subprocess.Popen(
            [str(Path(sys.executable).with_name("flask")), "--app", "registry", "search-build"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(child.pid, 0)
        result["build_s"] = round(time.perf_counter() - started, 1)
        result["build_peak_rss_mib"] = usage.ru_maxrss // 1024
        result["build_output"] = child.stdout.read().strip() if child.stdout else ""
        if status:
            sys.exit(f"search-build failed: {status}")
    manifest = json.loads((args.dir / "manifest.json").read_text())
    result["set_bytes"] = manifest["bytes"]
    result["set_mib"] = round(manifest["bytes"] / 2**20, 1)
    result["segments"] = len(manifest["segments"])
    result["set_generation"] = manifest["generation"]
    # Drop nothing from the page cache (that needs root); the set was just written or read.
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER], env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(args.readers)
    ]
    found = []
    for proc in readers:
        assert proc.stdout is not None
        found.append(json.loads(proc.stdout.readline()))
    for item, proc in zip(found, readers, strict=True):
        item.update(smaps(proc.pid))
    for proc in readers:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait()
    result["readers"] = found
    result["load_average_after"] = list(os.getloadavg())
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    tmp.cleanup()


if __name__ == "__main__":
    main()
