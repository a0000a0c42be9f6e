"""Imported once by the server process that starts harvester processes (multiprocessing's
forkserver, see registry.jobs.batch). Workers are forked from it with the harvesters
imported and their lazily loaded data in memory (the language model, licence texts, CLDR names),
instead of each loading them during its first harvest: about two seconds of CPU per worker,
spent while every core is busy at the start of a batch.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from harvesters.checkout import Checkout
from harvesters.git import FORMAT_READERS, finish_record
from harvesters.record import HarvestedRecord

# No language is stated, so that they are inferred from the prose, the title and the tags (the
# path that loads the most data).
_README = """---
license: mit
tags: [swahili, kenya, text-classification]
---
# Swahili Warm-up Sample

A small sample written here to load what harvests need: a Swahili text model from Kenya,
with its documentation in English and enough prose for the language identifier to decide.
"""


def warm_up() -> HarvestedRecord:
    """Read a small generated repository with every format reader, filling the caches they keep."""
    with tempfile.TemporaryDirectory(prefix="registry-warm-") as folder:
        root = Path(folder)
        (root / "README.md").write_text(_README, encoding="utf-8")
        (root / "package.json").write_text(json.dumps({"name": "warm-up", "license": "Apache-2.0"}), encoding="utf-8")
        (root / "LICENSE").write_text(
            "MIT License\n\nPermission is hereby granted, free of charge.\n", encoding="utf-8"
        )
        record = HarvestedRecord(source_url=str(root), source_kind="git", slug_hint="warm/up")
        checkout = Checkout(root, max_file_bytes=1 << 20, warnings=record.warnings)
        for reader in FORMAT_READERS:
            reader(checkout, record)
        finish_record(record, fallback_name="warm-up")
    return record


# A warm-up that fails costs only time: each worker then loads what it needs itself.
try:
    warm_up()
except Exception:
    logging.getLogger(__name__).exception("the harvester warm-up failed")
