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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # (Flask middleware)

    from . import api, cli, db, errors, extensions, http_cache, inputs, jobs, page_cache, search, security, views
    from .api.support import BoundedIntConverter

    # Before any blueprint adds its rules: ids too large for the database answer 404, not 500.
    app.url_map.converters["int"] = BoundedIntConverter
    # Each module binds itself: its extensions, hooks, commands and blueprints. The page cache
    # comes last: its hooks must see the view's response first.
    for module in (db, http_cache, security, extensions, errors, inputs, search, jobs, cli, views, api, page_cache):
        module.init_app(app)
    return app
