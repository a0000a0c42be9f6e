"""Small builders shared by tests: put entries in the registry through the real apply path and pipeline."""
from __future__ import annotations

from sqlalchemy import text

from harvesters import HarvestedRecord
from registry.config import harvest_options as _options_from_config
from registry.db import sessions, write_session
from registry.models import Source
from registry.services.harvesting import apply_record
from registry.services.pipeline import HarvestResult, run_source


def add_entry(app, slug: str, *, source_url: str | None = None, translations: dict | None = None,
              **fields) -> str:
    """Apply a harvested record for ``slug`` with the given fields; return the slug it got."""
    url = source_url or f"https://example.org/{slug}"
    rec = HarvestedRecord(source_url=url, source_kind="git", slug_hint=slug, commit="c" * 40)
    fields.setdefault("name", slug.split("/")[1].replace("-", " ").title())
    for name, value in fields.items():
        rec.set(name, value, origin="README.md")
    rec.translations.update(translations or {})
    with write_session(app) as session:
        return apply_record(session, record=rec, src=source_row(session, url)).slug


def source_row(session, url: str, kind: str = "git") -> Source:
    """Return the source row of ``url``, made when it is new (what the pipeline does before applying)."""
    from sqlmodel import select

    src = session.exec(select(Source).where(Source.kind == kind, Source.url == url)).first()
    if src is None:
        src = Source(kind=kind, url=url)
        session.add(src)
        session.flush()
    return src


def harvest_options(app, *, operator: bool):
    """Return the app's harvest options (the operator's may read local paths)."""
    return _options_from_config(app.config, operator=operator)


def harvest_source(app, *, source: str, kind: str | None = "git", options=None, **kwargs) -> HarvestResult:
    """Run one source through the real pipeline, as the operator, inside the app's context."""
    options = options or harvest_options(app, operator=True)
    with app.app_context():
        return run_source(sessions(app), source=source, kind=kind, options=options, **kwargs)


def reharvest(app, *, include_all: bool = False, options=None, jobs: int = 1) -> list[HarvestResult]:
    """Re-harvest the due sources (or all) as `flask reharvest` does without a queue."""
    from registry.jobs.batch import harvest_many
    from registry.services.sources import due_pairs

    with sessions(app).read() as session:
        pairs = due_pairs(session, include_all=include_all)
    return harvest_many(app, sources=pairs, options=options or harvest_options(app, operator=True), jobs=jobs)


def index_snapshot(app) -> dict:
    """Every stored row of the index, and what a few searches find through the database's index."""
    with write_session(app) as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        tables = ["search_documents", "search_terms"] + (["search_meta"] if sqlite else [])
        found = {t: sorted(map(tuple, s.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in tables}
        found["search_terms"] = sorted(row[-1] for row in found["search_terms"])  # ids depend on insert order
        found["counts"] = sorted(map(tuple, s.execute(text("SELECT * FROM search_facet_counts")).all()))
        if sqlite:
            s.execute(text("INSERT INTO search_words (search_words) VALUES ('integrity-check')"))
            for q in ("speech", "语音", "hisia", "trans*"):
                found[q] = s.execute(text("SELECT rowid FROM search_words WHERE search_words MATCH :q ORDER BY rowid"),
                                     {"q": q}).scalars().all()
    return found
