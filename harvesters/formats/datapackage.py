"""Frictionless ``datapackage.json``: a dataset's title, licences (Open Definition ids), contributors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..language import normalize_tag
from ..record import LANG_AUTO, RANK_EXPLICIT, RANK_INFERRED
from ..spdx import normalize_license
from .common import (
    FormatError,
    author,
    http_url,
    keyword_list,
    list_of,
    load_json,
    read_root_document,
    tag,
    text,
    text_list,
)
from .readme import trim_summary

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

DATAPACKAGE_FILE = "datapackage.json"
# Contributor roles that make a person an author of the data (v1 `role`, v2 `roles`).
_AUTHOR_ROLES = {"author", "creator", "contributor", "maintainer"}
_MAX_RESOURCES = 50


def parse_datapackage(source: str) -> dict[str, Any]:
    """Parse datapackage.json; raise FormatError if it is not a JSON object."""
    doc = load_json(source)
    if not isinstance(doc, dict):
        raise FormatError("is not a JSON object")
    return doc


def datapackage_license(value: Any) -> tuple[str | None, list[str]]:
    """Return the SPDX expression of a package's ``licenses`` (Open Definition names or URLs) and what is unknown."""
    found, unknown = [], []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            continue
        spdx = normalize_license(text(item.get("name"), limit=100)) or normalize_license(text(item.get("path")))
        if spdx:
            found.append(spdx)
        else:
            unknown.append(text(item.get("name"), limit=100) or text(item.get("path"), limit=200) or "?")
    found = list(dict.fromkeys(found))
    if unknown or not found:
        return None, unknown
    return (found[0] if len(found) == 1 else " OR ".join(f"({f})" if " " in f else f for f in found)), []


def datapackage_authors(value: Any) -> list[dict[str, str]]:
    """Return the people (and organisations) who made the data, from ``contributors``."""
    people = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        roles = {r.lower() for r in text_list(item.get("roles")) + text_list(item.get("role"))} or {"contributor"}
        if not roles & _AUTHOR_ROLES:
            continue
        name = text(item.get("title"), limit=200)
        if not name:
            name = " ".join(p for p in (text(item.get("givenName")), text(item.get("familyName"))) if p)
        person = author(name, orcid_value=item.get("path"), affiliation=item.get("organization"))
        if person:
            people.append(person)
    return people


def apply_datapackage(doc: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what a data package says; it is always a dataset."""
    record.offer("kind", "dataset", origin=origin, rank=RANK_EXPLICIT)
    record.offer("name", text(doc.get("title"), limit=300), origin=origin, rank=RANK_EXPLICIT, lang=LANG_AUTO)
    record.offer("name", text(doc.get("name"), limit=300), origin=origin, rank=RANK_INFERRED, lang=LANG_AUTO)
    description = text(doc.get("description"))
    if description:
        record.offer(
            "summary", trim_summary(" ".join(description.split())), origin=origin, rank=RANK_EXPLICIT, lang=LANG_AUTO
        )
        record.offer("description", description, origin=origin, rank=RANK_INFERRED, lang=LANG_AUTO)
    record.offer("version", text(doc.get("version"), limit=100), origin=origin, rank=RANK_EXPLICIT)
    record.offer("homepage", http_url(doc.get("homepage")), origin=origin, rank=RANK_EXPLICIT)
    record.offer("tags", [tag(k) for k in keyword_list(doc.get("keywords"))], origin=origin, rank=RANK_EXPLICIT)
    languages = [normalize_tag(t) for t in text_list(doc.get("languages")) + text_list(doc.get("language"))]
    record.offer("languages", list(dict.fromkeys(t for t in languages if t)), origin=origin, rank=RANK_EXPLICIT)
    license_id, unknown = datapackage_license(doc.get("licenses"))
    if unknown:
        record.warnings.append(f"{origin}: licence {', '.join(unknown)} has no SPDX id we know; ignored")
    record.offer("license", license_id, origin=origin, rank=RANK_EXPLICIT)
    record.offer("authors", datapackage_authors(doc.get("contributors")), origin=origin, rank=RANK_EXPLICIT)
    resources: list[dict[str, str]] = []
    for res in list_of(doc.get("resources")):
        if isinstance(res, dict) and len(resources) < _MAX_RESOURCES:
            row = {k: text(res.get(k), limit=300) for k in ("name", "path", "format")}
            resources.append({k: v for k, v in row.items() if v})
    record.note("resources", [r for r in resources if r], origin=origin)


def read_datapackage(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read datapackage.json at the root, if there is one."""
    found = read_root_document(checkout, record, DATAPACKAGE_FILE, parse_datapackage)
    if found is None:
        return
    name, doc = found
    apply_datapackage(doc, record, origin=name)
