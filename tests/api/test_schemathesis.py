"""Property-based API tests: schemathesis generates requests from the OpenAPI document, offline.

Over at least 1,000 generated requests against the WSGI app (no server, no network), sent
anonymously, with a moderator's write token and with a plain member's write token, no answer may
be a server error, use an undocumented status or media type, or break its schema.
"""
from __future__ import annotations

import math

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.db import write_session
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
#: These fetch the submitted or stored repository address; generated ones would reach for the network.
NETWORK = {"registerEntry", "reharvest", "syncCollection"}
MINIMUM = 1000
#: Examples per operation and caller are MINIMUM spread over them with this margin: operations
#: with few possible inputs (no parameters) run out of distinct cases before their share.
MARGIN = 1.5


def _seed(app) -> list[dict]:
    """Seed entries; return the callers' headers: a moderator's write token and a plain member's."""
    add_entry(app, "nairobi/tweets", kind="dataset", name="Tweets", language="sw", languages=["sw"],
              license="CC0-1.0", authors=[{"name": "Amina"}], citation={"doi": "10.1/x"},
              translations={"en": {"name": "Tweets", "summary": "Tweets.", "description": "", "origin": "README.en.md"}})
    add_entry(app, "lagos/translator", kind="model", name="Translator", language="en", license="MIT OR Apache-2.0")
    callers = []
    with write_session(app) as s:
        for name, role in (("fuzzer", "moderator"), ("member", "user")):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            callers.append({"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"})
    return callers


class _Run:
    """Send generated cases of one operation as one caller; count them and keep what failed."""

    def __init__(self, examples: int):
        self.examples = examples
        self.sent = 0
        self.failures: list[str] = []

    def operation(self, operation, headers: dict) -> None:
        @given(case=operation.as_strategy())
        @settings(max_examples=self.examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers={**(case.headers or {}), **headers})
            self.sent += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as err:  # schemathesis raises a group of every failure it saw
                self.failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {err}"[:2000])
                raise

        try:
            run()
        except Exception:  # noqa: BLE001
            pass  # recorded above; go on with the other operations to report everything at once


@pytest.mark.slow
def test_generated_requests_find_no_server_error_and_no_schema_violation(app):
    app.config["API_WRITE_RATE_LIMIT"] = "1000000 per minute"
    app.config["PROPOSAL_RATE_LIMIT"] = app.config["SUBMIT_RATE_LIMIT"] = "1000000 per minute"
    callers = _seed(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    plan = []
    for result in schema.get_all_operations():
        operation = result.ok()
        anonymous_only = operation.definition.raw.get("operationId") in NETWORK
        plan += [(operation, headers) for headers in ([{}] if anonymous_only else [{}, *callers])]
    runs = _Run(examples=math.ceil(MINIMUM * MARGIN / len(plan)))
    for operation, headers in plan:
        runs.operation(operation, headers)
    assert not runs.failures, "\n\n".join(runs.failures[:5])
    assert runs.sent >= MINIMUM, runs.sent
