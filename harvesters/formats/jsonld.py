"""schema.org JSON-LD as metadata files and pages write it: objects, lists and ``@graph``, in
compact form with any of the usual prefixes. Shared by codemeta, Croissant and the page harvester."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import langcodes

from ..language import normalize_tag
from ..record import LANG_AUTO, RANK_EXPLICIT, RANK_INFERRED
from ..spdx import normalize_license
from .common import author, doi, http_url, json_safe, keyword_list, orcid, tag, text
from .readme import trim_summary

if TYPE_CHECKING:
    from ..record import HarvestedRecord

_MAX_ITEMS = 500
_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:", "sdo:", "sc:", "cr:")
#: Types that describe the resource itself, most telling first.
DATASET_TYPES = ("Dataset", "DataCatalog", "DataDownload")
SOFTWARE_TYPES = ("SoftwareSourceCode", "SoftwareApplication", "WebApplication", "MobileApplication")
MAIN_TYPES = (
    DATASET_TYPES[:1]
    + SOFTWARE_TYPES
    + ("CreativeWork", "WebSite", "WebPage", "Article", "ScholarlyArticle", "Product", "Organization")
)


def items(doc: Any, *, depth: int = 0) -> list[dict[str, Any]]:
    """Return the top-level objects of a JSON-LD document (lists and ``@graph`` flattened)."""
    found: list[dict[str, Any]] = []
    if depth > 5:
        return found
    if isinstance(doc, list):
        for element in doc[:_MAX_ITEMS]:
            found.extend(items(element, depth=depth + 1))
    elif isinstance(doc, dict):
        graph = doc.get("@graph")
        if isinstance(graph, (list, dict)):
            found.extend(items(graph, depth=depth + 1))
        if any(not key.startswith("@") or key == "@type" for key in doc if key not in ("@graph", "@context")):
            found.append(doc)
    return found[:_MAX_ITEMS]


def types(item: dict[str, Any]) -> list[str]:
    """Return an object's ``@type`` names without prefixes."""
    raw = item.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    names = []
    for value in values:
        if isinstance(value, str):
            for prefix in _PREFIXES:
                value = value.removeprefix(prefix)
            names.append(value)
    return names


def get(item: dict[str, Any], key: str) -> Any:
    """Return a property written plain or with a schema.org prefix."""
    if key in item:
        return item[key]
    for prefix in _PREFIXES:
        if prefix + key in item:
            return item[prefix + key]
    return None


