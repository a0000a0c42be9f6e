"""CITATION.cff (Citation File Format 1.2.0): title, authors with ORCID and affiliation, DOI, licence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..record import LANG_AUTO, RANK_EXPLICIT, RANK_INFERRED
from ..spdx import normalize_license
from .common import (
    FormatError,
    apply_root_document,
    author,
    doi,
    http_url,
    json_safe,
    keyword_list,
    list_of,
    load_yaml,
    tag,
    text,
    text_list,
)
from .readme import trim_summary

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

CFF_FILE = "CITATION.cff"
_SUPPORTED = ("1.2.0",)


def parse_citation_cff(source: str) -> tuple[dict[str, Any], list[str]]:
    """Parse CITATION.cff text into a JSON-safe mapping and warnings; raise FormatError if unreadable."""
    data = load_yaml(source)
    if not isinstance(data, dict):
        raise FormatError("is not a YAML mapping of CFF keys")
    data = json_safe(data)
    warnings = []
    version = text(data.get("cff-version"), limit=20)
    if version is None:
        warnings.append("cff-version is missing; read as 1.2.0")
    elif version not in _SUPPORTED:
        warnings.append(f"cff-version {version} is not 1.2.0; read anyway")
    if not text(data.get("title")):
        warnings.append("has no title")
    return data, warnings


def cff_authors(value: Any) -> list[dict[str, str]]:
    """Return CFF authors as ``{"name", "orcid"?, "affiliation"?}``: persons and organisations."""
    people = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        name = text(item.get("name"), limit=200)  # an entity (organisation, team)
        if not name:
            parts = [
                text(item.get(k), limit=100) for k in ("given-names", "name-particle", "family-names", "name-suffix")
            ]
            name = " ".join(p for p in parts if p) or text(item.get("alias"), limit=100)
        person = author(name, orcid_value=item.get("orcid"), affiliation=item.get("affiliation"))
        if person:
            people.append(person)
    return people


def cff_license(value: Any) -> str | None:
    """Return a CFF licence (one SPDX id, or a list meaning any of them) as an SPDX expression."""
    ids = [normalize_license(v) for v in text_list(value)]
    known = [i for i in ids if i]
    if not known or len(known) != len(ids):
        return None
    return known[0] if len(known) == 1 else " OR ".join(f"({i})" if " " in i else i for i in known)


def cff_doi(data: dict[str, Any]) -> str | None:
    """Return the work's DOI: ``doi``, a DOI identifier, or the preferred citation's."""
    found = doi(data.get("doi"))
    if found:
        return found
    for ident in list_of(data.get("identifiers")):
        if isinstance(ident, dict) and text(ident.get("type")) == "doi":
            found = doi(ident.get("value"))
            if found:
                return found
    preferred = data.get("preferred-citation")
    return doi(preferred.get("doi")) if isinstance(preferred, dict) else None


def apply_cff(data: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what a parsed CITATION.cff says."""
    data = json_safe(data)
    title = text(data.get("title"), limit=300)
    abstract = text(data.get("abstract"))
    record.offer("name", title, origin=origin, rank=RANK_EXPLICIT, lang=LANG_AUTO)
    if abstract:
        record.offer(
            "summary", trim_summary(" ".join(abstract.split())), origin=origin, rank=RANK_EXPLICIT, lang=LANG_AUTO
        )
        record.offer("description", abstract, origin=origin, rank=RANK_INFERRED, lang=LANG_AUTO)
    if text(data.get("type")) == "dataset":
        record.offer("kind", "dataset", origin=origin, rank=RANK_EXPLICIT)
    record.offer("version", text(data.get("version"), limit=100), origin=origin, rank=RANK_EXPLICIT)
    license_id = cff_license(data.get("license"))
    if data.get("license") and not license_id:
        record.warnings.append(f"{origin}: licence {data.get('license')!r} is not an SPDX id; ignored")
    record.offer("license", license_id, origin=origin, rank=RANK_EXPLICIT)
    record.offer("homepage", http_url(data.get("url")), origin=origin, rank=RANK_EXPLICIT)
    record.offer("homepage", http_url(data.get("repository-code")), origin=origin, rank=RANK_INFERRED)
    record.offer("tags", [tag(k) for k in keyword_list(data.get("keywords"))], origin=origin, rank=RANK_EXPLICIT)
    record.offer("authors", cff_authors(data.get("authors")), origin=origin, rank=RANK_EXPLICIT)
    citation: dict[str, Any] = {"cff": data}
    found = cff_doi(data)
    if found:
        citation["doi"] = found
    record.offer("citation", citation, origin=origin, rank=RANK_EXPLICIT)


def read_citation_cff(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read CITATION.cff at the root, if there is one."""
    apply_root_document(checkout, record, CFF_FILE, parse_citation_cff, apply_cff)
