"""HTML pages: parse the request, call a service, render a template."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from ..db import read_session
from ..rendering import render_markdown
from ..services.entries import count_entries, get_entry, list_entries, parse_entry_query, EntryQuery
from ..services.harvesting import harvest_notes, list_runs
from .common import current_actor
from .filters import register_filters
from .reading import content_language

bp = Blueprint("pages", __name__)
register_filters(bp)


@bp.get("/")
def home():
    session = read_session()
    recent = list_entries(session, query=EntryQuery(sort="updated", per_page=8))
    return render_template("home.html", counts=count_entries(session), recent=recent.items,
                           facets=recent.facets)


@bp.get("/entries")
def entries():
    query = parse_entry_query(request.args, default_per_page=current_app.config["PER_PAGE"])
    page = list_entries(read_session(), query=query)
    return render_template("entries.html", page=page, query=query)


@bp.get("/entries/<namespace>/<name>")
def entry(namespace: str, name: str):
    session = read_session()
    slug = f"{namespace}/{name}"
    public = get_entry(session, slug=slug, actor=current_actor())
    # The reader's language when a translation exists (`?lang=` first): see views/reading.py.
    shown_lang = content_language(public.language, list(public.translations))
    if shown_lang != public.language:
        public = get_entry(session, slug=slug, actor=current_actor(), lang=shown_lang)
    return render_template("entry.html", entry=public, body=render_markdown(public.description),
                           runs=list_runs(session, slug=public.slug, limit=10, actor=current_actor()), shown_lang=shown_lang,
                           harvest=harvest_notes(session, slug=public.slug, actor=current_actor()),
                           canonical=url_for("pages.entry", namespace=namespace, name=name, _external=True))


@bp.get("/healthz")
def healthz():
    from sqlalchemy import text

    checks = {}
    try:
        read_session().exec(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # any driver error means the database is not usable
        checks["database"] = f"error: {type(err).__name__}"
    if current_app.config.get("REDIS_URL"):
        from ..jobs.queue import redis_connection

        try:
            redis_connection(current_app).ping()
            checks["redis"] = "ok"
        except Exception as err:  # redis raises ConnectionError, TimeoutError…
            checks["redis"] = f"error: {type(err).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return {"status": "ok" if healthy else "unhealthy", "checks": checks}, 200 if healthy else 503


def init_app(app) -> None:
    """Register the HTML blueprints."""
    from ..extensions import csrf
    from . import account, auth, collections, communities, coverage, editing, feeds, oai, reading, review, sources
    from . import submit

    app.register_blueprint(bp)
    for module in (auth, account, editing, review, submit, feeds, oai, communities, collections, coverage, reading,
                   sources):
        app.register_blueprint(module.bp)
    csrf.exempt(oai.bp)  # OAI-PMH harvesters POST forms without a session
