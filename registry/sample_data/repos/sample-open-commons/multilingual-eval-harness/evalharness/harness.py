"""Run a generator over a JSON Lines task file and group the scores by language."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

Metric = Callable[[str, str], float]


@dataclass
class Report:
    by_language: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def largest_gap(self) -> float:
        """Difference between the best and the worst language score."""
        if not self.by_language:
            return 0.0
        return max(self.by_language.values()) - min(self.by_language.values())


def evaluate(model: Callable[[str], str], task_path: str, *, metric: Metric) -> Report:
    """Score ``model`` on every example of ``task_path`` and average per language."""
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    with open(task_path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            example = json.loads(line)
            lang = example["lang"]
            totals[lang] += metric(model(example["prompt"]), example["answer"])
            counts[lang] += 1
    return Report(
        by_language={lang: totals[lang] / counts[lang] for lang in totals},
        counts=dict(counts),
    )
