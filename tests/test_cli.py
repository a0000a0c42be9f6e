"""The operator's commands, run through Click's runner against a real SQLite file."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine
from registry.models import Entry, User
from registry.services.users import verify_password
from tests.services.test_harvesting import MIT, README


def _entry_count(app) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(Entry)).one()[0]


def test_harvest_prints_a_summary_and_second_run_is_unchanged(app, runner, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": MIT}, name="sample-lab/tiny-tagger")
    first = runner.invoke(args=["harvest", str(repo)])
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "sample-lab/tiny-tagger" in first.output
    second = runner.invoke(args=["harvest", str(repo)])
    assert second.exit_code == 0
    assert "1 unchanged" in second.output
    assert _entry_count(app) == 1


def test_harvest_of_a_plain_folder_fails_in_one_line_and_changes_nothing(app, runner, tmp_path):
    folder = tmp_path / "just-a-folder"
    folder.mkdir()
    result = runner.invoke(args=["harvest", str(folder)])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "not a git repository" in lines[0]
    assert "Traceback" not in result.output
    assert _entry_count(app) == 0


def test_harvest_of_a_missing_path_fails_clearly(app, runner, tmp_path):
    result = runner.invoke(args=["harvest", str(tmp_path / "nope")])
    assert result.exit_code != 0 and "Error" in result.output
    assert _entry_count(app) == 0


def test_mixed_harvest_reports_each_outcome(app, runner, git_repo, tmp_path):
    good = git_repo({"README.md": README})
    bad = tmp_path / "bad"
    bad.mkdir()
    result = runner.invoke(args=["harvest", str(good), str(bad)])
    assert result.exit_code == 1
    assert "1 created" in result.output and "1 failed" in result.output
    assert _entry_count(app) == 1


def test_create_user_with_role_and_hashed_password(app, runner):
    result = runner.invoke(args=["create-user", "amina", "--email", "amina@example.org",
                                 "--password", "correct horse battery", "--role", "moderator"])
    assert result.exit_code == 0, result.output
    with Session(get_engine(app)) as s:
        user = s.exec(select(User)).one()
    assert user.role == "moderator" and user.password_hash.startswith("$argon2id$")
    assert verify_password(user, "correct horse battery") and not verify_password(user, "wrong")


def test_create_user_prompts_for_a_hidden_password(app, runner):
    result = runner.invoke(args=["create-user", "kofi", "--email", "kofi@example.org"],
                           input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "a long passphrase" not in result.output


def test_create_user_refuses_duplicates_and_weak_passwords(app, runner):
    runner.invoke(args=["create-user", "amina", "--email", "a@example.org", "--password", "long enough pass"])
    dup = runner.invoke(args=["create-user", "amina", "--email", "b@example.org", "--password", "long enough pass"])
    assert dup.exit_code != 0 and "taken" in dup.output
    weak = runner.invoke(args=["create-user", "zed", "--email", "z@example.org", "--password", "short"])
    assert weak.exit_code != 0 and "password" in weak.output


def test_purge_removes_an_entry_and_its_history_for_good_with_an_audit_record(app, runner, git_repo):
    from registry.models import PurgeRecord, Revision, Source

    repo = git_repo({"README.md": README}, name="sample-lab/tiny-tagger")
    assert runner.invoke(args=["harvest", str(repo)]).exit_code == 0
    short = runner.invoke(args=["purge", "sample-lab/tiny-tagger", "--reason", "oops", "--yes"])
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    declined = runner.invoke(args=["purge", "sample-lab/tiny-tagger", "--reason", "a leaked API key"], input="n\n")
    assert declined.exit_code == 1
    with Session(get_engine(app)) as s:
        assert s.exec(select(Entry)).one().slug == "sample-lab/tiny-tagger"  # nothing happened
    done = runner.invoke(args=["purge", "sample-lab/tiny-tagger", "--reason", "a leaked API key"], input="y\n")
    assert done.exit_code == 0, done.output
    assert "Purged sample-lab/tiny-tagger" in done.output
    with Session(get_engine(app)) as s:
        assert s.exec(select(Entry)).all() == [] and s.exec(select(Revision)).all() == []
        record = s.exec(select(PurgeRecord)).one()
        assert (record.slug, record.actor, record.reason) == ("sample-lab/tiny-tagger", "operator", "a leaked API key")
        assert s.exec(select(Source)).one().entry_id is None  # still known: not harvested back in
    missing = runner.invoke(args=["purge", "nobody/nothing", "--reason", "a leaked API key", "--yes"])
    assert missing.exit_code == 1 and "nobody/nothing" in missing.output


def test_init_db_is_idempotent(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_commands_refuse_an_unmigrated_database(tmp_path, git_repo):
    from registry import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path / "inst")})
    result = app.test_cli_runner().invoke(args=["harvest", str(git_repo({"README.md": README}))])
    assert result.exit_code != 0 and "init-db" in result.output
    get_engine(app).dispose()


# --- with a queue (REGISTRY_REDIS_URL): harvest and reharvest queue jobs for the workers ----------

import re  # noqa: E402
import subprocess  # noqa: E402

from registry.jobs.tasks import run_worker  # noqa: E402
from tests.test_jobs import FLASK, _worker_env, get_job, redis_app  # noqa: E402,F401  (redis_app is a fixture)

_QUEUED = re.compile(r"^queued\s+(\S+)\s+(\S+)$", re.M)


def test_with_a_queue_harvest_prints_the_jobs_for_the_workers(redis_app, runner, git_repo, tmp_path):
    good = git_repo({"README.md": README}, name="sample-lab/tiny-tagger")
    bad = tmp_path / "bad"
    bad.mkdir()
    result = runner.invoke(args=["harvest", str(good), str(bad)])
    assert result.exit_code == 0, result.output
    jobs = dict((source, job_id) for job_id, source in _QUEUED.findall(result.output))
    assert set(jobs) == {str(good), str(bad)}
    assert "2 jobs queued" in result.output and "`flask --app registry worker` processes will run them" in result.output
    assert _entry_count(redis_app) == 0  # nothing harvested here
    run_worker(redis_app, burst=True)
    assert get_job(redis_app, jobs[str(good)]).result["outcome"] == "created"
    assert get_job(redis_app, jobs[str(bad)]).status == "failed" and _entry_count(redis_app) == 1


@pytest.mark.slow
def test_with_a_queue_harvest_wait_prints_the_summary_when_workers_are_done(redis_app, runner, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": MIT}, name="sample-lab/tiny-tagger")
    worker = subprocess.Popen([FLASK, "--app", "registry", "worker"], env=_worker_env(redis_app),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        result = runner.invoke(args=["harvest", "--wait", str(repo)])
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=60)
    assert result.exit_code == 0, result.output + err.decode()[-2000:]
    assert "1 jobs queued" in result.output and "sample-lab/tiny-tagger" in result.output
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in result.output


def test_with_a_queue_reharvest_queues_each_due_source_once(redis_app, runner, git_repo):
    repo = git_repo({"README.md": README}, name="sample-lab/tiny-tagger")
    runner.invoke(args=["harvest", str(repo)])
    run_worker(redis_app, burst=True)
    assert "No source is due." in runner.invoke(args=["reharvest"]).output
    first = runner.invoke(args=["reharvest", "--all"])
    assert first.exit_code == 0 and "1 jobs queued" in first.output
    second = runner.invoke(args=["reharvest", "--all"])
    assert "0 jobs queued" in second.output and "1 already queued or running" in second.output
    run_worker(redis_app, burst=True)
    [job_id] = [job_id for job_id, _source in _QUEUED.findall(first.output)]
    assert get_job(redis_app, job_id).result["outcome"] == "unchanged"
