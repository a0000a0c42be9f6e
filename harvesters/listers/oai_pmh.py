"""OAI-PMH 2.0: ``ListRecords`` in Dublin Core, a set, ``from`` for increments, ``resumptionToken`` pages.

The answer is untrusted XML: a document with a DTD (where entity expansion lives) is refused
before it is parsed, and ElementTree resolves no external entity.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..pagefetch import check_page_url
from ..record import UnsafeSource
from .base import (
    Answer,
    BadTarget,
    ListedItem,
    ListerError,
    ListerSettings,
    Parsed,
    Request,
    clean_metadata,
    register_lister,
)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DOI = re.compile(r"^(?:doi:|info:doi/)?(10\.\d{4,9}/\S+)$", re.I)


def endpoint_of(target: str) -> str:
    """Return the endpoint URL without a query; raise BadTarget when it is not an http(s) address."""
    try:
        url = check_page_url(target.strip())
    except UnsafeSource as refused:
        raise BadTarget(f"the target must be the catalogue's endpoint URL: {refused}") from None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def parse_xml(body: bytes, url: str) -> ET.Element:
    """Parse an answer's XML; a DTD or entity declaration, or malformed XML, is refused in plain words."""
    if _DTD.search(body[:4096]) or _DTD.search(body):
        raise ListerError(f"the catalogue's XML declares a DTD or entities, which are refused ({url})")
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        raise ListerError(f"the catalogue answered with XML that is not well-formed ({url})") from None


def _address(values: list[str]) -> str | None:
    urls = [v for v in values if v.startswith(("https://", "http://"))]
    landing = [u for u in urls if "doi.org/" not in u]
    if landing:
        return landing[0]
    if urls:
        return urls[0]
    for value in values:
        match = _DOI.match(value)
        if match:
            return f"https://doi.org/{match.group(1)}"
    return None


def record_item(record: ET.Element) -> ListedItem | None:
    """Return the item of one ``<record>``, or None when it has neither an identifier nor an address."""
    header = record.find(f"{OAI}header")
    if header is None:
        return None
    identifier = (header.findtext(f"{OAI}identifier") or "").strip()[:500]
    if not identifier:
        return None
    datestamp = (header.findtext(f"{OAI}datestamp") or "").strip()[:40]
    if header.get("status") == "deleted":
        return ListedItem(url="", source_kind="page", key=identifier, metadata={"updated": datestamp}, deleted=True)
    dc = record.find(f"{OAI}metadata/*")
    if dc is None:
        return None

    def values(name: str) -> list[str]:
        return [(e.text or "").strip() for e in dc.iter(f"{DC}{name}") if (e.text or "").strip()]

    url = _address(values("identifier"))
    if url is None:
        return None
    try:
        url = check_page_url(url[:2000])
    except UnsafeSource:
        return None
    titles, descriptions = values("title"), values("description")
    meta = {
        "name": titles[0][:300] if titles else None,
        "description": descriptions[0][:2000] if descriptions else None,
        "license": next((r[:200] for r in values("rights") if "licen" in r.lower() or "://" in r), None),
        "topics": [s[:200] for s in values("subject")][:50],
        "languages": [s[:35] for s in values("language")][:20],
        "type": next(iter(values("type")), None),
        "updated": datestamp,
        "identifier": identifier,
    }
    return ListedItem(url=url, source_kind="page", key=identifier, metadata=clean_metadata(meta))


@register_lister("oai-pmh")
class OaiPmhLister:
    """An endpoint URL (with ``--set SPEC``): every record's landing page, deleted records noted."""

    obeys_robots = True

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        if set_spec:
            query["set"] = set_spec
        if since:
            query["from"] = since
        return Request(endpoint_of(target) + "?" + urlencode(query), accept="text/xml")

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        root = parse_xml(answer.body, answer.url)
        if root.tag != f"{OAI}OAI-PMH":
            raise ListerError(f"the answer is not an OAI-PMH document ({answer.url})")
        error = root.find(f"{OAI}error")
        if error is not None:
            code = (error.get("code") or "").strip()
            if code == "noRecordsMatch":
                return Parsed(items=[], next=None)
            words = (error.text or "").strip()[:200]
            raise ListerError(
                f"the OAI-PMH endpoint answered with an error: {code or 'unknown'}{f' ({words})' if words else ''}"
            )
        listing = root.find(f"{OAI}ListRecords")
        if listing is None:
            raise ListerError(f"the OAI-PMH answer has no ListRecords ({answer.url})")
        items, skipped, newest = [], 0, None
        for record in listing.findall(f"{OAI}record"):
            item = record_item(record)
            if item is None:
                skipped += 1
                continue
            items.append(item)
            stamp = item.metadata.get("updated")
            if stamp and (newest is None or stamp > newest):
                newest = stamp
        token = (listing.findtext(f"{OAI}resumptionToken") or "").strip()
        following = None
        if token:
            base = urlunsplit(urlsplit(request.url)._replace(query="", fragment=""))
            following = Request(
                base + "?" + urlencode({"verb": "ListRecords", "resumptionToken": token}), accept="text/xml"
            )
        return Parsed(items=items, next=following, skipped=skipped, watermark=newest)
