"""API routes about the caller: their account and their tokens."""

from __future__ import annotations

from flask import jsonify

from .. import schemas as m
from ..db import read_session, write_session
from ..schemas import TokenCreate, TokenCreated, TokenList
from ..services.tokens import create_token, list_tokens, revoke_token
from ..services.users import get_me
from . import bp
from .common import body_as, reader, writer
from .spec import ID, MADE_ID, WRITE, documented, links, path


@bp.get("/me")
@documented("me", "The token's account", "people", response=m.MePublic, auth=True, errors=(401,))
def me():
    return jsonify(get_me(read_session(), actor=reader()).model_dump(mode="json"))


@bp.get("/me/tokens")
@documented(
    "listTokens", "Your API tokens (never the secrets)", "people", response=m.TokenList, auth=True, errors=(401,)
)
def my_tokens():
    actor = reader()
    rows = list_tokens(read_session(), actor=actor)
    return jsonify(
        TokenList(items=rows, total=len(rows), page=1, per_page=len(rows), facets={}).model_dump(mode="json")
    )


@bp.post("/me/tokens")
@documented(
    "createToken",
    "Make an API token (shown once)",
    "people",
    ok=201,
    response=m.TokenCreated,
    body=m.TokenCreate,
    auth=True,
    errors=WRITE,
    links=links("revokeToken", token_id=MADE_ID),
)
def new_token():
    actor = writer()
    body = body_as(TokenCreate)
    with write_session() as session:
        token, row = create_token(session, user_name=actor.name, scope=body.scope or "read", name=body.name or "")
    return jsonify(TokenCreated(**row.model_dump(), token=token).model_dump(mode="json")), 201


@bp.delete("/me/tokens/<int:token_id>")
@documented("revokeToken", "Revoke a token", "people", ok=204, params=[path("token_id", ID)], auth=True, errors=WRITE)
def delete_token(token_id: int):
    actor = writer()
    with write_session() as session:
        revoke_token(session, actor=actor, token_id=token_id)
    return "", 204
