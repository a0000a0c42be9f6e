"""OAI-PMH 2.0 at /oai, so library and research aggregators harvest the registry as they harvest Zenodo.

Records are entries in Dublin Core (`oai_dc`); sets are the entry kinds (`kind:model`, …) and
the public collections (`collection:<slug>`).
Pages end in a resumption token that carries the whole request and a cursor on
(datestamp, id), so the answer does not depend on server state between pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from ..db import read_session
from ..inputs import checks_own_text, unstorable_names
from ..models import ENTRY_KINDS
from ..services.catalog import (
    Window,
    as_utc,
    collections_of,
    earliest_datestamp,
    entries_in_window,
    find_visible,
    public_collections,
)
from ..services.entries import to_public
from .feeds import entry_url

bp = Blueprint("oai", __name__)

PAGE_SIZE = 100
FORMATS = {"oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")}
SETS = {f"kind:{kind}": f"Entries of kind {kind}" for kind in ENTRY_KINDS}
VERBS = {
    # verb: (required, optional, exclusive)
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
}
_DC_TYPES = {"dataset": "Dataset", "model": "Software", "project": "Software"}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _stamp(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    """Parse a `from`/`until` argument; return an inclusive lower or exclusive upper bound and its granularity."""
    for fmt, granularity in (("%Y-%m-%dT%H:%M:%SZ", "seconds"), ("%Y-%m-%d", "day")):
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if end:
            parsed += timedelta(days=1) if granularity == "day" else timedelta(seconds=1)
        return parsed, granularity
    raise OaiError("badArgument", f"{value!r} is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")


def _repository_id() -> str:
    return current_app.config.get("OAI_REPOSITORY_ID") or request.host.split(":")[0]


def _identifier(slug: str) -> str:
    return f"oai:{_repository_id()}:{slug}"


def _slug_from(identifier: str) -> str | None:
    prefix = f"oai:{_repository_id()}:"
    return identifier[len(prefix) :] if identifier.startswith(prefix) else None


def _arguments() -> tuple[str, dict[str, str]]:
    source = request.form if request.method == "POST" else request.args
    bad = unstorable_names(source.items(multi=True))
    if bad:
        # The request boundary's refusal, in OAI-PMH's words (registry/inputs.py leaves /oai to it).
        raise OaiError("badArgument", f"{bad[0]} contains a character that is not allowed (NUL or a lone surrogate).")
    for key in source:
        if len(source.getlist(key)) > 1:
            raise OaiError("badArgument", f"{key} is repeated.")
    args = {k: source.get(k, "") for k in source}
    verb = args.pop("verb", None)
    if verb not in VERBS:
        raise OaiError("badVerb", "Illegal or missing verb." if verb is None else f"{verb!r} is not an OAI-PMH verb.")
    required, optional, exclusive = VERBS[verb]
    if exclusive and exclusive in args:
        if set(args) != {exclusive}:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument.")
        return verb, args
    allowed = set(required) | set(optional)
    extra = sorted(set(args) - allowed)
    if extra:
        raise OaiError("badArgument", f"{', '.join(extra)} is not an argument of {verb}.")
    missing = [k for k in required if not args.get(k)]
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}.")
    return verb, args


def _encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(state, dict) or state.get("p") not in FORMATS:
            raise ValueError
        # A token comes back from outside: every part must have the type this module wrote.
        if (
            any(not isinstance(state.get(k), (str, type(None))) for k in ("f", "u", "s"))
            or not isinstance(state.get("n", 0), int)
            or not isinstance(state.get("c", []), list)
        ):
            raise ValueError
        return state
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise OaiError("badResumptionToken", "The resumption token is not valid.") from None


def _window(args: dict) -> tuple[dict, Window]:
    """Return the request's state (from a token or the arguments) and the entries it selects."""
    if "resumptionToken" in args:
        state = _decode_token(args["resumptionToken"])
    else:
        state = {"p": args["metadataPrefix"], "f": args.get("from"), "u": args.get("until"), "s": args.get("set")}
        if state["p"] not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"{state['p']!r} is not offered; use oai_dc.")
    since = before = None
    if state.get("f"):
        since, g1 = _parse_date(state["f"], end=False)
    if state.get("u"):
        before, g2 = _parse_date(state["u"], end=True)
    if state.get("f") and state.get("u"):
        if g1 != g2:
            raise OaiError("badArgument", "from and until must have the same granularity.")
        assert since is not None and before is not None  # both given, so both parsed above
        if since >= before:
            raise OaiError("badArgument", "from is after until.")
    kind = collection = None
    if state.get("s"):
        spec = state["s"]
        if spec in SETS:
            kind = spec.removeprefix("kind:")
        elif spec.startswith("collection:") and spec.removeprefix("collection:") in dict(
            public_collections(read_session())
        ):
            collection = spec.removeprefix("collection:")
        else:
            raise OaiError("badArgument", f"There is no set {spec!r}.")
    after = None
    if state.get("c"):
        try:
            after = (datetime.fromisoformat(state["c"][0]), int(state["c"][1]))
        except (TypeError, ValueError, IndexError):
            raise OaiError("badResumptionToken", "The resumption token is not valid.") from None
    return state, Window(since=since, before=before, kind=kind, collection=collection, after=after)


