"""Loading benchmark: `flask import` of a JSON Lines dump into an empty registry, entries per second.

    python bench/load.py --entries 5000 --json out.json

A registry is filled with bench/search.py's README-sized corpus (generated sample data), indexed,
and dumped with the real `flask export`; the dump is then loaded into a new, empty registry with
the real `flask import`, timed from the command's start to its end (reading, writing, the search
index, the relations), on SQLite.
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
sys.path.insert(0, str(ROOT))

from bench.measure import machine  # noqa: E402
from bench.search import fill  # noqa: E402


def _flask(instance: Path, *args: str, stdout=None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{instance / 'registry.db'}",
        "REGISTRY_SECRET_KEY": "bench",
        "REGISTRY_INSTANCE_PATH": str(instance),
    }
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "registry", *args], cwd=ROOT, env=env, check=True, stdout=stdout, stderr=subprocess.PIPE
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()

    from sqlmodel import Session

    from registry import create_app
    from registry.db import get_engine, upgrade_schema
    from registry.search import reindex

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    source, target = tmp / "source", tmp / "target"
    source.mkdir()
    target.mkdir()
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{source / 'registry.db'}", "SECRET_KEY": "bench", "INSTANCE_PATH": str(source)}
    )
    upgrade_schema(app)
    print(f"writing {args.entries} entries…", file=sys.stderr)
    written = fill(app, args.entries, seed=args.seed, corpus="readme")
    with app.app_context(), Session(get_engine(app)) as session:
        reindex(session)
        session.commit()
    dump = tmp / "dump.jsonl"
    with dump.open("w") as fh:
        _flask(source, "export", "--format", "jsonl", stdout=fh)
    lines = sum(1 for _ in dump.open())
    _flask(target, "init-db")
    started = time.perf_counter()
    done = _flask(target, "import", str(dump))
    elapsed = time.perf_counter() - started
    report = {
        "entries_in_dump": lines,
        "dump_mib": round(dump.stat().st_size / 2**20, 1),
        "import_s": round(elapsed, 2),
        "entries_per_s": round(lines / elapsed, 1),
        "import_output": done.stderr.decode(errors="replace").strip().splitlines()[-1:],
        "written": written,
        "machine": machine(),
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
