"""Domain errors raised by services, turned into an HTML page or a JSON error in one place."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class RegistryError(Exception):
    """Base of the errors services raise; carries an HTTP status and a machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class Invalid(RegistryError):
    status, code = 422, "invalid"


class BadRequest(RegistryError):
    status, code = 400, "bad_request"


class NotFound(RegistryError):
    status, code = 404, "not_found"


class Forbidden(RegistryError):
    status, code = 403, "forbidden"


class Unauthorized(RegistryError):
    status, code = 401, "unauthorized"


class Conflict(RegistryError):
    status, code = 409, "conflict"


class PreconditionRequired(RegistryError):
    status, code = 428, "precondition_required"


class Unavailable(RegistryError):
    """The registry cannot do it now through no fault of the request (a full or read-only disk)."""

    status, code = 503, "unavailable"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    428: "precondition_required",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, details: dict | None = None):
    """Return the error envelope of the public contract."""
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def _too_large() -> str:
    limit = request.max_content_length
    size = f"{limit / 1024 / 1024:g} MiB" if limit and limit >= 1024 * 1024 else f"{limit} bytes"
    return f"The request is too large: this registry accepts at most {size}." if limit else "The request is too large."


def _allowed_methods() -> list[str]:
    """The methods a route of this path takes, leaving out catch-alls that only answer 404.

    werkzeug's own list counts the API's catch-all (every method, answering 404), which would
    tell a client that `DELETE /api/v1/entries` exists.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if not getattr(current_app.view_functions.get(str(endpoint)), "answers_not_found", False):
            allowed.append(method)
    return allowed


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into pages or JSON."""

    @app.errorhandler(RegistryError)
    def _domain_error(err: RegistryError):
        if _wants_json():
            return json_error(err.status, err.code, err.message, err.details)
        return render_template("error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        if status == 413:
            err.description = _too_large()
        # The exception's own headers stay: a 405 says in `Allow` which methods the URL takes.
        headers = [(k, v) for k, v in err.get_headers() if k.lower() not in ("content-type", "allow")]
        if status == 405:
            allowed = _allowed_methods()
            if not allowed:
                # Only a catch-all that answers 404 matched the path: there is no such route.
                status, err.description = 404, f"There is no route {request.path!r}."
            else:
                headers.append(("Allow", ", ".join(allowed)))
        if _wants_json():
            body, _ = json_error(status, _HTTP_CODES.get(status, "error"), err.description or err.name)
            return body, status, headers
        return render_template("error.html", status=status, message=err.description), status, headers

    @app.errorhandler(Exception)
    def _server_error(err: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if _wants_json():
            return json_error(500, "server_error", "Something went wrong on our side; it has been logged.")
        return render_template("error.html", status=500, message=None), 500
