"""API routes for communities: open reads, members' and admins' writes with a bearer token."""
from __future__ import annotations

from flask import jsonify, request

from ..auth import current_actor
from ..db import read_session, write_session
from ..errors import Invalid
from ..schemas import CommunityCreate, CommunityPatch, JoinRequest, MemberDecision
from ..services.communities import (
    create_community,
    decide_join,
    get_community,
    leave_community,
    list_communities,
    request_join,
    set_member_role,
    update_community,
)
from . import bp
from .common import body_as, changes_as, list_page, writer
from .support import page_args


def _community(session, slug: str, status: int = 200):
    return jsonify(get_community(session, slug=slug, actor=current_actor()).model_dump(mode="json")), status


@bp.get("/communities")
def communities():
    page, per_page = page_args()
    rows, total = list_communities(read_session(), language=request.args.get("language") or None, page=page,
                                   per_page=per_page)
    return list_page([c.model_dump(mode="json") for c in rows], total=total, page=page, per_page=per_page)


@bp.get("/communities/<slug>")
def community(slug: str):
    view = get_community(read_session(), slug=slug, actor=current_actor())
    return jsonify(view.model_dump(mode="json"))


@bp.post("/communities")
def new_community():
    actor, body = writer(), body_as(CommunityCreate)
    with write_session() as s:
        made = create_community(s, actor=actor, name=body.name, slug=body.slug or None,
                                description=body.description or "", region=body.region or "",
                                languages=body.languages or [], language=body.language)
        s.flush()
        return _community(s, made.slug, 201)


@bp.patch("/communities/<slug>")
def patch_community(slug: str):
    actor, body = writer(), changes_as(CommunityPatch)
    with write_session() as s:
        update_community(s, slug=slug, actor=actor, changes=body)
        s.flush()
        return _community(s, slug)


@bp.post("/communities/<slug>/join")
def join_community(slug: str):
    actor, body = writer(), body_as(JoinRequest, optional=True)
    with write_session() as s:
        request_join(s, slug=slug, actor=actor, message=body.message or "")
    return jsonify({"status": "pending"}), 202


@bp.delete("/communities/<slug>/members/me")
def leave(slug: str):
    actor = writer()
    with write_session() as s:
        leave_community(s, slug=slug, actor=actor)
    return "", 204


@bp.post("/communities/<slug>/members/<name>")
def decide_member(slug: str, name: str):
    """Approve or decline a join request (`{"accept": true}`), or set a role (`{"role": "curator"}`)."""
    actor, body = writer(), body_as(MemberDecision)
    with write_session() as s:
        if body.role is not None:
            set_member_role(s, slug=slug, actor=actor, user_name=name, role=body.role)
        elif body.accept is not None:
            decide_join(s, slug=slug, actor=actor, user_name=name, accept=body.accept)
        else:
            raise Invalid("Send {\"accept\": true|false} or {\"role\": \"member|curator|admin\"}.",
                          details={"fields": {"accept": "a boolean", "role": "member, curator or admin"}})
        s.flush()
        return _community(s, slug)
