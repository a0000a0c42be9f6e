"""Checking API responses against the OpenAPI document, for every test that uses the `client` fixture.

Each response to a path under /api/v1 must be an operation of the document (or the error
envelope for an unknown route), answer a documented status with a documented media type, and
match the body's schema, formats included (JSON bodies, and YAML ones as the data they hold).
"""
from __future__ import annotations

import json
import re

import jsonschema_rs
import yaml
from flask.testing import FlaskClient

from registry.api.openapi import openapi_document

PREFIX = "/api/v1"


class OpenAPIChecker:
    """Find the operation of a request and check a response against it."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.routes = []
        for path, methods in doc["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
            for method, op in methods.items():
                self.routes.append((pattern, method.upper(), path, op))
        self._validators: dict[str, object] = {}
        self.seen: set[str] = set()

    def validator(self, schema: dict):
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = jsonschema_rs.validator_for(
                {**schema, "components": self.doc["components"]}, validate_formats=True)
        return self._validators[key]

    def operation(self, method: str, path: str):
        for pattern, op_method, template, op in self.routes:
            if op_method == method and pattern.match(path):
                return template, op
        return None, None

    def check(self, method: str, path: str, response) -> None:
        template, op = self.operation(method, path)
        where = f"{method} {path} → {response.status_code}"
        if op is None:
            # Not a documented operation: it may only be the error envelope (unknown route, 405).
            assert response.status_code >= 400, f"{where}: undocumented operation answered successfully"
            self.validator({"$ref": "#/components/schemas/ErrorEnvelope"}).validate(response.get_json())
            return
        self.seen.add(op["operationId"])
        responses = op["responses"]
        described = responses.get(str(response.status_code)) or responses.get("default")
        assert described is not None, f"{where}: status not in the document"
        if response.status_code >= 400:
            assert str(response.status_code) in responses or response.status_code in (405, 413, 500), \
                f"{where}: error status not listed for {op['operationId']}"
        content = described.get("content")
        if not content:
            assert not response.get_data(), f"{where}: a body where the document promises none"
            return
        media = response.mimetype
        assert media in content, f"{where}: {media} is not one of {sorted(content)}"
        if media == "application/json" or media.endswith("+json"):
            body = response.get_json(force=True)
        elif media in ("application/yaml", "text/yaml"):
            # Read as a client (or schemathesis) reads it: the YAML document's data, not its text.
            body = yaml.safe_load(response.get_data(as_text=True))
        else:
            return
        errors = list(self.validator(content[media]["schema"]).iter_errors(body))
        assert not errors, f"{where}: {errors[0]}"


class OpenAPIClient(FlaskClient):
    """A test client that checks every /api/v1 response against its app's OpenAPI document."""

    @property
    def checker(self) -> OpenAPIChecker:
        app = self.application
        if "openapi_checker" not in app.extensions:
            app.extensions["openapi_checker"] = OpenAPIChecker(openapi_document(app))
        return app.extensions["openapi_checker"]

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith(PREFIX + "/"):
            self.checker.check(request.method, request.path[len(PREFIX):], response)
        return response


def openapi_client(app):
    """Return a test client of ``app`` that checks its API responses against the app's own document."""
    app.test_client_class = OpenAPIClient
    return app.test_client()
