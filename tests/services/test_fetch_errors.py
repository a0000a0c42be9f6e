"""A page whose server redirects to a malformed address, or a harvester that raises something
unexpected, is a failed harvest with a reason: the run is recorded, the last good data kept, the
rest of a batch harvested, and a submission answered with a 422, never a crash or a 500."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

import harvesters
from harvesters import HarvestError, HarvestOptions
from registry.db import get_engine, write_session
from registry.models import Entry, HarvestRun, Source
from registry.services.sources import due_sources

OPTIONS = HarvestOptions(allow_local=True, allow_private=True, host_interval=0, timeout=30)
# Each was an uncaught exception (ValueError, an IDNA error, httpx's RemoteProtocolError) in some
# version of the fetcher; all are addresses a hostile or broken server can send.
BAD_LOCATIONS = ["http://[::1", "http://exa mple.com/", "http://xn--a.com/", "https://xn--/", "//[::1"]


def _page(title: str) -> str:
    return (f'<html lang="en"><head><title>{title}</title><meta name="description" '
            f'content="A sample page about {title}, written for the registry tests."></head></html>')


@pytest.mark.parametrize("location", BAD_LOCATIONS)
def test_a_redirect_to_a_malformed_address_is_a_harvest_error_with_a_reason(site, location):
    site.routes["/moved"] = (302, {"Location": location}, b"")
    with pytest.raises(HarvestError) as caught:
        harvesters.run_harvest("page", site.url("/moved"), OPTIONS)
    assert "redirect" in str(caught.value) or "not valid" in str(caught.value)


def test_reharvest_records_each_failure_keeps_the_last_good_data_and_goes_on(app, runner, site):
    app.config["HARVEST_ALLOW_PRIVATE"] = True  # this test only: the site is on 127.0.0.1
    app.config["HARVEST_HOST_INTERVAL"] = 0
    urls = [site.page(f"/p{i}", _page(f"Proverbs {i}")) for i in range(3)]
    result = runner.invoke(args=["harvest", "--kind", "page", *urls])
    assert result.exit_code == 0, result.output
    # Two of the three servers now redirect to addresses that cannot even be parsed.
    site.routes["/p0"] = (302, {"Location": "http://xn--a.com/"}, b"")
    site.routes["/p2"] = (301, {"Location": "http://[::1"}, b"")

    result = runner.invoke(args=["reharvest", "--all"])

    assert result.exit_code == 1, result.output
    assert "2 failed" in result.output and "1 unchanged" in result.output, result.output
    assert "Traceback" not in result.output
    with Session(get_engine(app)) as s:
        for url in (urls[0], urls[2]):
            src = s.exec(select(Source).where(Source.url == url)).one()
            run = s.exec(select(HarvestRun).where(HarvestRun.source_id == src.id)
                         .order_by(HarvestRun.id.desc())).first()
            assert run.outcome == "failed" and "redirect" in run.error
            assert src.consecutive_failures == 1 and src.next_due_at is not None
        names = sorted(e.name for e in s.exec(select(Entry)))
        assert names == ["Proverbs 0", "Proverbs 1", "Proverbs 2"]  # the last good metadata is kept
        assert due_sources(s) == []  # the failed sources wait for their back-off, not due forever


def test_an_unexpected_exception_in_one_harvest_does_not_stop_the_batch(app, runner, site, monkeypatch):
    app.config["HARVEST_ALLOW_PRIVATE"] = True
    app.config["HARVEST_HOST_INTERVAL"] = 0
    urls = [site.page(f"/q{i}", _page(f"Glosses {i}")) for i in range(2)]
    assert runner.invoke(args=["harvest", "--kind", "page", *urls]).exit_code == 0
    real = harvesters.run_harvest

    def flaky(kind, source, options):
        if source == urls[0]:
            raise KeyError("a parser bug")
        return real(kind, source, options)

    monkeypatch.setattr("registry.jobs.batch.run_harvest", flaky)
    result = runner.invoke(args=["reharvest", "--all"])
    assert result.exit_code == 1, result.output
    assert "1 unchanged, 1 failed" in result.output
    assert "the harvester failed unexpectedly (KeyError)" in result.output
    with Session(get_engine(app)) as s:
        src = s.exec(select(Source).where(Source.url == urls[0])).one()
        assert src.consecutive_failures == 1


def test_submitting_a_page_that_redirects_to_a_malformed_address_is_a_422(app, client, site):
    from registry.services.tokens import create_token
    from registry.services.users import create_user

    app.config["HARVEST_ALLOW_PRIVATE"] = True
    app.config["HARVEST_HOST_INTERVAL"] = 0
    with write_session(app) as s:
        create_user(s, name="amina", email="amina@example.org", password="long enough pw")
        token = create_token(s, user_name="amina", scope="write")[0]
    for i, location in enumerate(BAD_LOCATIONS):
        site.routes[f"/r{i}"] = (302, {"Location": location}, b"")
        resp = client.post("/api/v1/entries", json={"source_url": site.url(f"/r{i}")},
                           headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 422, (location, resp.get_data(as_text=True))
        assert resp.get_json()["error"]["code"] == "harvest_failed"
        assert "source_url" in resp.get_json()["error"]["details"]["fields"]
