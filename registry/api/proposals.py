"""API routes about proposals: the caller's own, and the review queue they may act on."""

from __future__ import annotations

from flask import jsonify, request

from .. import schemas as m
from ..db import read_session, write_session
from ..schemas import ProposalDecision, ProposalList
from ..services.proposals import decide_proposal, get_proposal, my_proposals, review_queue, withdraw_proposal
from . import bp
from .common import body_as, reader, writer
from .spec import ID, WRITE, documented, path, query


@bp.get("/proposals")
@documented(
    "listProposals",
    "The review queue, or your own proposals with `mine=1`",
    "proposals",
    response=m.ProposalList,
    params=[query("mine", {"type": "string"}, "Any value lists your own proposals.")],
    auth=True,
    errors=(401,),
)
def proposals():
    """`?mine=1` lists the caller's own proposals; otherwise the review queue they may act on."""
    actor = reader()
    session = read_session()
    rows = my_proposals(session, actor=actor) if request.args.get("mine") else review_queue(session, actor=actor)
    return jsonify(
        ProposalList(items=rows, total=len(rows), page=1, per_page=len(rows), facets={}).model_dump(mode="json")
    )


@bp.get("/proposals/<int:proposal_id>")
@documented(
    "getProposal",
    "One proposal",
    "proposals",
    response=m.ProposalPublic,
    params=[path("proposal_id", ID)],
    auth=True,
    errors=(401, 404),
    description="404 for a proposal that does not exist and for one the caller may not see alike. "
    "On an entry a moderator has hid, `original` is empty and `entry_name` is the slug for all but moderators.",
)
def proposal(proposal_id: int):
    return jsonify(get_proposal(read_session(), proposal_id=proposal_id, actor=reader()).model_dump(mode="json"))


@bp.post("/proposals/<int:proposal_id>/<any(accept, reject, withdraw):action>")
@documented(
    "decideProposal",
    "Accept, reject or withdraw a proposal",
    "proposals",
    response=m.ProposalPublic,
    body=m.ProposalDecision,
    body_optional=True,
    params=[path("proposal_id", ID), path("action", {"type": "string", "enum": ["accept", "reject", "withdraw"]})],
    auth=True,
    errors=(*WRITE, 409),
)
def decide(proposal_id: int, action: str):
    actor, body = writer(), body_as(ProposalDecision, optional=True)
    with write_session() as session:
        if action == "withdraw":
            withdraw_proposal(session, proposal_id=proposal_id, actor=actor)
        else:
            decide_proposal(
                session, proposal_id=proposal_id, actor=actor, accept=action == "accept", note=body.note or ""
            )
        view = get_proposal(session, proposal_id=proposal_id, actor=actor)
    return jsonify(view.model_dump(mode="json"))
