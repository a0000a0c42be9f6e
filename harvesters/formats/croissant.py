"""Croissant (MLCommons) JSON-LD: a schema.org Dataset with record sets, in a repository or on a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .common import FormatError, list_of, load_json, parse_file, text
from .jsonld import DATASET_TYPES, apply_schema, get, items, types, value_text

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

_MAX_RECORD_SETS = 50


def is_croissant(item: dict[str, Any]) -> bool:
    """Tell whether a JSON-LD object is a Croissant dataset (``conformsTo`` names the spec)."""
    conforms = get(item, "conformsTo") or item.get("dct:conformsTo")
    values = conforms if isinstance(conforms, list) else [conforms]
    return any(isinstance(v, str) and "mlcommons.org/croissant" in v for v in values) or (
        "recordSet" in item and "Dataset" in types(item)
    )


def parse_croissant(source: str) -> dict[str, Any]:
    """Parse a Croissant file into its Dataset object; raise FormatError if it holds none."""
    doc = load_json(source)
    dataset = next((i for i in items(doc) if any(t in DATASET_TYPES for t in types(i))), None)
    if dataset is None:
        raise FormatError("holds no schema.org Dataset")
    return dataset


def apply_croissant(dataset: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what a Croissant dataset says, and note its record sets and files."""
    apply_schema(dataset, record, origin=origin)
    record_sets = []
    for rs in list_of(dataset.get("recordSet"))[:_MAX_RECORD_SETS]:
        if isinstance(rs, dict):
            fields = [value_text(f.get("name"), limit=100) for f in list_of(rs.get("field")) if isinstance(f, dict)]
            record_sets.append({"name": value_text(rs.get("name"), limit=200), "fields": [f for f in fields if f]})
    record.note("record_sets", record_sets, origin=origin)
    files: list[dict[str, Any]] = []
    for dist in list_of(dataset.get("distribution")):
        if isinstance(dist, dict) and len(files) < _MAX_RECORD_SETS:
            files.append(
                {
                    "name": value_text(dist.get("name"), limit=200),
                    "url": text(dist.get("contentUrl"), limit=2000),
                    "format": text(dist.get("encodingFormat"), limit=100),
                }
            )
    record.note("files", files, origin=origin)
    cite = value_text(get(dataset, "citeAs"), limit=5000)
    record.note("cite_as", cite, origin=origin)


def read_croissant(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read a Croissant file at the root (``croissant.json``, ``*.croissant.json``), if there is one."""
    for name in checkout.root_files():
        lowered = name.lower()
        if not (lowered in ("croissant.json", "croissant.jsonld") or lowered.endswith(".croissant.json")):
            continue
        found = parse_file(checkout, record, name, parse_croissant)
        if found is not None:
            apply_croissant(found[1], record, origin=name)
            return
