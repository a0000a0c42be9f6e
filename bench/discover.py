"""Discovery at scale against a fake Hub on loopback (tests/harvesters/fake_apis.py, in its own process).

1. Discover N items (100,000 by default) of one author from the fake Hub into a fresh SQLite
   registry: time, items per second, and the process's resident memory sampled as the run goes
   (flat memory: the listing streams, each page written in its own transaction).
2. Run the same discovery again with nothing changed: requests per page (the goal is one
   conditional request each, answered 304) and its time.
3. Harvest H of the discovered hub sources (10,000 by default) through the one pipeline
   (`harvest_many`, JOBS worker processes): the API record, the card and config.json through
   raw-file addresses, never the weights; sources per second.

    python bench/discover.py [--items 100000] [--harvest 10000] [--jobs 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402


def _serve(items: int, port_queue) -> None:
    from tests.harvesters import fake_apis as fa

    fake = fa.huggingface({}, generated=items).start()
    port_queue.put(fake.server.server_address[1])
    while True:
        time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--harvest", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=1000, help="items per page (the Hub's largest)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.items, ports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    try:
        results = run(args, base)
    finally:
        server.terminate()
    results["machine"] = {
        **measure.machine(),
        "os": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def run(args, base: str) -> dict:
    from sqlmodel import col, select

    from registry import create_app
    from registry.config import harvest_options, lister_settings
    from registry.db import sessions, upgrade_schema
    from registry.jobs.batch import harvest_many
    from registry.models import Source
    from registry.services.discoveries import find_or_add_discovery
    from registry.services.discovery import run_discovery

    folder = Path(tempfile.mkdtemp(prefix="bench-discover-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "HF_ENDPOINT": base,
            "HARVEST_ALLOW_PRIVATE": True,
            "DISCOVERY_HOST_INTERVAL": 0,
            "HARVEST_HOST_INTERVAL": 0,
            "DISCOVERY_PAGE_SIZE": args.page_size,
        }
    )
    upgrade_schema(app)
    settings = lister_settings(app.config)
    out: dict = {"items": args.items, "page_size": args.page_size}
    with app.app_context():
        with sessions(app).write() as s:
            discovery_id = find_or_add_discovery(
                s, kind="huggingface", target="author:bench", set_spec=None, settings=settings
            )
        memory: list[tuple[int, int]] = []

        def progress(outcome) -> None:
            if outcome.pages % max(1, (args.items // args.page_size) // 10) == 0:
                memory.append((outcome.found, measure._rss_mib(os.getpid())))

        with measure.PeakSampler() as peak:
            started = time.perf_counter()
            first = run_discovery(sessions(app), discovery_id=discovery_id, settings=settings, progress=progress)
            took = time.perf_counter() - started
        out["discover"] = {
            "seconds": round(took, 1),
            "items_per_second": round(first.found / took),
            "found": first.found,
            "new": first.new,
            "pages": first.pages,
            "requests": first.requests,
            "status": first.status,
            "peak_rss_mib": peak.peak,
            "rss_mib_by_items": memory,
        }
        started = time.perf_counter()
        again = run_discovery(sessions(app), discovery_id=discovery_id, settings=settings)
        took = time.perf_counter() - started
        out["rerun_unchanged"] = {
            "seconds": round(took, 1),
            "found": again.found,
            "pages": again.pages,
            "unchanged_pages": again.unchanged_pages,
            "requests": again.requests,
            "requests_per_page": round(again.requests / max(again.pages, 1), 3),
        }
        with sessions(app).read() as s:
            pairs = [(src.url, src.kind) for src in s.exec(select(Source).order_by(col(Source.id)).limit(args.harvest))]
        options = harvest_options(app.config, operator=True)
        with measure.PeakSampler() as peak:
            started = time.perf_counter()
            results = harvest_many(app, sources=pairs, options=options, jobs=args.jobs)
            took = time.perf_counter() - started
        outcomes: dict[str, int] = {}
        for r in results:
            outcomes[r.outcome.value] = outcomes.get(r.outcome.value, 0) + 1
        out["harvest"] = {
            "sources": len(pairs),
            "jobs": args.jobs,
            "seconds": round(took, 1),
            "per_second": round(len(pairs) / took, 1),
            "outcomes": outcomes,
            "peak_rss_mib_with_workers": peak.peak_with_workers,
        }
    return out


if __name__ == "__main__":
    main()
