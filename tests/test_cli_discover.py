"""`flask discover`: the summary line, a limit that the next run goes on from, and hub sources harvested
through the one pipeline afterwards (end to end against a fake Hub)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from harvesters.listers import reset_politeness
from registry.db import sessions
from registry.models import Entry, EntryDetails, Source
from tests.harvesters import fake_apis as fa


@pytest.fixture
def hub(app):
    reset_politeness()
    repos = {f"lab/model-{i}": fa.HubRepo(id=f"lab/model-{i}", files={"README.md": fa.CARD},
                                         lfs={"model.safetensors": 10**9}) for i in range(3)}
    fake = fa.huggingface({"lab": [fa.hub_model(i, "lab") for i in range(3)]}, {"lab": []}, repos).start()
    app.config.update(HF_ENDPOINT=fake.base, HARVEST_ALLOW_PRIVATE=True, DISCOVERY_HOST_INTERVAL=0,
                      HARVEST_HOST_INTERVAL=0, DISCOVERY_PAGE_SIZE=2)
    yield fake
    fake.stop()


def test_discover_prints_the_summary_and_a_limit_is_resumed(runner, hub):
    first = runner.invoke(args=["discover", "huggingface", "author:lab", "--limit", "2"])
    assert first.exit_code == 0, first.output
    assert "discovered 2 (new 2, known 0, gone 0)" in first.output and "limit of 2" in first.output
    second = runner.invoke(args=["discover", "huggingface", "author:lab"])
    assert "discovered 1 (new 1, known 0, gone 0)" in second.output
    bad = runner.invoke(args=["discover", "github", "nonsense"])
    assert bad.exit_code != 0 and "github target" in bad.output


def test_discovered_hub_sources_are_harvested_through_the_pipeline_without_weights(app, runner, hub):
    assert runner.invoke(args=["discover", "huggingface", "author:lab"]).exit_code == 0
    done = runner.invoke(args=["reharvest"])
    assert done.exit_code == 0, done.output
    assert "3 created" in done.output
    with sessions(app).read() as s:
        entries = s.exec(select(Entry)).all()
        assert sorted(e.slug for e in entries) == ["lab/model-0", "lab/model-1", "lab/model-2"]
        assert {e.kind for e in entries} == {"model"} and {e.license for e in entries} == {"MIT"}
        details = s.get(EntryDetails, entries[0].id)
        assert "files" in details.data and all(src.kind == "huggingface" for src in s.exec(select(Source)))
    assert not any("safetensors" in c.path for c in hub.calls)


def test_discover_due_runs_the_kept_discoveries_that_are_due(runner, hub):
    assert "No discovery is due." in runner.invoke(args=["discover", "--due"]).output
    assert runner.invoke(args=["discover", "huggingface", "author:lab", "--limit", "1"]).exit_code == 0
    due = runner.invoke(args=["discover", "--due"])  # a partial run is due again an hour later, not now
    assert "No discovery is due." in due.output
    from registry.db import write_session
    from registry.models import Discovery

    with write_session(runner.app) as s:
        for row in s.exec(select(Discovery)):
            row.next_due_at = None
            s.add(row)
    again = runner.invoke(args=["discover", "--due"])
    # The page the limit cut short is read again: its first item is known, nothing is registered twice.
    assert again.exit_code == 0 and "#1: discovered 3 (new 2, known 1, gone 0)" in again.output
    assert runner.invoke(args=["discover", "--due", "github"]).exit_code != 0
    assert runner.invoke(args=["discover"]).exit_code != 0
