"""Harvest benchmark: N generated local repositories of realistic size, harvested into a fresh registry.

    python bench/harvest.py --repos 200 --jobs 2 [--json out.json] [--keep DIR]

Measures, on the same repositories:
- a bare ``git clone --depth 1 file://…`` of each (the floor: what fetching alone costs), on
  ``--jobs`` threads;
- the first harvest of all of them through the real service (clone, every format reader, merge,
  revision, facets, search index), on ``--jobs`` threads;
- a re-harvest with nothing changed (``reharvest --all``, no clone: the head of each folder is
  read from its files; an https source would take one ``ls-remote``, whose CPU is measured too);
- peak memory of this process and of the git processes it started.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import measure  # (nothing of the registry: safe in the harvest workers too)

if __name__ == "__main__":
    # Only when run: the harvest worker processes import this script as their main module
    # (multiprocessing does), and a worker never needs the registry (2.5 s of imports).
    from harvesters import HarvestOptions, Outcome
    from harvesters.gitfetch import GitSource, remote_head
    from registry import create_app
    from registry.config import harvest_options as _harvest_options
    from registry.db import (
        get_engine,
        sessions,
        upgrade_schema,
    )
    from registry.jobs.batch import harvest_many
    from registry.services.sources import due_pairs

    def harvest_options(app, *, operator):
        return _harvest_options(app.config, operator=operator)

    def reharvest(app, *, include_all, options, jobs):
        with sessions(app).read() as session:
            pairs = due_pairs(session, include_all=include_all)
        return harvest_many(app, sources=pairs, options=options, jobs=jobs)


SAMPLES = Path(__file__).resolve().parent.parent / "registry" / "sample_data" / "repos"
LICENSES = Path(__file__).resolve().parent.parent / "harvesters" / "data" / "licenses"
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_AUTHOR_DATE": "1769940000 +0000",
    "GIT_COMMITTER_DATE": "1769940000 +0000",
}
WORDS = (  # noqa: SIM905
    "model data corpus language speech text translation tokenizer evaluation training sentence dialect "
    "annotation sample benchmark open community research pipeline inference accuracy multilingual"
).split()


def _prose(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = rng.choices(WORDS, k=rng.randint(8, 18))
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def _code(rng: random.Random, lines: int) -> str:
    body = []
    for i in range(lines // 4):
        body.append(f'def step_{i}(values):\n    """{_prose(rng, 1)}"""\n    return [v * {i} for v in values]\n')
    return "\n".join(body)


def make_repository(root: Path, index: int, rng: random.Random) -> Path:
    """Write one repository: a bundled sample's metadata, plus code, docs and data of realistic size."""
    samples = sorted(p for p in SAMPLES.glob("*/*") if p.is_dir())
    sample = samples[index % len(samples)]
    dest = root / f"bench-org-{index % 20}" / f"{sample.name}-{index}"
    shutil.copytree(sample, dest)
    readme = dest / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8")
        + "\n## More\n\n"
        + "\n\n".join(_prose(rng, 6) for _ in range(rng.randint(10, 40)))
        + "\n",
        encoding="utf-8",
    )
    for n in range(rng.randint(10, 40)):  # source files, 2-12 KB each
        path = dest / "src" / f"module_{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_code(rng, rng.randint(60, 400)), encoding="utf-8")
    for n in range(rng.randint(2, 8)):
        (dest / "docs").mkdir(exist_ok=True)
        (dest / "docs" / f"guide_{n}.md").write_text(f"# Guide {n}\n\n" + _prose(rng, 80), encoding="utf-8")
    if rng.random() < 0.5:  # some carry a data sample or a vocabulary, 50-400 KB
        (dest / "data").mkdir(exist_ok=True)
        rows = "\n".join(f"{i}\t{_prose(rng, 1)}" for i in range(rng.randint(500, 4000)))
        (dest / "data" / "sample.tsv").write_text("id\ttext\n" + rows + "\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True, env=GIT_ENV)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=GIT_ENV)
    subprocess.run(["git", "-C", str(dest), "commit", "-q", "-m", "bench"], check=True, env=GIT_ENV)
    return dest


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and ".git" not in f.parts)


def bare_clones(repos: list[Path], scratch: Path, jobs: int) -> float:
    # A new folder each time, and nothing deleted just before timing: on this virtual disk,
    # deleting the last round's 200 working trees slowed the next round's clones by up to
    # twice (7.2 s, then 9.0, 11.2, 13.7 s with deletes between; 7.1-7.3 s without).
    scratch.mkdir(parents=True)

    def clone(item: tuple[int, Path]) -> None:
        i, repo = item
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(scratch / str(i))], check=True, env=GIT_ENV
        )

    os.sync()  # the previous phase's files are written out now, not during this timed one
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(clone, enumerate(repos)))
    return time.perf_counter() - start


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_per_repository(repos: list[Path], work: Path) -> dict:
    """CPU time (this process and the git processes it starts) of a bare clone and of a harvest.

    One at a time and in this process, so every CPU second is counted; unlike wall time it
    does not depend on what else the machine is doing.
    """
    start = _cpu()
    bare_clones(repos, work / "cpu-clones", 1)
    clone = _cpu() - start
    folder = work / "registry-cpu"
    folder.mkdir()
    app = fresh_app(folder)
    with app.app_context():
        # One harvest first, untimed: loading the language model and licence texts is done once
        # per process (a worker does it before its first job), not per repository.
        harvest_many(app, sources=[(str(repos[-1]), "git")], options=harvest_options(app, operator=True))
        start = _cpu()
        harvest_many(app, sources=[(str(r), "git") for r in repos[:-1]], options=harvest_options(app, operator=True))
        harvest = _cpu() - start
    get_engine(app).dispose()
    # What an https source's re-harvest check costs here before the network: one ls-remote
    # (a folder on this server has its head read from its files instead, with no git process).
    options = HarvestOptions(allow_local=True)
    start = _cpu()
    for repo in repos:
        remote_head(GitSource(url=repo.as_uri(), local_path=repo), options=options)
    ls_remote = (_cpu() - start) / len(repos)
    clone, harvest = clone / len(repos), harvest / (len(repos) - 1)
    return {
        "repositories": len(repos),
        "bare_clone": round(clone * 1000, 1),
        "harvest": round(harvest * 1000, 1),
        "harvest_vs_clone": round(harvest / clone, 2),
        "ls_remote": round(ls_remote * 1000, 1),
    }


