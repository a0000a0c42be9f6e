"""The AI Commons Registry Flask application."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import load_config

_HERE = Path(__file__).resolve().parent


def _resource_dir(name: str) -> str:
    # From a source checkout templates/ sits beside the package (DESIGN.md's layout); an
    # installed wheel carries it inside the package as registry/templates.
    inside = _HERE / name
    beside = _HERE.parent / name
    return str(beside if beside.is_dir() and not inside.is_dir() else inside)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the registry application."""
    instance_path = os.environ.get("REGISTRY_INSTANCE_PATH") or None
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = test_config["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        template_folder=_resource_dir("templates"),
        static_folder=str(_HERE / "static"),
    )
    load_config(app, test_config)
    if app.config["PROXY_HOPS"]:
        # Behind N trusted proxies, take the client address (for rate limits) from X-Forwarded-*.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from . import cli, db, extensions, errors, security
    from .api import bp as api_bp
    from .api.openapi import docs_bp as api_docs_bp
    from .views import entries, jobs, people, proposals

    from .api.support import BoundedIntConverter

    # Before any blueprint adds its rules: ids too large for the database answer 404, not 500.
    app.url_map.converters["int"] = BoundedIntConverter
    db.init_app(app)
    from . import http_cache

    http_cache.init_app(app)
    security.init_app(app)
    extensions.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in (entries.bp, entries.editing_bp, people.auth_bp, people.account_bp, proposals.bp, jobs.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_docs_bp)
    extensions.csrf.exempt(api_bp)
    from .views import feeds, oai  # feeds, sitemap, API docs and OAI-PMH (issue 7)

    app.register_blueprint(feeds.bp)
    app.register_blueprint(oai.bp)
    extensions.csrf.exempt(oai.bp)  # OAI-PMH harvesters POST forms without a session
    from .views import collections, communities, coverage, languages  # communities, collections, coverage (issue 6)

    for module in (communities, collections, coverage, languages):
        app.register_blueprint(module.bp)
    from .views import sources  # source pages and their harvest runs (issue 3)

    app.register_blueprint(sources.bp)
    from . import page_cache  # last: its hooks must see the view's response first

    page_cache.init_app(app)
    return app
