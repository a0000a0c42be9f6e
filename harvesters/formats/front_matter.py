"""YAML front matter at the top of a README (Hugging Face model and dataset cards use it)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .common import safe_yaml, without_surrogates

# A card's metadata is a few kilobytes; anything bigger is not front matter worth parsing.
_MAX_FRONT_MATTER = 64 * 1024
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)

# Keys only Hugging Face model cards carry, and keys only dataset cards carry.
_MODEL_KEYS = ("pipeline_tag", "library_name", "base_model", "model-index")
_DATASET_KEYS = (
    "task_categories",
    "task_ids",
    "size_categories",
    "dataset_info",
    "pretty_name",
    "multilinguality",
    "source_datasets",
    "annotations_creators",
    "language_creators",
)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """Split ``---``-fenced YAML from the top of a text: (metadata, body, error or None)."""
    text = text.removeprefix("\ufeff")
    if not text.startswith("---\n"):
        return {}, text, None
    close = _CLOSE.search(text, 4, _MAX_FRONT_MATTER)
    if close is None:
        return {}, text, None
    raw, body = text[4 : close.start()], text[close.end() :].lstrip("\n")
    try:
        meta = without_surrogates(safe_yaml(raw))
    # Deeply nested flow collections exhaust the recursion limit before YAML reports them.
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, body, f"front matter is not valid YAML ({reason})"
    if meta is None:
        return {}, body, None
    if not isinstance(meta, dict):
        return {}, body, "front matter is not a YAML mapping"
    return meta, body, None


def kind_from_front_matter(meta: dict[str, Any]) -> str | None:
    """Return "model" or "dataset" when a card's metadata says which it describes, else None."""
    is_model = any(key in meta for key in _MODEL_KEYS)
    is_dataset = any(key in meta for key in _DATASET_KEYS)
    if is_model == is_dataset:
        return None
    return "model" if is_model else "dataset"
