"""Push webhooks from GitHub, GitLab and Gitea: find the source, verify its secret, re-harvest once.

The order of checks is part of the contract: a request with no signature at all is refused
(401) before its body is even parsed; a signature that does not match the source's own secret
is refused (403) — and so, with the same answer, is a push for a repository that is no source one
may push (none registered, no secret set, the entry hidden or deleted), so the hook tells nobody
which addresses are registered; a delivery id seen before is ignored. Nothing is written on a
refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from ..db import write_session
from ..errors import BadRequest, Forbidden, Invalid, NotFound, RegistryError, Unauthorized
from ..inputs import load_json
from ..models import Entry, HookDelivery, Source, SourceHook, utcnow
from ..schemas import HookResult
from . import Actor
from .addresses import normalize_source
from .permissions import can_edit, require, require_signed_in
from .sources import harvest_known_source

#: Header -> how to check it. GitHub and Gitea sign the body with HMAC-SHA256; GitLab sends the secret.
SIGNATURE_HEADERS = ("X-Hub-Signature-256", "X-Gitea-Signature", "X-Gitlab-Token")
DELIVERY_HEADERS = ("X-GitHub-Delivery", "X-Gitea-Delivery", "X-Gitlab-Event-UUID", "Idempotency-Key")
EVENT_HEADERS = ("X-GitHub-Event", "X-Gitea-Event", "X-Gitlab-Event")
PUSH_EVENTS = {"push", "push hook", "tag push hook"}
_URL_KEYS = ("html_url", "clone_url", "git_url", "url", "homepage", "web_url", "git_http_url", "http_url")


#: GitHub caps its payloads at 25 MB, but a push that matters for harvesting is far smaller.
MAX_PUSH_BYTES = 5 * 1024 * 1024
#: How long a delivery id is remembered to ignore replays.
KEEP_DELIVERIES = timedelta(days=90)


class PayloadTooLarge(RegistryError):
    status, code = 413, "too_large"


class Headers(Protocol):
    """What is read of a request's headers: a plain mapping, or werkzeug's case-insensitive Headers."""

    def get(self, key: str, /) -> str | None: ...


@dataclass
class PushRequest:
    """The parts of an HTTP request a push webhook needs."""

    headers: Headers
    body: bytes


def _header(headers: Headers, names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        value = headers.get(name)
        if value:
            return name, value.strip()
    return None


def repository_urls(payload: dict[str, Any]) -> list[str]:
    """Return the repository addresses a push payload names (GitHub, GitLab and Gitea spell them differently)."""
    urls = []
    for key in ("repository", "project"):
        part = payload.get(key)
        if isinstance(part, dict):
            urls += [part[k] for k in _URL_KEYS if isinstance(part.get(k), str) and part[k].strip()]
    return list(dict.fromkeys(urls))


def find_source(session: Session, urls: list[str]) -> Source | None:
    """Return the registered source any of these addresses stands for."""
    candidates = set()
    for url in urls:
        try:
            candidates.add(normalize_source(url))
        except (Invalid, ValueError):
            continue
    if not candidates:
        return None
    return session.exec(select(Source).where(col(Source.url).in_(sorted(candidates))).order_by(col(Source.id))).first()


def signature_matches(secret: str, header: str, value: str, body: bytes) -> bool:
    """Compare a push's signature or token with the source's secret, in constant time."""
    if header == "X-Gitlab-Token":
        return hmac.compare_digest(value.encode(), secret.encode())
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = value.removeprefix("sha256=") if header == "X-Hub-Signature-256" else value
    return hmac.compare_digest(given.lower().encode(), expected.encode())


def _delivery_id(headers: Headers, payload: dict[str, Any]) -> str:
    found = _header(headers, DELIVERY_HEADERS)
    if found:
        return found[1][:200]
    # Older GitLab sends no delivery id: the pushed commit identifies the push well enough.
    after = payload.get("after") or payload.get("checkout_sha")
    if isinstance(after, str) and after:
        return f"push:{after[:190]}"
    raise BadRequest(
        "The push has no delivery id (X-GitHub-Delivery, X-Gitea-Delivery or X-Gitlab-Event-UUID).",
        code="missing_delivery_id",
    )


def require_signature(headers: Headers) -> tuple[str, str]:
    """Return the push's signature header and value; none at all is a 401, before anything else."""
    signature = _header(headers, SIGNATURE_HEADERS)
    if signature is None:
        raise Unauthorized(
            "Sign the push with the source's webhook secret (X-Hub-Signature-256, "
            "X-Gitea-Signature or X-Gitlab-Token).",
            code="signature_missing",
        )
    return signature


