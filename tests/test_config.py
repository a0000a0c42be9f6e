"""Configuration: defaults, instance/config.py, REGISTRY_* variables, persisted secret key."""
from __future__ import annotations

import pytest

from registry import create_app
from registry.db import get_engine


def _app(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    get_engine(app).dispose()
    return app


def test_defaults_use_sqlite_in_instance_and_persist_a_secret(monkeypatch, tmp_path):
    for key in ("REGISTRY_DATABASE_URL", "REGISTRY_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    app = _app(monkeypatch, tmp_path)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'registry.db'}"
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and (tmp_path / "inst" / "secret_key").read_text() == key
    assert _app(monkeypatch, tmp_path).config["SECRET_KEY"] == key
    assert app.config["HARVEST_ALLOW_LOCAL"] is False and app.config["HARVEST_ALLOW_PRIVATE"] is False


def test_instance_config_then_environment(monkeypatch, tmp_path):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("PER_PAGE = 7\nHARVEST_TIMEOUT = 5\nSECRET_KEY = 'from-file'\n")
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    monkeypatch.setenv("REGISTRY_HARVEST_TIMEOUT", "9")
    monkeypatch.setenv("REGISTRY_HARVEST_ALLOW_PRIVATE", "true")
    app = _app(monkeypatch, tmp_path)
    assert app.config["PER_PAGE"] == 7
    assert app.config["HARVEST_TIMEOUT"] == 9
    assert app.config["HARVEST_ALLOW_PRIVATE"] is True
    assert app.config["SECRET_KEY"] == "from-file"


def test_secret_key_required_off_the_embedded_default(monkeypatch, tmp_path):
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    monkeypatch.setenv("REGISTRY_DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="REGISTRY_SECRET_KEY"):
        create_app()


def test_the_connection_pool_is_sized_from_the_environment(monkeypatch, tmp_path):
    # A server database gets a bounded pool per process (gunicorn workers × pool ≤ the server's limit).
    monkeypatch.setenv("REGISTRY_DATABASE_URL", "postgresql://postgres@127.0.0.1/none")
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("REGISTRY_DB_POOL_SIZE", "3")
    monkeypatch.setenv("REGISTRY_DB_MAX_OVERFLOW", "2")
    app = _app(monkeypatch, tmp_path)
    pool = get_engine(app).pool
    assert (pool.size(), pool._max_overflow, pool._recycle, pool._pre_ping) == (3, 2, 1800, True)
