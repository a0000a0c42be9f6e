"""API tests: `api_tokens` gives write tokens for three roles. (The root `client` fixture checks
every API response against the OpenAPI document: tests/openapi_check.py.)"""
from __future__ import annotations

import pytest

from registry.api.openapi import openapi_document
from registry.extensions import limiter
from tests.openapi_check import OpenAPIChecker


@pytest.fixture
def openapi_checker(app):
    return OpenAPIChecker(openapi_document(app))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    yield
    limiter.reset()


@pytest.fixture
def api_tokens(app):
    """Write tokens for a member, a moderator and an admin: ``{"member": {"Authorization": …}, …}``."""
    from registry.db import write_session
    from registry.services.tokens import create_token
    from registry.services.users import create_user

    out = {}
    with write_session(app) as s:
        for name, role in (("member", "user"), ("mod", "moderator"), ("root", "admin")):
            create_user(s, name=name, email=f"{name}@example.org", password="long enough pw", role=role)
            out[name] = {"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"}
    return out
