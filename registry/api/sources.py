"""API routes about sources: list them, read their runs, re-harvest, set a webhook secret."""

from __future__ import annotations

from flask import jsonify, url_for

from .. import schemas as m
from ..auth import current_actor
from ..db import read_session, write_session
from ..schemas import HookSecret
from ..services.sources import get_source, list_source_runs, list_sources, request_reharvest
from ..services.webhooks import set_hook_secret
from . import bp
from .common import writer
from .spec import PAGE, SOURCE, WRITE, documented
from .support import page_args, paginated


@bp.get("/sources")
@documented("listSources", "Harvested sources", "sources", response=m.SourceList, params=PAGE, errors=(400,))
def sources():
    page, per_page = page_args()
    items, total = list_sources(read_session(), actor=current_actor(), page=page, per_page=per_page)
    return paginated(items, total=total, page=page, per_page=per_page)


@bp.get("/sources/<int:source_id>")
@documented("getSource", "One source", "sources", response=m.SourcePublic, params=SOURCE, errors=(404,))
def source(source_id: int):
    public = get_source(read_session(), source_id=source_id, actor=current_actor())
    return jsonify(public.model_dump(mode="json"))


@bp.get("/sources/<int:source_id>/runs")
@documented(
    "listRuns",
    "A source's harvest runs, newest first",
    "sources",
    response=m.RunList,
    params=[*SOURCE, *PAGE],
    errors=(400, 404),
)
def runs(source_id: int):
    page, per_page = page_args()
    items, total = list_source_runs(
        read_session(), source_id=source_id, page=page, per_page=per_page, actor=current_actor()
    )
    return paginated(items, total=total, page=page, per_page=per_page)


@bp.post("/sources/<int:source_id>/reharvest")
@documented(
    "reharvest",
    "Harvest a source again (now, or on the queue)",
    "sources",
    response=m.HarvestOutcome,
    params=SOURCE,
    auth=True,
    errors=WRITE,
    queued=True,
)
def reharvest(source_id: int):
    actor = writer()
    outcome = request_reharvest(read_session(), source_id=source_id, actor=actor)
    if outcome.job_id:
        return jsonify(outcome.model_dump(mode="json")), 202, {"Location": url_for("api.job", job_id=outcome.job_id)}
    return jsonify(outcome.model_dump(mode="json"))


@bp.post("/sources/<int:source_id>/hook-secret")
@documented(
    "newHookSecret",
    "Make a new webhook secret for a source (shown once)",
    "sources",
    ok=201,
    response=m.HookSecret,
    params=SOURCE,
    auth=True,
    errors=WRITE,
)
def hook_secret(source_id: int):
    actor = writer()
    with write_session() as session:
        secret = set_hook_secret(session, source_id=source_id, actor=actor)
    return jsonify(HookSecret(source_id=source_id, secret=secret).model_dump(mode="json")), 201
