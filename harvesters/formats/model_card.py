"""Hugging Face model and dataset cards: the YAML front matter of README.md."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from ..language import normalize_tag
from ..record import LANG_AUTO, RANK_EXPLICIT
from ..spdx import license_ref, normalize_license
from ..textdecode import decode_text
from .common import http_url, json_safe, list_of, tag, text, text_list
from .front_matter import kind_from_front_matter, split_front_matter
from .readme import README_NAMES, find_readme

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

#: ``base_model_relation`` values and the relation each one is.
BASE_MODEL_RELATIONS = {
    "finetune": "fine-tuned-from",
    "adapter": "adapter-of",
    "quantized": "quantized-from",
    "merge": "merged-from",
}
# Cards in sub-folders describe sub-models (quantized variants, adapters); this many are read.
_MAX_SUB_CARDS = 20
_MAX_RESULTS = 200


def read_model_card(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read the card metadata of the root README, and note the cards of sub-folders."""
    names = checkout.root_files()
    default = find_readme(names)
    if default is not None:
        meta = _front_matter(checkout, default)
        if meta:
            apply_card(meta, record, origin=default)
    sub_cards = []
    for path in checkout.list_files(max_depth=2):
        if "/" not in path or posixpath.basename(path).lower() not in README_NAMES:
            continue
        meta = _front_matter(checkout, path)
        if meta and kind_from_front_matter(meta):
            sub_cards.append(_sub_card(path, meta))
        if len(sub_cards) >= _MAX_SUB_CARDS:
            break
    # Sub-model cards never set the repository's own fields: their licence is the variant's.
    record.note("sub_cards", sub_cards, origin=", ".join(c["path"] for c in sub_cards))


def _front_matter(checkout: RepoFiles, name: str) -> dict[str, Any]:
    data = checkout.read_bytes(name)
    if data is None:
        return {}
    decoded = decode_text(data)
    if decoded is None:
        return {}
    meta, _body, _error = split_front_matter(decoded.lstrip("\ufeff"))
    return meta


def _sub_card(path: str, meta: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = {"path": path, "kind": kind_from_front_matter(meta)}
    license_id = card_license(meta)
    if license_id:
        card["license"] = license_id
    for key in ("pipeline_tag", "library_name"):
        if text(meta.get(key), limit=100):
            card[key] = text(meta.get(key), limit=100)
    bases = text_list(meta.get("base_model"))
    if bases:
        card["base_model"] = bases
    return card


def card_license(meta: dict[str, Any]) -> str | None:
    """Return a card's licence as SPDX (``other`` with ``license_name`` → ``LicenseRef-…``)."""
    values = text_list(meta.get("license")) or text_list(meta.get("licenses"))
    ids = []
    for value in values:
        if value.lower() == "other":
            name = text(meta.get("license_name"), limit=100)
            found = license_ref(name) if name else None
        else:
            found = normalize_license(value) or license_ref(value)
        if found:
            ids.append(found)
    if not ids:
        return None
    # Several licences in a dataset card apply to different parts: all of them hold.
    return " AND ".join(dict.fromkeys(ids))


def apply_card(meta: Any, record: HarvestedRecord, *, origin: str) -> None:
    """Offer what a card's metadata says: kind, languages, licence, tasks, relations, results."""
    if not isinstance(meta, dict):
        return
    kind = kind_from_front_matter(meta)
    if kind:
        record.offer("kind", kind, origin=origin, rank=RANK_EXPLICIT)
    languages = [normalize_tag(v) for v in text_list(meta.get("language")) or text_list(meta.get("languages"))]
    record.offer("languages", list(dict.fromkeys(t for t in languages if t)), origin=origin, rank=RANK_EXPLICIT)
    record.offer("license", card_license(meta), origin=origin, rank=RANK_EXPLICIT)
    record.note("license_link", http_url(meta.get("license_link")), origin=origin)
    record.offer("name", text(meta.get("pretty_name"), limit=300), origin=origin, rank=RANK_EXPLICIT, lang=LANG_AUTO)
    tasks = text_list(meta.get("pipeline_tag")) + text_list(meta.get("task_categories"))
    record.offer("tasks", [tag(t) for t in dict.fromkeys(tasks)], origin=origin, rank=RANK_EXPLICIT)
    record.offer("frameworks", [tag(f) for f in text_list(meta.get("library_name"))], origin=origin, rank=RANK_EXPLICIT)
    record.offer("tags", [tag(t) for t in text_list(meta.get("tags"))], origin=origin, rank=RANK_EXPLICIT)
    homepage = http_url(meta.get("homepage"))
    if homepage and homepage.startswith("https://"):
        record.offer("homepage", homepage, origin=origin, rank=RANK_EXPLICIT)
    for key in ("size_categories", "task_ids", "multilinguality", "metrics", "annotations_creators"):
        record.note(key, text_list(meta.get(key)), origin=origin)
    record.note("results", model_index_results(meta.get("model-index")), origin=origin)
    _relations(meta, record, origin=origin, kind=kind)


def _relations(meta: dict[str, Any], record: HarvestedRecord, *, origin: str, kind: str | None) -> None:
    bases = text_list(meta.get("base_model"))
    declared = text(meta.get("base_model_relation"), limit=40)
    if declared and declared.lower() in BASE_MODEL_RELATIONS:
        rel_type = BASE_MODEL_RELATIONS[declared.lower()]
    else:
        if declared:
            record.warnings.append(
                f"{origin}: base_model_relation {declared!r} is not one Hugging Face "
                "defines (adapter, finetune, merge, quantized); read as fine-tuned"
            )
        # Hugging Face reads several base models without a stated relation as a merge.
        rel_type = "merged-from" if len(bases) > 1 else "fine-tuned-from"
    for base in bases:
        record.relate(rel_type, base, origin=origin)
    if kind != "dataset":
        for dataset in text_list(meta.get("datasets")):
            record.relate("trained-on", dataset, origin=origin)
    for source in text_list(meta.get("source_datasets")):
        if source.lower() not in ("original", "extended"):
            record.relate("derived-from", source.removeprefix("extended|"), origin=origin)


def model_index_results(value: Any) -> list[dict[str, Any]]:
    """Flatten ``model-index`` into rows of ``{"model", "task", "dataset", "metric", "value"}``."""
    rows: list[dict[str, Any]] = []
    for model in value if isinstance(value, list) else []:
        if not isinstance(model, dict):
            continue
        name = text(model.get("name"), limit=200)
        for result in list_of(model.get("results")):
            if not isinstance(result, dict):
                continue
            task = _named(result.get("task"), "type")
            dataset = _named(result.get("dataset"), "name") or _named(result.get("dataset"), "type")
            for metric in list_of(result.get("metrics")):
                if not isinstance(metric, dict):
                    continue
                value_ = json_safe(metric.get("value"))
                if isinstance(value_, (dict, list)):
                    continue
                rows.append(
                    {
                        "model": name,
                        "task": task,
                        "dataset": dataset,
                        "metric": text(metric.get("name"), limit=100) or text(metric.get("type"), limit=100),
                        "value": value_,
                    }
                )
                if len(rows) >= _MAX_RESULTS:
                    return rows
    return rows


def _named(value: Any, key: str) -> str | None:
    if isinstance(value, dict):
        return text(value.get(key), limit=200) or text(value.get("name"), limit=200)
    return text(value, limit=200)
