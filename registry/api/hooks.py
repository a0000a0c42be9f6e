"""The push webhook: GitHub, GitLab and Gitea tell the registry a repository changed."""
from __future__ import annotations

from flask import current_app, jsonify, request

from ..db import read_session
from ..services.webhooks import PushRequest, receive_push
from . import bp


@bp.post("/hooks/push")
def push_hook():
    push = PushRequest(headers=request.headers, body=request.get_data(cache=False))
    result = receive_push(current_app._get_current_object(), read_session(), push=push)
    return jsonify(result.model_dump(mode="json")), 202 if result.status == "queued" else 200
