"""HTML pages: parse the request, call a service, render a template."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from ..auth import current_actor
from ..db import read_session
from ..rendering import render_markdown
from ..services.entries import EntryQuery, count_entries, list_entries, parse_entry_query
from ..services.entry_page import entry_page
from ..services.health import database_status
from .filters import register_filters
from .reading import reader_languages

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
    page = entry_page(read_session(), slug=f"{namespace}/{name}", actor=current_actor(), wanted=reader_languages(),
                      url=url_for("pages.entry", namespace=namespace, name=name, _external=True))
    return render_template("entry.html", page=page, entry=page.entry, shown_lang=page.shown_lang,
                           body=render_markdown(page.entry.description))


@bp.get("/healthz")
def healthz():
    checks = {"database": database_status(read_session())}
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
    from . import (
        account,
        auth,
        collections,
        communities,
        coverage,
        editing,
        feeds,
        oai,
        reading,
        review,
        sources,
        submit,
    )

    app.register_blueprint(bp)
    for module in (auth, account, editing, review, submit, feeds, oai, communities, collections, coverage, reading,
                   sources):
        app.register_blueprint(module.bp)
    csrf.exempt(oai.bp)  # OAI-PMH harvesters POST forms without a session
