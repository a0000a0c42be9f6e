"""API routes about queued jobs: a job's state for whoever may follow it."""
from __future__ import annotations

from flask import jsonify

from ..auth import current_actor
from ..errors import NotFound
from ..jobs.queue import get_job
from . import bp


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """A queued job's state; a submission's job only for the person who sent it."""
    state = get_job(job_id)
    actor = current_actor()
    if state is None or (state.owner_id is not None and (actor is None or actor.user_id != state.owner_id)):
        raise NotFound("There is no such job (finished jobs are kept for a week, failed ones for 30 days).",
                       details={"job_id": job_id})
    response = jsonify(state.public().model_dump(mode="json"))
    # Its state changes from one second to the next: never from a cache.
    response.cache_control.no_store = True
    return response
