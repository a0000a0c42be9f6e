"""Measuring helpers shared by the benchmarks, importing nothing of the registry (so a benchmark can
measure an older checkout of the code the same way): the machine, and peak memory while a block runs."""

from __future__ import annotations

import os
import platform
import threading
from pathlib import Path


def machine() -> dict:
    """Describe the machine: CPU count and model, memory."""
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    mem = (
        next(
            (
                int(line.split()[1]) // 1024
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ),
            0,
        )
        if Path("/proc/meminfo").exists()
        else 0
    )
    return {"nproc": os.cpu_count(), "cpu": model, "ram_mib": mem, "python": platform.python_version()}


def _rss_mib(pid: int | str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass  # (the process ended meanwhile)
    return 0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


class PeakSampler:
    """The largest resident size while a block runs, sampled every 50 ms (MiB): of this process
    (``peak``), and of it with every process it started — the index's worker processes — together
    (``peak_with_workers``)."""

    def __enter__(self):
        self.peak, self.peak_with_workers, self._stop = 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        me = os.getpid()
        while True:
            own = _rss_mib(me)
            self.peak = max(self.peak, own)
            self.peak_with_workers = max(self.peak_with_workers, own + sum(map(_rss_mib, _descendants(me))))
            if self._stop.wait(0.05):
                return

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
