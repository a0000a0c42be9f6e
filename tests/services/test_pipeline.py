"""The one source pipeline: every kind is recorded and backed off the same way, each result by its applier."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlmodel import select

from harvesters import HarvestedRecord, Outcome
from registry.db import sessions
from registry.models import HarvestRun, Source
from registry.services import OPERATOR
from registry.services.pipeline import register_applier, run_source
from registry.services.sources import sync_list
from tests.helpers import harvest_options

LIST = "# Awesome Samples\n\nSample links for the pipeline's tests.\n\n## Models\n- [One](https://github.com/a/one) - first.\n"
README = "# Sample Tool\n\nA sample tool written for the registry's pipeline tests.\n"


def _source(app, kind: str) -> Source:
    with sessions(app).read() as s:
        return s.exec(select(Source).where(Source.kind == kind)).one()


def _outcomes(app, source_id: int) -> list[str]:
    with sessions(app).read() as s:
        rows = s.exec(select(HarvestRun).where(HarvestRun.source_id == source_id).order_by(HarvestRun.id))
        return [r.outcome for r in rows]


@pytest.mark.parametrize("kind", ["git", "list"])
def test_a_failing_source_of_any_kind_is_recorded_and_waits_twice_as_long(app, git_repo, kind):
    # Lists used to have a run recorder of their own without back-off: a dead list was asked every hour.
    repo = git_repo({"README.md": LIST if kind == "list" else README}, name="samples/awesome-samples")
    options = harvest_options(app, operator=True)
    with app.app_context():
        first = run_source(sessions(app), source=str(repo), kind=kind, options=options)
        assert first.outcome is Outcome.CREATED
        shutil.rmtree(repo)
        failed = run_source(sessions(app), source=str(repo), kind=kind, options=options)
    assert failed.outcome is Outcome.FAILED and failed.error
    src = _source(app, kind)
    assert src.consecutive_failures == 1 and src.last_error == failed.error
    waited = src.next_due_at - src.last_harvested_at
    assert waited == timedelta(hours=2 * src.schedule_hours)
    assert _outcomes(app, src.id) == ["created", "failed"]


def test_an_unchanged_list_is_one_run_and_names_its_collection(app, git_repo):
    repo = git_repo({"README.md": LIST}, name="samples/awesome-samples")
    options = harvest_options(app, operator=True)
    sync_list(sessions(app), source=str(repo), actor=OPERATOR, options=options)
    with app.app_context():
        again = run_source(sessions(app), source=str(repo), kind="list", options=options)
    assert (again.outcome, again.slug) == (Outcome.UNCHANGED, "collection awesome-samples")
    assert _outcomes(app, _source(app, "list").id) == ["created", "unchanged"]


def test_a_result_type_has_one_applier():
    with pytest.raises(ValueError, match="already registered"):
        register_applier(HarvestedRecord, object())  # type: ignore[arg-type]
