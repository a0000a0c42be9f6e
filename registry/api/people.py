"""API routes about people: the caller's account and tokens, and the proposals they see."""
from __future__ import annotations

from flask import jsonify, request

from ..db import read_session, write_session
from ..schemas import TokenCreated, TokenList
from ..services.proposals import decide_proposal, get_proposal, my_proposals, review_queue, withdraw_proposal
from ..services.tokens import create_token, list_tokens, revoke_token
from ..services.users import get_me
from . import bp
from .common import json_body, reader, writer


@bp.get("/me")
def me():
    return jsonify(get_me(read_session(), actor=reader()).model_dump(mode="json"))


@bp.get("/me/tokens")
def my_tokens():
    actor = reader()
    rows = list_tokens(read_session(), actor=actor)
    return jsonify(TokenList(items=rows, total=len(rows), page=1, per_page=len(rows), facets={})
                   .model_dump(mode="json"))


@bp.post("/me/tokens")
def new_token():
    actor = writer()
    body = json_body()
    with write_session() as session:
        token, row = create_token(session, user_name=actor.name, scope=str(body.get("scope") or "read"),
                                  name=str(body.get("name") or ""))
    return jsonify(TokenCreated(**row.model_dump(), token=token).model_dump(mode="json")), 201


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
