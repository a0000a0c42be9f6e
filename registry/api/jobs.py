"""API routes about queued jobs: a job's state for whoever may follow it."""

from __future__ import annotations

from flask import jsonify

from .. import schemas as m
from ..auth import current_actor
from ..errors import NotFound
from ..jobs.queue import get_job
from . import bp
from .spec import documented, path


@bp.get("/jobs/<job_id>")
@documented(
    "getJob",
    "A queued job: queued, running, done or failed (with the reason)",
    "jobs",
    response=m.JobPublic,
    params=[path("job_id")],
    errors=(404,),
    description="Jobs exist when harvests are queued (Redis). A submission's job is shown only to the person "
    "who sent it (404 for anyone else); finished jobs are kept for a week, failed ones for 30 "
    "days. Never cached: poll it.",
)
def job(job_id: str):
    """A queued job's state; a submission's job only for the person who sent it."""
    state = get_job(job_id)
    actor = current_actor()
    if state is None or (state.owner_id is not None and (actor is None or actor.user_id != state.owner_id)):
        raise NotFound(
            "There is no such job (finished jobs are kept for a week, failed ones for 30 days).",
            details={"job_id": job_id},
        )
    response = jsonify(state.public().model_dump(mode="json"))
    # Its state changes from one second to the next: never from a cache.
    response.cache_control.no_store = True
    return response
