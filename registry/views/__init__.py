"""HTML pages: parse the request, call a service, render a template."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from ..auth import current_actor
from ..db import read_session
from ..rendering import render_markdown
from ..services.entries import count_entries, get_entry, list_entries, parse_entry_query, EntryQuery
from ..services.harvesting import harvest_notes, list_runs
from ..services.health import database_status
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
    checks = {"database": database_status(read_session())}
    if current_app.config.get("REDIS_URL"):
        from ..jobs import redis_connection

        try:
            redis_connection(current_app).ping()
            checks["redis"] = "ok"
        except Exception as err:  # redis raises ConnectionError, TimeoutError…
            checks["redis"] = f"error: {type(err).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return {"status": "ok" if healthy else "unhealthy", "checks": checks}, 200 if healthy else 503
