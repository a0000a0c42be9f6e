"""codemeta.json (CodeMeta 1.0, 2.0 and 3.0): a project's own description in schema.org terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..record import RANK_EXPLICIT
from .common import FormatError, apply_root_document, load_json
from .jsonld import apply_schema, get, items, license_of, main_item, people

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

CODEMETA_FILE = "codemeta.json"
_CONTEXTS = {
    "https://doi.org/10.5063/schema/codemeta-1.0": 1,
    "https://raw.githubusercontent.com/codemeta/codemeta/1.0/codemeta.jsonld": 1,
    "https://doi.org/10.5063/schema/codemeta-2.0": 2,
    "https://doi.org/doi:10.5063/schema/codemeta-2.0": 2,
    "https://raw.githubusercontent.com/codemeta/codemeta/2.0/codemeta.jsonld": 2,
    "https://w3id.org/codemeta/3.0": 3,
    "https://w3id.org/codemeta/v3.0": 3,
}


def codemeta_version(doc: dict[str, Any]) -> int | None:
    """Return the CodeMeta version (1, 2 or 3) named by a document's ``@context``, or None."""
    context = doc.get("@context")
    for value in context if isinstance(context, list) else [context]:
        if isinstance(value, str) and value.rstrip("/") in _CONTEXTS:
            return _CONTEXTS[value.rstrip("/")]
    return None


def parse_codemeta(source: str) -> tuple[dict[str, Any], list[str]]:
    """Parse codemeta.json into the object describing the software; raise FormatError if unreadable."""
    doc = load_json(source)
    if not isinstance(doc, dict):
        raise FormatError("is not a JSON object")
    warnings = []
    if codemeta_version(doc) is None:
        warnings.append("its @context is not a CodeMeta 1.0, 2.0 or 3.0 context; read anyway")
    objects = items(doc)
    item = main_item(objects) or (objects[0] if objects else None)
    if item is None:
        raise FormatError("describes no SoftwareSourceCode")
    return item, warnings


def apply_codemeta(item: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what a CodeMeta object says (1.0's ``licenseId`` and ``agents`` too)."""
    apply_schema(item, record, origin=origin)
    if get(item, "license") is None and item.get("licenseId"):
        record.offer("license", license_of(item.get("licenseId")), origin=origin, rank=RANK_EXPLICIT)
    if not get(item, "author") and item.get("agents"):
        record.offer("authors", people(item.get("agents")), origin=origin, rank=RANK_EXPLICIT)


def read_codemeta(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read codemeta.json at the root, if there is one."""
    apply_root_document(checkout, record, CODEMETA_FILE, parse_codemeta, apply_codemeta)
