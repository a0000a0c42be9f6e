"""API routes about people: the caller's account and tokens, and the proposals they see."""
from __future__ import annotations

from flask import jsonify, request

from ..db import read_session, write_session
from ..models import User
from ..services.proposals import decide_proposal, get_proposal, my_proposals, review_queue, withdraw_proposal
from ..services.tokens import create_token, list_tokens, revoke_token
from . import bp
from .common import json_body, reader, writer


def _token_json(row) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "scope": row.scope,
            "created_at": row.created_at.isoformat(),
            "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None}


@bp.get("/me")
def me():
    actor = reader()
    user = read_session().get(User, actor.user_id)
    return jsonify({"name": user.name, "display_name": user.display_name, "role": user.role,
                    "preferred_language": user.preferred_language, "token_scope": actor.scope})


@bp.get("/me/tokens")
def my_tokens():
    actor = reader()
    rows = list_tokens(read_session(), actor=actor)
    return jsonify({"items": [_token_json(r) for r in rows], "total": len(rows), "page": 1,
                    "per_page": len(rows), "facets": {}})


@bp.post("/me/tokens")
def new_token():
    actor = writer()
    body = json_body()
    with write_session() as session:
        token, row = create_token(session, user_name=actor.name, scope=str(body.get("scope") or "read"),
                                  name=str(body.get("name") or ""))
        data = _token_json(row)
    return jsonify({**data, "token": token}), 201


@bp.delete("/me/tokens/<int:token_id>")
def delete_token(token_id: int):
    actor = writer()
    with write_session() as session:
        revoke_token(session, actor=actor, token_id=token_id)
    return "", 204


@bp.get("/proposals")
def proposals():
    """`?mine=1` lists the caller's own proposals; otherwise the review queue they may act on."""
    actor = reader()
    session = read_session()
    rows = my_proposals(session, actor=actor) if request.args.get("mine") else review_queue(session, actor=actor)
    return jsonify({"items": [p.as_json() for p in rows], "total": len(rows), "page": 1, "per_page": len(rows),
                    "facets": {}})


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    return jsonify(get_proposal(read_session(), proposal_id=proposal_id, actor=reader()).as_json())


@bp.post("/proposals/<int:proposal_id>/<any(accept, reject, withdraw):action>")
def decide(proposal_id: int, action: str):
    actor = writer()
    body = request.get_json(silent=True) or {}
    with write_session() as session:
        if action == "withdraw":
            withdraw_proposal(session, proposal_id=proposal_id, actor=actor)
        else:
            decide_proposal(session, proposal_id=proposal_id, actor=actor, accept=action == "accept",
                            note=str(body.get("note") or "") if isinstance(body, dict) else "")
        view = get_proposal(session, proposal_id=proposal_id, actor=actor)
    return jsonify(view.as_json())
