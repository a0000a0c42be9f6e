"""The push webhook: GitHub, GitLab and Gitea tell the registry a repository changed."""
from __future__ import annotations

from flask import jsonify, request, url_for

from ..db import read_session
from ..services.webhooks import MAX_PUSH_BYTES, PayloadTooLarge, PushRequest, receive_push, require_signature
from . import bp


@bp.post("/hooks/push")
def push_hook():
    require_signature(request.headers)
    if (request.content_length or 0) > MAX_PUSH_BYTES:
        raise PayloadTooLarge(f"A push body may be at most {MAX_PUSH_BYTES} bytes.")
    # Read one byte past the limit, so a body sent without a length is refused too.
    push = PushRequest(headers=request.headers, body=request.stream.read(MAX_PUSH_BYTES + 1))
    result = receive_push(read_session(), push=push)
    if result.status == "queued" and result.harvest and result.harvest.job_id:
        return jsonify(result.model_dump(mode="json")), 202, {"Location": url_for("api.job",
                                                                                job_id=result.harvest.job_id)}
    return jsonify(result.model_dump(mode="json"))
