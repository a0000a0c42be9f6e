"""Web benchmark: gunicorn serving the registry, wrk at concurrency 32, on SQLite or PostgreSQL.

    python bench/web.py --entries 100000 --backend sqlite --json out.json
    python bench/web.py --entries 100000 --backend postgres --json out.json
    python bench/web.py --entries 2000 --page-cache 0 --routes hello,entry --duration 4 --rounds 5

Entries are written in bulk with bench/search.py's generator, the search index is built
with the real `reindex`, then gunicorn serves the app and wrk (Debian's `wrk`) loads each
route for a fixed duration: a hello-world route (the ceiling of this stack), the home
page, an entry page, a search page and the API list. Reports requests per second, p95
latency per route and the gunicorn workers' resident memory. `--page-cache 0` turns the
per-process page cache off, to measure pages rendered afresh. `--rounds N` loads the
routes in turn N times and reports medians: the entry page's rate over hello-world's is
taken within each round, so that a burst of other work on a shared machine skews one
round, not the result.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import machine  # noqa: E402
from bench.search import fill  # noqa: E402

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
end
"""


def bench_app():
    """The registry app plus a hello-world route, for gunicorn (`bench.web:bench_app()`)."""
    from registry import create_app

    app = create_app()
    app.add_url_rule("/_bench/hello", "bench_hello", lambda: "hello")
    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return round(total / 1024, 1)


def _wrk(url: str, duration: int, concurrency: int, script: Path) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{concurrency}", f"-d{duration}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95 = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(rps, 1), "p95_ms": round(p95, 2), "non_2xx": int(errors.group(1)) if errors else 0}


def _median(runs: list[dict]) -> dict:
    """Return the median of each figure over a route's rounds."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per route and round")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="load the routes in turn this many times and report medians (on a shared, noisy "
        "machine, alternating short rounds keeps a burst of other work from landing on one "
        "route only)",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--routes",
        default="hello,home,entry,search,api_list",
        help="comma-separated routes to load (hello, home, entry, search, api_list)",
    )
    parser.add_argument(
        "--page-cache",
        type=int,
        default=None,
        help="REGISTRY_PAGE_CACHE_SIZE for the workers (0 measures every page rendered afresh)",
    )
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    from sqlmodel import Session, select

    from registry import create_app
    from registry.db import get_engine, make_engine, upgrade_schema
    from registry.models import Entry
    from registry.search import reindex

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    admin = None
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp / 'registry.db'}"
    else:
        import sqlalchemy as sa

        name = f"bench_web_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.database_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_SECRET_KEY": "bench",
        "REGISTRY_INSTANCE_PATH": str(tmp / "instance"),
    }
    if args.page_cache is not None:
        env["REGISTRY_PAGE_CACHE_SIZE"] = str(args.page_cache)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp / "instance")})
    upgrade_schema(app)
    print(f"writing {args.entries} entries…", file=sys.stderr)
    fill(app, args.entries, seed=7)
    with app.app_context(), Session(get_engine(app)) as s:
        reindex(s)
        s.commit()
    with Session(get_engine(app)) as s:
        slug = s.exec(select(Entry.slug).order_by(Entry.id).offset(args.entries // 2).limit(1)).one()
    get_engine(app).dispose()

    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.web:bench_app()",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    routes = {
        "hello": "/_bench/hello",
        "home": "/",
        "entry": f"/entries/{slug}",
        "search": "/entries?q=speech",
        "api_list": "/api/v1/entries",
    }
    routes = {name: path for name, path in routes.items() if name in args.routes.split(",")}
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/_bench/hello", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        for path in routes.values():  # warm every worker's caches once
            for _ in range(args.workers * 2):
                urllib.request.urlopen(base + path, timeout=30).read()
        script = tmp / "p95.lua"
        script.write_text(LUA)
        rounds: dict[str, list[dict]] = {name: [] for name in routes}
        for _ in range(args.rounds):
            for name, path in routes.items():
                rounds[name].append(_wrk(base + path, args.duration, args.concurrency, script))
                # wrk stops sending, but gunicorn still works through the requests it queued; wait
                # until a hello answers quickly so the next route is measured on an idle server.
                for _ in range(600):
                    started = time.perf_counter()
                    urllib.request.urlopen(base + "/_bench/hello", timeout=600).read()
                    if time.perf_counter() - started < 0.05:
                        break
        results = {name: _median(runs) for name, runs in rounds.items()}
        ratios = (
            [round(e["rps"] / h["rps"], 3) for e, h in zip(rounds["entry"], rounds["hello"], strict=True)]
            if {"entry", "hello"} <= set(rounds)
            else []
        )
        children = [
            int(p)
            for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        ]
        memory = {"worker_rss_mib_each": round(_rss_mib(children) / max(1, len(children)), 1), "workers": len(children)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
    report = {
        "backend": args.backend,
        "entries": args.entries,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "page_cache": args.page_cache if args.page_cache is not None else "default",
        "routes": results,
        "rounds": args.rounds,
        **({"entry_vs_hello": statistics.median(ratios), "entry_vs_hello_each_round": ratios} if ratios else {}),
        **memory,
        "machine": machine(),
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