def main_item(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the object that describes the resource: the most telling type, first of its kind."""
    for wanted in MAIN_TYPES:
        for obj in objects:
            if wanted in types(obj):
                return obj
    return None


def value_text(value: Any, *, limit: int = 10_000) -> str | None:
    """Return the text of a value written as a string, ``{"@value": …}`` or a list of either."""
    if isinstance(value, list):
        for element in value:
            found = value_text(element, limit=limit)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text(value.get("@value"), limit=limit) or text(value.get("name"), limit=limit)
    return text(value, limit=limit)


def language_values(value: Any) -> list[tuple[str, str]]:
    """Return ``(text, tag)`` pairs of a value given in several languages (``{"@value", "@language"}``)."""
    pairs = []
    for element in value if isinstance(value, list) else [value]:
        if isinstance(element, dict):
            content, lang = text(element.get("@value")), text(element.get("@language"), limit=35)
            tag_ = normalize_tag(lang) if lang else None
            if content and tag_:
                pairs.append((content, tag_))
    return pairs


def id_of(value: Any) -> str | None:
    """Return the identifier of a node: ``@id``, ``url``, ``identifier`` or the string itself."""
    if isinstance(value, dict):
        for key in ("@id", "url", "identifier", "sameAs"):
            found = value_text(value.get(key), limit=2000)
            if found:
                return found
        return None
    return value_text(value, limit=2000)


def license_of(value: Any) -> str | None:
    """Return an SPDX expression for a ``license`` given as URL, id, node or list (a list is a choice)."""
    found = []
    for element in value if isinstance(value, list) else [value]:
        candidates = [id_of(element)]
        if isinstance(element, dict):
            candidates += [value_text(element.get("identifier")), value_text(element.get("name"))]
        spdx = next((s for s in (normalize_license(c) for c in candidates if c) if s), None)
        if spdx is None:
            return None
        found.append(spdx)
    found = list(dict.fromkeys(found))
    if not found:
        return None
    return found[0] if len(found) == 1 else " OR ".join(f"({f})" if " " in f else f for f in found)


def people(value: Any) -> list[dict[str, str]]:
    """Return Person and Organization nodes (or plain names) as ``authors`` items."""
    found = []
    for element in (value if isinstance(value, list) else [value])[:100]:
        if isinstance(element, str):
            person = author(element)
        elif isinstance(element, dict):
            name = value_text(element.get("name"), limit=200)
            if not name:
                parts = [value_text(element.get(k), limit=100) for k in ("givenName", "familyName")]
                name = " ".join(p for p in parts if p)
            ident = _orcid_of(element)
            affiliation = element.get("affiliation")
            if isinstance(affiliation, list):
                affiliation = affiliation[0] if affiliation else None
            place = value_text(affiliation, limit=300) if affiliation is not None else None
            person = author(name, orcid_value=ident, affiliation=place)
        else:
            person = None
        if person:
            found.append(person)
    return found


def _orcid_of(node: dict[str, Any]) -> str | None:
    for key in ("@id", "identifier", "sameAs"):
        raw = node.get(key)
        for candidate in raw if isinstance(raw, list) else [raw]:
            found = orcid(id_of(candidate) if isinstance(candidate, dict) else value_text(candidate))
            if found:
                return found
    return None


def in_language(value: Any) -> list[str]:
    """Return BCP-47 tags of ``inLanguage`` (tags, names, or Language nodes)."""
    tags = []
    for element in (value if isinstance(value, list) else [value])[:100]:
        raw = (
            value_text(element.get("alternateName")) or value_text(element.get("name"))
            if isinstance(element, dict)
            else text(element, limit=100)
        )
        if not raw:
            continue
        found = normalize_tag(raw)
        if found is None:
            try:
                found = normalize_tag(langcodes.find(raw).to_tag())
            except LookupError:
                found = None
        if found:
            tags.append(found)
    return list(dict.fromkeys(tags))


def keywords(value: Any) -> list[str]:
    """Return keywords given as a list, a comma-separated string or DefinedTerm nodes."""
    if isinstance(value, list):
        value = [value_text(v, limit=200) if isinstance(v, dict) else v for v in value]
    return [tag(k) for k in keyword_list(value)]


def doi_of(item: dict[str, Any]) -> str | None:
    """Return a DOI from ``identifier``, ``sameAs`` or ``@id``."""
    for key in ("identifier", "sameAs", "@id", "citation"):
        raw = get(item, key)
        for element in raw if isinstance(raw, list) else [raw]:
            found = doi(id_of(element) if isinstance(element, dict) else element)
            if found:
                return found
    return None


def apply_schema(
    item: dict[str, Any], record: HarvestedRecord, *, origin: str, lang: str = LANG_AUTO, rank: int = RANK_EXPLICIT
) -> None:
    """Offer what a schema.org object says about the resource it describes."""
    kinds = types(item)
    name, description = value_text(get(item, "name"), limit=300), value_text(get(item, "description"))
    record.offer("name", name, origin=origin, rank=rank, lang=lang)
    if description:
        record.offer("summary", trim_summary(" ".join(description.split())), origin=origin, rank=rank, lang=lang)
        record.offer("description", description, origin=origin, rank=RANK_INFERRED, lang=lang)
    for value_, tag_ in language_values(get(item, "name")):
        record.offer("name", value_, origin=origin, rank=rank, lang=tag_)
    for value_, tag_ in language_values(get(item, "description")):
        record.offer("summary", trim_summary(" ".join(value_.split())), origin=origin, rank=rank, lang=tag_)
    if any(k in DATASET_TYPES for k in kinds):
        record.offer("kind", "dataset", origin=origin, rank=rank)
        record.offer("languages", in_language(get(item, "inLanguage")), origin=origin, rank=rank)
    record.offer(
        "version",
        value_text(get(item, "version"), limit=100) or value_text(get(item, "softwareVersion"), limit=100),
        origin=origin,
        rank=rank,
    )
    license_value = get(item, "license")
    license_id = license_of(license_value) if license_value is not None else None
    if license_value is not None and license_id is None:
        record.warnings.append(f"{origin}: licence {str(json_safe(license_value))[:80]!r} is not one we know; ignored")
    record.offer("license", license_id, origin=origin, rank=rank)
    record.offer("homepage", http_url(value_text(get(item, "url"))), origin=origin, rank=rank)
    record.offer("homepage", http_url(value_text(get(item, "codeRepository"))), origin=origin, rank=RANK_INFERRED)
    record.offer("tags", keywords(get(item, "keywords")), origin=origin, rank=rank)
    record.offer("authors", people(get(item, "author")) or people(get(item, "creator")), origin=origin, rank=rank)
    found = doi_of(item)
    if found:
        record.offer("citation", {"doi": found}, origin=origin, rank=rank)
    languages = get(item, "programmingLanguage")
    names = [value_text(v, limit=100) for v in (languages if isinstance(languages, list) else [languages])]
    # Programming languages are never human languages: they go to the details, not `languages`.
    record.note("programming_languages", [n for n in names if n], origin=origin)
