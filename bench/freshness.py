"""Freshness: how long after an edit is committed every process finds it by searching.

    .venv/bin/python bench/freshness.py --database /tmp/r20k.db --edits 30 \\
        --json bench/results/freshness-readme-sqlite-20k.json

The database is copied (it is written to). ``--readers`` processes each make the app, open the
shared index (``REGISTRY_SEARCH_INDEX_DIR``, a fresh directory unless ``--dir`` names one) and
answer a first search, as gunicorn workers do. Then, ``--edits`` times, this process tells the
readers a new word, edits an entry through the editing service (the path of the edit form and
the API) to add the word to its summary, and notes the time the transaction committed; each
reader searches for the word every ``--poll`` seconds and reports when it first finds it. The
figure is, per edit, the time from the commit to the last reader's first answer that holds it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import machine  # noqa: E402

READER = r"""
import json, sys, time
from sqlmodel import Session
from werkzeug.datastructures import MultiDict
from registry import create_app
from registry.db import get_engine
from registry.services.listing import list_entries, parse_entry_query

app = create_app()
engine = get_engine(app)
poll = float(sys.argv[1])

def total(word):
    with app.app_context(), Session(engine) as session:
        return list_entries(session, query=parse_entry_query(MultiDict([("q", word)]))).total

total("model")  # the first search opens the index
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    word = line.strip()
    if not word:
        break
    polls = 0
    while True:
        polls += 1
        if total(word):
            break
        time.sleep(poll)
    print(json.dumps({"found_at": time.time(), "polls": polls}), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="a SQLite file (copied first)")
    parser.add_argument("--dir", type=Path, help="the shared index's directory (default: a fresh one)")
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--poll", type=float, default=0.01, help="seconds between a reader's searches")
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="freshness-"))
    database = tmp / "registry.db"
    shutil.copyfile(args.database, database)
    url = f"sqlite:///{database}"
    index_dir = args.dir or tmp / "search-index"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_SECRET_KEY": "bench",
        "REGISTRY_INSTANCE_PATH": str(tmp / "instance"),
        "REGISTRY_SEARCH_INDEX_DIR": str(index_dir),
    }
    os.environ.update(env)

    from sqlmodel import select

    from registry import create_app
    from registry.db import upgrade_schema, write_session
    from registry.models import Entry
    from registry.services import Actor
    from registry.services.editing import edit_entry

    app = create_app()
    upgrade_schema(app)
    editor = Actor(name="bench", role="admin")
    with write_session(app) as s:
        slugs = list(s.exec(select(Entry.slug).where(Entry.hidden == False).order_by(Entry.id).limit(args.edits)))  # noqa: E712

    started = time.perf_counter()
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(args.poll)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(args.readers)
    ]
    for proc in readers:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
    print(f"{args.readers} readers ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    edits = []
    for slug in slugs:
        word = "fresh" + secrets.token_hex(5)
        for proc in readers:
            assert proc.stdin is not None
            proc.stdin.write(word + "\n")
            proc.stdin.flush()
        time.sleep(3 * args.poll)  # every reader is searching before the edit commits
        with write_session(app) as s:
            entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
            edit_entry(
                s,
                slug=slug,
                actor=editor,
                base_revision=entry.revision,
                changes={"summary": f"{entry.summary} {word}"},
                reason="freshness benchmark",
            )
        committed = time.time()
        found = []
        for proc in readers:
            assert proc.stdout is not None
            found.append(json.loads(proc.stdout.readline()))
        edits.append(
            {
                "slug": slug,
                "seconds_to_every_reader": round(max(f["found_at"] for f in found) - committed, 4),
                "seconds_per_reader": [round(f["found_at"] - committed, 4) for f in found],
                "polls": [f["polls"] for f in found],
            }
        )
        print(f"  {slug}: {edits[-1]['seconds_to_every_reader'] * 1000:.1f} ms", file=sys.stderr)
    for proc in readers:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait()

    worst = [e["seconds_to_every_reader"] for e in edits]
    result = {
        "database": str(args.database),
        "readers": args.readers,
        "edits": len(edits),
        "poll_s": args.poll,
        "median_ms": round(statistics.median(worst) * 1000, 1),
        "p95_ms": round(sorted(worst)[max(0, int(len(worst) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(max(worst) * 1000, 1),
        "each": edits,
        "machine": machine(),
        "load_average_after": list(os.getloadavg()),
    }
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
