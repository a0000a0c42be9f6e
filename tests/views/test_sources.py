"""What people see of harvesting: warnings for maintainers and moderators only, citation and authors,
the source page with every run, and the harvest/reharvest commands."""
from __future__ import annotations

from sqlmodel import Session, select

from harvesters import HarvestedRecord
from harvesters.pagefetch import reset_politeness
from registry.db import get_engine, write_session
from registry.models import Entry, Maintainer, Source
from registry.services.harvesting import apply_record
from registry.services.users import create_user
from tests.harvesters.site import start_site, stop_site
from tests.helpers import source_row
from tests.views.conftest import PASSWORD, login, post_form, text

CFF = {"cff-version": "1.2.0", "title": "Tiny Corpus", "doi": "10.5281/zenodo.0000007"}


def _harvested(app):
    record = HarvestedRecord(source_url="https://example.org/lab/corpus", source_kind="git", slug_hint="lab/corpus",
                             commit="c" * 40)
    record.set("name", "Tiny Corpus", origin="CITATION.cff")
    record.set("kind", "dataset", origin="README.md")
    record.set("authors", [{"name": "Amina Sample", "orcid": "https://orcid.org/0000-0002-1825-0097",
                            "affiliation": "Sample Nairobi NLP Lab"}], origin="CITATION.cff")
    record.set("citation", {"doi": "10.5281/zenodo.0000007", "cff": CFF}, origin="CITATION.cff")
    record.note("size_categories", ["1K<n<10K"], origin="README.md")
    record.note("results", [{"model": "m", "task": "text-classification", "dataset": "tweets", "metric": "f1",
                             "value": 0.81}], origin="README.md")
    record.warnings.append("package.json is not valid JSON (Expecting value); skipped")
    with write_session(app) as s:
        apply_record(s, record=record, src=source_row(s, "https://example.org/lab/corpus"))
        ids = {}
        for name, role in (("member", "user"), ("maint", "user"), ("mod", "moderator")):
            ids[name] = create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD, role=role).id
        entry = s.exec(select(Entry)).one()
        s.add(Maintainer(user_id=ids["maint"], entry_id=entry.id, via="admin"))
    with Session(get_engine(app)) as s:
        return s.exec(select(Source)).one().id


def test_warnings_are_for_maintainers_and_moderators(app, client):
    _harvested(app)
    page = text(client.get("/entries/lab/corpus"))
    assert "Harvest warnings" not in page and "package.json is not valid JSON" not in page
    for name in ("member", "maint", "mod"):
        browser = app.test_client()
        assert login(browser, name).status_code == 302
        page = text(browser.get("/entries/lab/corpus"))
        assert ("package.json is not valid JSON" in page) == (name != "member"), name


def test_authors_citation_and_details_are_shown(app, client):
    _harvested(app)
    page = text(client.get("/entries/lab/corpus"))
    assert "Amina Sample" in page and 'href="https://orcid.org/0000-0002-1825-0097"' in page
    assert "Sample Nairobi NLP Lab" in page
    assert 'href="https://doi.org/10.5281/zenodo.0000007"' in page
    assert "1K&lt;n&lt;10K" in page and "Evaluation results" in page and "0.81" in page


def test_source_page_lists_runs_and_reharvest_needs_a_maintainer(app, client, auth):
    source_id = _harvested(app)
    resp = client.get(f"/sources/{source_id}")
    assert resp.status_code == 200
    page = text(resp)
    assert "https://example.org/lab/corpus" in page and "created" in page and "lab/corpus" in page
    assert "1 warning" in page and "package.json" not in page
    assert client.get("/sources/999").status_code == 404
    entry_page = text(client.get("/entries/lab/corpus"))
    assert f'href="/sources/{source_id}"' in entry_page
    auth("member")
    resp = post_form(client, f"/sources/{source_id}", {}, action=f"/sources/{source_id}/reharvest",
                     follow_redirects=True)
    assert "Only the entry&#39;s maintainers and moderators ask for a re-harvest." in text(resp)


def test_harvest_and_reharvest_commands(app, runner, git_repo):
    reset_politeness()
    site = start_site()
    try:
        site.page("/data", '<html lang="en"><head><title>Proverbs</title><meta name="description" '
                           'content="A sample page about Yoruba proverbs, written for the registry tests."></head></html>')
        app.config["HARVEST_ALLOW_PRIVATE"] = True  # this test only: the local site is on 127.0.0.1
        app.config["HARVEST_HOST_INTERVAL"] = 0
        repo = git_repo({"README.md": "# Tool\n\nA sample tool for the registry's tests.\n"})
        result = runner.invoke(args=["harvest", "--kind", "page", site.url("/data")])
        assert result.exit_code == 0, result.output
        assert "1 created" in result.output
        result = runner.invoke(args=["harvest", str(repo), site.url("/data")])  # kinds guessed
        assert result.exit_code == 0, result.output
        assert "1 created, 0 updated, 1 unchanged" in result.output
        result = runner.invoke(args=["reharvest"])
        assert result.exit_code == 0 and "No source is due." in result.output
        result = runner.invoke(args=["reharvest", "--all"])
        assert result.exit_code == 0, result.output
        assert "0 created, 0 updated, 2 unchanged, 0 failed" in result.output
    finally:
        stop_site(site)
        reset_politeness()


def test_a_local_sources_failure_names_the_server_path_to_admins_only(app, client, runner, git_repo):
    # The operator harvests a server folder; once it is no longer a repository, the failure is
    # public on the source page, the entry page and the API, but the folder's path is not.
    import shutil

    repo = git_repo({"README.md": "# Path Probe\n\nA sample repository on this server.\n"}, name="lab/path-probe")
    assert runner.invoke(args=["harvest", str(repo)]).exit_code == 0
    shutil.rmtree(repo / ".git")
    runner.invoke(args=["harvest", str(repo)])
    with Session(get_engine(app)) as s:
        source = s.exec(select(Source)).one()
        assert str(repo) in (source.last_error or "")  # stored in full for the operator
        with write_session(app) as ws:
            create_user(ws, name="root", email="root@example.org", password=PASSWORD, role="admin")
    pages = [f"/sources/{source.id}", "/entries/lab/path-probe", f"/api/v1/sources/{source.id}",
             f"/api/v1/sources/{source.id}/runs"]
    for path in pages:
        body = text(client.get(path))
        assert str(repo) not in body and "[server path]" in body, path
    admin = app.test_client()
    assert login(admin, "root").status_code == 302
    assert str(repo) in text(admin.get(f"/sources/{source.id}"))
