"""API routes for communities: open reads, members' and admins' writes with a bearer token."""

from __future__ import annotations

from flask import jsonify, request

from .. import schemas as m
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
from .spec import MADE_SLUG, PAGE, SLUG, WRITE, documented, links, path, query
from .support import page_args


def _community(session, slug: str, status: int = 200):
    return jsonify(get_community(session, slug=slug, actor=current_actor()).model_dump(mode="json")), status


@bp.get("/communities")
@documented(
    "listCommunities",
    "Communities",
    "communities",
    response=m.CommunityList,
    params=[query("language", {"type": "string"}), *PAGE],
    errors=(400,),
)
def communities():
    page, per_page = page_args()
    rows, total = list_communities(
        read_session(), language=request.args.get("language") or None, page=page, per_page=per_page
    )
    return list_page([c.model_dump(mode="json") for c in rows], total=total, page=page, per_page=per_page)


@bp.get("/communities/<slug>")
@documented(
    "getCommunity",
    "One community with its members",
    "communities",
    response=m.CommunityDetail,
    params=SLUG,
    errors=(404,),
)
def community(slug: str):
    view = get_community(read_session(), slug=slug, actor=current_actor())
    return jsonify(view.model_dump(mode="json"))


@bp.post("/communities")
@documented(
    "createCommunity",
    "Start a community",
    "communities",
    ok=201,
    response=m.CommunityDetail,
    body=m.CommunityCreate,
    auth=True,
    errors=(*WRITE, 409),
    links=links("getCommunity", "editCommunity", "joinCommunity", "leaveCommunity", slug=MADE_SLUG),
)
def new_community():
    actor, body = writer(), body_as(CommunityCreate)
    with write_session() as s:
        made = create_community(
            s,
            actor=actor,
            name=body.name,
            slug=body.slug or None,
            description=body.description or "",
            region=body.region or "",
            languages=body.languages or [],
            language=body.language,
        )
        s.flush()
        return _community(s, made.slug, 201)


@bp.patch("/communities/<slug>")
@documented(
    "editCommunity",
    "Edit a community (its admins)",
    "communities",
    response=m.CommunityDetail,
    body=m.CommunityPatch,
    params=SLUG,
    auth=True,
    errors=WRITE,
)
def patch_community(slug: str):
    actor, body = writer(), changes_as(CommunityPatch)
    with write_session() as s:
        update_community(s, slug=slug, actor=actor, changes=body)
        s.flush()
        return _community(s, slug)


@bp.post("/communities/<slug>/join")
@documented(
    "joinCommunity",
    "Ask to join",
    "communities",
    ok=202,
    response=m.JoinRequested,
    body=m.JoinRequest,
    body_optional=True,
    params=SLUG,
    auth=True,
    errors=(*WRITE, 409),
)
def join_community(slug: str):
    actor, body = writer(), body_as(JoinRequest, optional=True)
    with write_session() as s:
        request_join(s, slug=slug, actor=actor, message=body.message or "")
    return jsonify({"status": "pending"}), 202


@bp.delete("/communities/<slug>/members/me")
@documented("leaveCommunity", "Leave a community", "communities", ok=204, params=SLUG, auth=True, errors=WRITE)
def leave(slug: str):
    actor = writer()
    with write_session() as s:
        leave_community(s, slug=slug, actor=actor)
    return "", 204


@bp.post("/communities/<slug>/members/<name>")
@documented(
    "decideMember",
    "Approve or decline a join request, or set a member's role",
    "communities",
    response=m.CommunityDetail,
    body=m.MemberDecision,
    params=[*SLUG, path("name")],
    auth=True,
    errors=(*WRITE, 409),
)
def decide_member(slug: str, name: str):
    """Approve or decline a join request (`{"accept": true}`), or set a role (`{"role": "curator"}`)."""
    actor, body = writer(), body_as(MemberDecision)
    with write_session() as s:
        if body.role is not None:
            set_member_role(s, slug=slug, actor=actor, user_name=name, role=body.role)
        elif body.accept is not None:
            decide_join(s, slug=slug, actor=actor, user_name=name, accept=body.accept)
        else:
            raise Invalid(
                'Send {"accept": true|false} or {"role": "member|curator|admin"}.',
                details={"fields": {"accept": "a boolean", "role": "member, curator or admin"}},
            )
        s.flush()
        return _community(s, slug)