def fresh_app(folder: Path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    upgrade_schema(app)
    return app


_WORKER_PEAK = """
import json, resource, sys
from harvesters import HarvestOptions, run_harvest
for path in sys.argv[1:]:
    run_harvest("git", path, HarvestOptions(allow_local=True))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def worker_peak_mb(repos: list[Path]) -> int:
    """Return the peak memory of one process harvesting the repositories one after another (a worker)."""
    out = subprocess.run(
        [sys.executable, "-c", _WORKER_PEAK, *map(str, repos)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    return round(int(out.split()[-1]) / 1024)


def machine() -> dict:
    """bench/measure.py's description of the machine, with what a harvest also depends on."""
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return {**measure.machine(), "os": platform.platform(), "sqlite": sqlite3.sqlite_version, "git": git}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each measure (the median is kept)")
    parser.add_argument("--cpu-sample", type=int, default=50, help="repositories whose CPU time is measured one by one")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    args = parser.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    work = Path(tempfile.mkdtemp(prefix="bench-harvest-"))
    root = args.keep or work / "repos"
    rng = random.Random(2026)
    start = time.perf_counter()
    repos = [make_repository(root, i, rng) for i in range(args.repos)]
    sizes = [tree_bytes(r) for r in repos]
    print(
        f"{len(repos)} repositories in {time.perf_counter() - start:.1f} s; files {statistics.median(sizes) / 1024:.0f} KB "
        f"median, {max(sizes) / 1024:.0f} KB max",
        file=sys.stderr,
    )

    bare_clones(repos, work / "warm", args.jobs)  # warm the page cache once, untimed
    # Rounds alternate a bare clone of everything and a harvest of everything, so that both
    # see the same machine (other work on it slows both alike).
    clone_times, first_times, again_times, outcomes = [], [], [], {}
    for round_ in range(args.rounds):
        clone_times.append(bare_clones(repos, work / f"clones-{round_}", args.jobs))
        folder = work / f"registry-{round_}"
        folder.mkdir()
        app = fresh_app(folder)
        options = harvest_options(app, operator=True)
        with app.app_context():
            os.sync()
            t0 = time.perf_counter()
            results = harvest_many(app, sources=[(str(r), "git") for r in repos], options=options, jobs=args.jobs)
            first_times.append(time.perf_counter() - t0)
            failed = [r for r in results if r.outcome is Outcome.FAILED]
            assert not failed, failed[:3]
            os.sync()
            t0 = time.perf_counter()
            again = reharvest(app, include_all=True, options=options, jobs=args.jobs)
            again_times.append(time.perf_counter() - t0)
            outcomes = {o.value: sum(1 for r in again if r.outcome is o) for o in Outcome}
            assert outcomes["unchanged"] == len(repos), outcomes
        get_engine(app).dispose()
        print(
            f"round {round_ + 1}: clone {clone_times[-1]:.1f} s, harvest {first_times[-1]:.1f} s, "
            f"re-harvest {again_times[-1]:.1f} s",
            file=sys.stderr,
        )

    clone = statistics.median(clone_times)
    first = statistics.median(first_times)
    again = statistics.median(again_times)
    results = {
        "repositories": len(repos),
        "jobs": args.jobs,
        "rounds": args.rounds,
        "repository_kb_median": round(statistics.median(sizes) / 1024),
        "repository_kb_max": round(max(sizes) / 1024),
        "rounds_s": {
            "bare_clone": [round(t, 2) for t in clone_times],
            "first_harvest": [round(t, 2) for t in first_times],
            "reharvest": [round(t, 2) for t in again_times],
        },
        "bare_clone_s": round(clone, 2),
        "first_harvest_s": round(first, 2),
        "reharvest_unchanged_s": round(again, 2),
        "first_vs_clone": round(first / clone, 2),
        "reharvest_vs_first": round(again / first, 3),
        "per_repository_ms": {
            "clone": round(clone / len(repos) * 1000, 1),
            "harvest": round(first / len(repos) * 1000, 1),
            "reharvest": round(again / len(repos) * 1000, 1),
        },
        "peak_memory_mb": {
            "registry_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "one_harvest_worker": worker_peak_mb(repos),
        },
        "load_average_before": load_before,
        "cpu_ms_per_repository": cpu_per_repository(repos[: args.cpu_sample], work),
        "reharvest_outcomes": outcomes,
        "machine": machine(),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
