"""The push webhook: GitHub, GitLab and Gitea tell the registry a repository changed."""

from __future__ import annotations

from flask import jsonify, request, url_for

from .. import schemas as m
from ..db import read_session
from ..services.webhooks import MAX_PUSH_BYTES, PayloadTooLarge, PushRequest, receive_push, require_signature
from . import bp
from .spec import documented


@bp.post("/hooks/push")
@documented(
    "pushHook",
    "A GitHub, GitLab or Gitea push event",
    "sources",
    response=m.HookResult,
    body={"type": "object"},
    errors=(400, 401, 403, 413, 429),
    queued=True,
    description="Signed with the source's secret: `X-Hub-Signature-256` (GitHub), `X-Gitea-Signature` "
    "(Gitea) or `X-Gitlab-Token` (GitLab). No signature is a 401; a wrong one is a 403, and so, "
    "with the same answer, is a push for a repository that is no source one may push (not registered, "
    "no secret set, the entry hidden or deleted); a delivery "
    "id seen before is answered with status `ignored`. The re-harvest runs at once, or is "
    "queued (202) when Redis is configured.",
)
def push_hook():
    require_signature(request.headers)
    if (request.content_length or 0) > MAX_PUSH_BYTES:
        raise PayloadTooLarge(f"A push body may be at most {MAX_PUSH_BYTES} bytes.")
    # A push may be larger than other requests (MAX_CONTENT_LENGTH); it has its own limit.
    request.max_content_length = MAX_PUSH_BYTES + 1
    # Read one byte past the limit, so a body sent without a length is refused too.
    push = PushRequest(headers=request.headers, body=request.stream.read(MAX_PUSH_BYTES + 1))
    result = receive_push(read_session(), push=push)
    if result.status == "queued" and result.harvest and result.harvest.job_id:
        return (
            jsonify(result.model_dump(mode="json")),
            202,
            {"Location": url_for("api.job", job_id=result.harvest.job_id)},
        )
    return jsonify(result.model_dump(mode="json"))
