"""HTTP caching done right: validators and 304s for anonymous reads, private where content is personal."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request, session

STATIC_MAX_AGE = 365 * 24 * 3600
PAGE_MAX_AGE = 60


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Fingerprint static URLs and set cache headers on every response."""

    @app.url_defaults
    def _static_version(endpoint: str, values: dict) -> None:
        # A URL that changes with the file's content can be cached for a year.
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = Path(app.static_folder or "") / values["filename"]
            if path.is_file():
                values["v"] = _fingerprint(str(path), path.stat().st_mtime)

    @app.after_request
    def _cache_headers(response: Response) -> Response:
        if request.endpoint == "static":
            if request.args.get("v"):
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
            return response
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed:
            return response
        if response.cache_control.no_store:
            return response  # the view said so (a job's state changes by the second)
        personal = bool(request.headers.get("Authorization")) or bool(session) or session.modified
        if personal:
            # A signed-in page carries CSRF tokens and names: never share it through a cache.
            response.cache_control.private = True
            response.cache_control.no_cache = True
        else:
            response.cache_control.public = True
            response.cache_control.max_age = PAGE_MAX_AGE
        response.vary.update(
            ("Cookie", "Authorization") if request.path.startswith("/api/") else ("Cookie", "Accept-Language")
        )
        response.add_etag()
        response.make_conditional(request)  # returns the response itself, typed as werkzeug's
        return response