def _dc(entry) -> dict:
    """Return the Dublin Core fields of an entry's public shape."""
    titles = [(entry.name, entry.language)] + [(t.name, lang) for lang, t in entry.translations.items() if t.name]
    descriptions = [(entry.summary, entry.language)] + [
        (t.summary, lang) for lang, t in entry.translations.items() if t.summary
    ]
    doi = entry.citation.get("doi") if isinstance(entry.citation, dict) else None
    return {
        "titles": titles,
        "descriptions": [d for d in descriptions if d[0]],
        "creators": [a.get("name") for a in entry.authors if isinstance(a, dict) and a.get("name")],
        "subjects": list(dict.fromkeys([*entry.tasks, *entry.tags])),
        "date": _stamp(entry.updated_at),
        "type": _DC_TYPES.get(entry.kind, "Software"),
        "identifiers": [entry_url(entry.slug)] + ([f"https://doi.org/{doi}"] if doi else []),
        "languages": list(entry.languages) or ([entry.language] if entry.language else []),
        "rights": entry.license,
        "relations": [entry.source_url] if entry.source_url else [],
        "formats": [],
        "version": entry.version,
    }


def _sets(entry, member_of: dict[int, list[str]]) -> list[str]:
    return [f"kind:{entry.kind}"] + [f"collection:{slug}" for slug in member_of.get(entry.id, [])]


def _records(verb: str, args: dict) -> dict:
    session = read_session()
    state, window = _window(args)
    rows, total = entries_in_window(session, window, limit=PAGE_SIZE + 1)
    if not rows:
        if "resumptionToken" in args:
            # The last page was empty after all (entries hidden meanwhile): end the list.
            return {"records": [], "token": "", "complete": total, "cursor": state.get("n", 0)}
        raise OaiError("noRecordsMatch", "No entries match these arguments.")
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    # Rows read from the database always have their id.
    member_of = collections_of(session, [e.id for e in page if e.id is not None])
    records = []
    for entry in page:
        public = to_public(session, entry, actor=None) if verb == "ListRecords" else None
        records.append(
            {
                "identifier": _identifier(entry.slug),
                "datestamp": _stamp(entry.updated_at),
                "sets": _sets(entry, member_of),
                "dc": _dc(public) if public else None,
            }
        )
    cursor = state.get("n", 0)
    token = ""
    if more:
        last = page[-1]
        token = _encode_token(
            {
                **{k: state.get(k) for k in ("p", "f", "u", "s")},
                "c": [as_utc(last.updated_at).isoformat(), last.id],
                "n": cursor + len(page),
            }
        )
    return {
        "records": records,
        "token": token,
        "complete": total,
        "cursor": cursor,
        "paged": more or "resumptionToken" in args,
    }


def _answer(verb: str, args: dict) -> dict:
    session = read_session()
    if verb == "Identify":
        earliest = earliest_datestamp(session)
        return {
            "earliest": _stamp(earliest) if earliest else "1970-01-01T00:00:00Z",
            "admin_email": current_app.config.get("ADMIN_EMAIL") or f"admin@{_repository_id()}",
        }
    if verb == "ListMetadataFormats":
        if args.get("identifier"):
            slug = _slug_from(args["identifier"])
            if slug is None or find_visible(session, slug) is None:
                raise OaiError("idDoesNotExist", f"{args['identifier']!r} is not in this repository.")
        return {"formats": FORMATS}
    if verb == "ListSets":
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "ListSets is answered in one page.")
        return {"sets": {**SETS, **{f"collection:{slug}": title for slug, title in public_collections(session)}}}
    if verb == "GetRecord":
        if args["metadataPrefix"] not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"{args['metadataPrefix']!r} is not offered; use oai_dc.")
        slug = _slug_from(args["identifier"])
        entry = find_visible(session, slug) if slug else None
        if entry is None:
            raise OaiError("idDoesNotExist", f"{args['identifier']!r} is not in this repository.")
        public = to_public(session, entry, actor=None)
        assert entry.id is not None  # read from the database, so it has its id
        return {
            "records": [
                {
                    "identifier": _identifier(entry.slug),
                    "datestamp": _stamp(entry.updated_at),
                    "sets": _sets(entry, collections_of(session, [entry.id])),
                    "dc": _dc(public),
                }
            ]
        }
    return _records(verb, args)


@bp.route("/oai", methods=["GET", "POST"])
@checks_own_text
def oai():
    verb: str | None = None
    args: dict[str, str] = {}
    error: OaiError | None = None
    data: dict[str, Any] = {}
    try:
        verb, args = _arguments()
        data = _answer(verb, args)
    except OaiError as err:
        error = err
    # For badVerb and badArgument the <request> element carries no attributes (the spec's rule).
    echo = {} if error and error.code in ("badVerb", "badArgument") else {"verb": verb, **args}
    body = render_template(
        "oai/response.xml",
        verb=verb,
        echo=echo,
        error=error,
        data=data,
        now=_stamp(datetime.now(UTC)),
        base_url=request.base_url,
    )
    return Response(body, mimetype="text/xml")
