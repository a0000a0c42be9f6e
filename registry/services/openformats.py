"""Open formats built from an entry's public shape: schema.org JSON-LD, Croissant, citations.

Pure functions: they take an ``EntryPublic`` (and the entry's address on this site) and return
plain data or text, so the pages, the API, the feeds and the exports all say the same thing.
Citations prefer what the repository's CITATION.cff says (``entry.citation["cff"]``) and fall
back to the entry's own fields when there is none.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from ..facets import license_ids
from ..schemas import EntryPublic

CITATION_FORMATS = ("bibtex", "apa", "cff")
SCHEMA_ORG = "https://schema.org"
CROISSANT_CONTEXT = {
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "dct": "http://purl.org/dc/terms/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
CROISSANT_VERSION = "http://mlcommons.org/croissant/1.0"


def license_urls(expression: str | None) -> list[str]:
    """Return the SPDX page of every licence in an expression (`MIT OR Apache-2.0` gives two)."""
    urls = []
    for lid in license_ids(expression):
        if lid in ("NOASSERTION", "NONE") or lid.startswith("LicenseRef-") or " " in lid:
            continue
        urls.append(f"https://spdx.org/licenses/{lid}.html")
    return urls


def _one_or_many(values: list[str]) -> str | list[str] | None:
    return None if not values else values[0] if len(values) == 1 else values


def _person(author: dict[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = {"@type": "Person", "name": author.get("name") or ""}
    if author.get("orcid"):
        orcid = str(author["orcid"])
        person["identifier"] = orcid if orcid.startswith("http") else f"https://orcid.org/{orcid}"
    if author.get("affiliation"):
        person["affiliation"] = {"@type": "Organization", "name": author["affiliation"]}
    return person


def _doi_url(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = str(doi).strip()
    return doi if doi.startswith("http") else f"https://doi.org/{doi}"


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def entry_jsonld(entry: EntryPublic, *, url: str) -> dict[str, Any]:
    """Return schema.org JSON-LD: `Dataset` for datasets, `SoftwareSourceCode` for models and projects."""
    languages = list(entry.languages) or ([entry.language] if entry.language else [])
    doi = _doi_url(_citation(entry).get("doi"))
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Dataset" if entry.kind == "dataset" else "SoftwareSourceCode",
        "@id": url,
        "url": url,
        "identifier": [x for x in (entry.slug, doi) if x],
        "name": entry.name,
        "description": entry.summary or entry.description[:5000],
        "license": _one_or_many(license_urls(entry.license)),
        "inLanguage": _one_or_many(languages),
        "author": [_person(a) for a in entry.authors if isinstance(a, dict) and a.get("name")],
        "codeRepository": entry.source_url,
        "version": entry.version,
        "dateModified": entry.updated_at.isoformat(),
        "keywords": list(dict.fromkeys([*entry.tasks, *entry.tags])),
        "sameAs": entry.homepage,
        "spatialCoverage": {"@type": "Place", "name": entry.region} if entry.region else None,
        "isBasedOn": [r.target for r in entry.relations],
    }
    if entry.kind != "dataset":
        data["applicationCategory"] = "AI model" if entry.kind == "model" else None
        data["runtimePlatform"] = list(entry.frameworks)
    return _drop_empty(data)


def croissant(entry: EntryPublic, *, url: str) -> dict[str, Any]:
    """Return Croissant 1.0 JSON-LD describing a dataset (metadata level: no record sets are known)."""
    data = {
        "@context": {**CROISSANT_CONTEXT, "@language": entry.language or "en"},
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_VERSION,
        "name": entry.name,
        "description": entry.summary or entry.description[:5000],
        "url": url,
        "license": _one_or_many(license_urls(entry.license)) or entry.license,
        "version": entry.version,
        "dateModified": entry.updated_at.isoformat(),
        "inLanguage": _one_or_many(list(entry.languages) or ([entry.language] if entry.language else [])),
        "keywords": list(dict.fromkeys([*entry.tasks, *entry.tags])),
        "creator": [_person(a) for a in entry.authors if isinstance(a, dict) and a.get("name")],
        "citeAs": format_citation(entry, "bibtex", url=url),
        "sameAs": entry.homepage,
    }
    if entry.source_url and entry.source_url.startswith("https://"):
        data["distribution"] = [
            {
                "@type": "cr:FileObject",
                "@id": "repository",
                "name": "repository",
                "description": "The dataset's source repository.",
                "contentUrl": entry.source_url,
                "encodingFormat": "git+https",
            }
        ]
    return _drop_empty(data)


# --- citations ---------------------------------------------------------------------


def _citation(entry: EntryPublic) -> dict[str, Any]:
    return entry.citation if isinstance(entry.citation, dict) else {}


def _cff(entry: EntryPublic) -> dict[str, Any]:
    cff = _citation(entry).get("cff")
    return cff if isinstance(cff, dict) else {}


def _people(entry: EntryPublic) -> list[dict[str, str]]:
    """Return authors as {given, family, name}: CITATION.cff's when it has them, else the entry's."""
    people = []
    for a in _cff(entry).get("authors") or []:
        if not isinstance(a, dict):
            continue
        given, family = str(a.get("given-names") or "").strip(), str(a.get("family-names") or "").strip()
        particle = str(a.get("name-particle") or "").strip()
        family = f"{particle} {family}".strip()
        name = str(a.get("name") or "").strip() or " ".join(x for x in (given, family) if x)
        if name:
            people.append({"given": given, "family": family, "name": name})
    if people:
        return people
    for a in entry.authors:
        name = str(a.get("name") or "").strip() if isinstance(a, dict) else ""
        if name:
            parts = name.split()
            # Only split "Given Family" names written with spaces; a one-word or CJK name stays whole.
            given, family = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", "")
            people.append({"given": given, "family": family, "name": name})
    return people


def _year(entry: EntryPublic) -> str:
    released = _cff(entry).get("date-released")
    if isinstance(released, (date, datetime)):
        return str(released.year)
    if isinstance(released, str) and re.match(r"^\d{4}", released):
        return released[:4]
    return str(entry.updated_at.year)


def _title(entry: EntryPublic) -> str:
    return str(_cff(entry).get("title") or entry.name)


def _version(entry: EntryPublic) -> str | None:
    version = _cff(entry).get("version") or entry.version
    return str(version) if version not in (None, "") else None


def _doi(entry: EntryPublic) -> str | None:
    doi = _citation(entry).get("doi") or _cff(entry).get("doi")
    return str(doi) if doi else None


def _link(entry: EntryPublic, url: str) -> str:
    cff = _cff(entry)
    return str(
        cff.get("url")
        or cff.get("repository-code")
        or entry.homepage
        or (entry.source_url if entry.source_url and entry.source_url.startswith("https://") else None)
        or url
    )


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text.replace("\n", " ").strip())


def bibtex(entry: EntryPublic, *, url: str) -> str:
    """Return a BibTeX `@misc` record (the type every BibTeX style knows)."""
    key = re.sub(r"[^a-z0-9]+", "_", entry.slug.lower()).strip("_") + "_" + _year(entry)
    fields = [
        (
            "author",
            " and ".join(
                _tex(f"{p['family']}, {p['given']}" if p["family"] and p["given"] else p["name"])
                for p in _people(entry)
            ),
        ),
        ("title", "{" + _tex(_title(entry)) + "}"),
        ("year", _year(entry)),
        ("version", _tex(_version(entry) or "")),
        ("doi", _tex(_doi(entry) or "")),
        ("url", _link(entry, url).replace("}", "%7D").replace("{", "%7B")),
        ("note", "Dataset" if entry.kind == "dataset" else "Software"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def _apa_name(person: dict[str, str]) -> str:
    if not person["family"]:
        return person["name"]
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s]+", person["given"]) if part)
    return f"{person['family']}, {initials}" if initials else person["family"]


def apa(entry: EntryPublic, *, url: str) -> str:
    """Return an APA 7 reference for software or a data set."""
    names = [_apa_name(p) for p in _people(entry)]
    if len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else ""
    version = _version(entry)
    title = _title(entry) + (f" (Version {version})" if version else "")
    kind = "[Data set]" if entry.kind == "dataset" else "[Computer software]"
    doi = _doi(entry)
    link = _doi_url(doi) if doi else _link(entry, url)
    if authors:
        return f"{authors} ({_year(entry)}). {title} {kind}. {link}\n"
    return f"{title} {kind}. ({_year(entry)}). {link}\n"


# libyaml's emitter writes the same YAML several times faster than the pure-Python one.
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _plain(value: Any) -> Any:
    # YAML dates and other non-JSON scalars come back as text.
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def cff(entry: EntryPublic, *, url: str) -> str:
    """Return CITATION.cff text: the repository's own when it has one, else built from the entry."""
    data = _cff(entry)
    if not data:
        authors = [
            (
                {"family-names": p["family"], "given-names": p["given"]}
                if p["family"] and p["given"]
                else {"name": p["name"]}
            )
            for p in _people(entry)
        ]
        data = _drop_empty(
            {
                "cff-version": "1.2.0",
                "message": "If you use this, please cite it as below.",
                "type": "dataset" if entry.kind == "dataset" else "software",
                "title": entry.name,
                "authors": authors or [{"name": entry.slug.split("/")[0]}],
                "abstract": entry.summary,
                "version": entry.version,
                "doi": _doi(entry),
                "license": entry.license if entry.license and " " not in entry.license else None,
                "url": entry.homepage or url,
                "repository-code": entry.source_url
                if entry.source_url and entry.source_url.startswith("https://")
                else None,
                "keywords": list(entry.tags) or None,
                "date-released": entry.updated_at.date().isoformat(),
            }
        )
    return yaml.dump(_plain(data), Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)


def format_citation(entry: EntryPublic, fmt: str, *, url: str) -> str:
    """Return the citation of an entry in one of CITATION_FORMATS."""
    return {"bibtex": bibtex, "apa": apa, "cff": cff}[fmt](entry, url=url)
