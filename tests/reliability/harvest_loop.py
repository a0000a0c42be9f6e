"""A harvester process for the concurrency test: commit a new generation to each repository, harvest it.

Run as ``python -m tests.reliability.harvest_loop '<json>'`` with database_url, instance, repos (paths),
rounds and first_generation. It is a process of its own, as the operator's cron harvest is beside
the web server. Prints "ready" when it has started, one JSON line per harvest, then a summary line.
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

from registry import create_app
from registry.db import get_engine
from tests.helpers import harvest_options, harvest_source
from tests.reliability.repos import write_generation


def main(spec: dict) -> int:
    app = create_app({"DATABASE_URL": spec["database_url"], "SECRET_KEY": "harvester",
                      "INSTANCE_PATH": spec["instance"], "HARVEST_TIMEOUT": 120})
    options = harvest_options(app, operator=True)
    repos = [Path(p) for p in spec["repos"]]
    print("ready", flush=True)
    started = time.time()
    for round_ in range(spec["rounds"]):
        generation = spec["first_generation"] + round_
        for path in repos:
            commit = write_generation(path, generation)
            line = {"repo": str(path), "generation": generation, "commit": commit}
            try:
                with app.app_context():
                    result = harvest_source(app, source=str(path), kind="git", options=options)
                line.update(outcome=result.outcome.value, slug=result.slug, error=result.error)
            except Exception:  # noqa: BLE001 - every failure is reported to the test, which fails on it
                line.update(outcome="exception", error=traceback.format_exc())
            print(json.dumps(line), flush=True)
    print(json.dumps({"done": True, "seconds": time.time() - started}), flush=True)
    get_engine(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
