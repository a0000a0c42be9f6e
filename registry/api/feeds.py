"""API routes in open formats: citations, Croissant and schema.org JSON-LD, and the JSON Lines dump."""

from __future__ import annotations

import json

from flask import Response, request, stream_with_context, url_for

from ..auth import current_actor
from ..db import get_engine, read_session
from ..errors import BadRequest, NotFound
from ..services.entries import get_entry
from ..services.exports import iter_public_entries, jsonl_lines
from ..services.openformats import CITATION_FORMATS, croissant, entry_jsonld, format_citation
from . import bp
from .spec import ENTRY, LANG, LD, NDJSON, TEXT, documented, query

_CITATION_TYPES = {"bibtex": "application/x-bibtex", "apa": "text/plain", "cff": "application/yaml"}


def entry_url(slug: str) -> str:
    """Return the address of an entry's page on this site."""
    namespace, name = slug.split("/", 1)
    return url_for("pages.entry", namespace=namespace, name=name, _external=True)


def _entry(namespace: str, name: str):
    return get_entry(
        read_session(), slug=f"{namespace}/{name}", actor=current_actor(), lang=request.args.get("lang") or None
    )


def _ld(data: dict) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/ld+json")


#: A CITATION.cff document is YAML whose data is a mapping (`cff-version`, `message`, `title`, …),
#: the repository's own or one built from the entry: what a client reads from it is an object.
CFF = {"type": "object", "description": "A CITATION.cff (1.2.0) document"}


@bp.get("/entries/<namespace>/<name>/citation")
@documented(
    "getCitation",
    "How to cite an entry",
    "formats",
    response={"application/x-bibtex": TEXT, "text/plain": TEXT, "application/yaml": CFF},
    params=[
        *ENTRY,
        query("format", {"type": "string", "enum": list(CITATION_FORMATS)}, "bibtex (default), apa or cff."),
        LANG,
    ],
    errors=(400, 404),
    description="From the repository's CITATION.cff when it has one, else from the entry's fields.",
)
def citation(namespace: str, name: str):
    fmt = request.args.get("format") or "bibtex"
    if fmt not in CITATION_FORMATS:
        raise BadRequest(
            f"format must be one of {', '.join(CITATION_FORMATS)}",
            code="invalid_parameter",
            details={"parameter": "format"},
        )
    entry = _entry(namespace, name)
    text = format_citation(entry, fmt, url=entry_url(entry.slug))
    return Response(text, mimetype=_CITATION_TYPES[fmt])


@bp.get("/entries/<namespace>/<name>/croissant")
@documented(
    "getCroissant",
    "Croissant JSON-LD of a dataset",
    "formats",
    response={LD: {"type": "object"}},
    params=[*ENTRY, LANG],
    errors=(404,),
)
def croissant_ld(namespace: str, name: str):
    entry = _entry(namespace, name)
    if entry.kind != "dataset":
        raise NotFound(f"{entry.slug} is a {entry.kind}; Croissant describes datasets.", code="not_a_dataset")
    return _ld(croissant(entry, url=entry_url(entry.slug)))


@bp.get("/entries/<namespace>/<name>/jsonld")
@documented(
    "getJsonLd",
    "schema.org JSON-LD of an entry",
    "formats",
    response={LD: {"type": "object"}},
    params=[*ENTRY, LANG],
    errors=(404,),
)
def jsonld(namespace: str, name: str):
    entry = _entry(namespace, name)
    return _ld(entry_jsonld(entry, url=entry_url(entry.slug)))


@bp.get("/dump")
@documented(
    "dump", "Every public entry, one JSON object per line (the getEntry shape)", "formats", response={NDJSON: TEXT}
)
def dump():
    """Stream every public entry as JSON Lines, reading in batches on a session of its own."""
    from sqlmodel import Session

    engine = get_engine()

    def lines():
        # The request's session closes at teardown, before a streamed body is read.
        with Session(engine) as session:
            yield from jsonl_lines(iter_public_entries(session, actor=None))

    resp = Response(stream_with_context(lines()), mimetype="application/x-ndjson")
    resp.headers["Content-Disposition"] = 'inline; filename="registry-dump.jsonl"'
    return resp