#: Compared against when no source matches, so a refusal takes as long whatever its reason.
_NO_SECRET = secrets.token_hex(32)


def _pushable_source(session: Session, payload: dict[str, Any], signature: tuple[str, str], body: bytes) -> Source:
    """The source this push is for, if the signature is that source's; else one 403 for every reason.

    The webhook authenticates with the source's own secret only, so a caller who does not hold it
    learns nothing: no registered source for the address, a source without a secret, a hidden or
    deleted entry's source and a wrong signature are the same answer.
    """
    source = find_source(session, repository_urls(payload))
    hook = session.get(SourceHook, source.id) if source is not None else None
    entry = session.get(Entry, source.entry_id) if source is not None and source.entry_id else None
    matches = signature_matches(hook.secret if hook else _NO_SECRET, signature[0], signature[1], body)
    if source is None or hook is None or not matches or (entry is not None and (entry.hidden or entry.deleted_at)):
        raise Forbidden(
            "The signature does not match the webhook secret of a registered source of this repository.",
            code="signature_mismatch",
        )
    return source


def receive_push(session: Session, *, push: PushRequest) -> HookResult:
    """Verify a push event and re-harvest its source; return what happened."""
    signature = require_signature(push.headers)
    if len(push.body) > MAX_PUSH_BYTES:
        raise PayloadTooLarge(f"A push body may be at most {MAX_PUSH_BYTES} bytes.")
    payload = load_json(push.body)  # the one loader: malformed, not UTF-8 or too deep is a 400
    if not isinstance(payload, dict):
        raise BadRequest("The push body must be a JSON object.", code="invalid_json")
    source = _pushable_source(session, payload, signature, push.body)
    delivery = _delivery_id(push.headers, payload)
    event = _header(push.headers, EVENT_HEADERS)
    if event is not None and event[1].lower() not in PUSH_EVENTS:
        return HookResult(status="ignored", delivery_id=delivery, source_id=source.id)
    try:
        with write_session() as ws:
            assert source.id is not None  # read from the database, so it has its id
            ws.add(HookDelivery(source_id=source.id, delivery_id=delivery))
            # Forget old ids: a push replayed after this long only causes a harmless re-harvest.
            ws.exec(
                delete(HookDelivery).where(
                    col(HookDelivery.source_id) == source.id, col(HookDelivery.received_at) < utcnow() - KEEP_DELIVERIES
                )
            )
    except IntegrityError:
        return HookResult(status="ignored", delivery_id=delivery, source_id=source.id)
    outcome = harvest_known_source(source=source)
    return HookResult(
        status="queued" if outcome.job_id else "harvested", delivery_id=delivery, source_id=source.id, harvest=outcome
    )


def set_hook_secret(session: Session, *, source_id: int, actor: Actor | None) -> str:
    """Make a new webhook secret for a source (its maintainers and staff only) and return it once."""
    actor = require_signed_in(actor)
    source = session.get(Source, source_id)
    entry = session.get(Entry, source.entry_id) if source and source.entry_id else None
    if source is None or (entry is not None and (entry.hidden or entry.deleted_at is not None)):
        raise NotFound(f"No source {source_id}.")
    require(
        entry is not None and can_edit(session, actor, entry),
        "Only the entry's maintainers and moderators set its webhook secret.",
    )
    secret = secrets.token_hex(32)
    hook = session.get(SourceHook, source.id)
    if hook is None:
        assert source.id is not None  # read from the database, so it has its id
        hook = SourceHook(source_id=source.id, secret=secret)
    hook.secret = secret
    session.add(hook)
    session.flush()
    return secret
