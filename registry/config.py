"""Configuration layered defaults -> instance/config.py -> REGISTRY_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from harvesters import HarvestOptions
from harvesters.listers import ListerSettings

DEFAULTS = {
    "DATABASE_URL": None,  # None means SQLite at <instance>/registry.db
    "REDIS_URL": None,
    "QUEUE_NAME": "registry-harvest",
    "PROXY_HOPS": 0,
    "SECRET_KEY": None,  # None means a key generated once and kept in <instance>/secret_key
    "HARVEST_ALLOW_LOCAL": False,
    "HARVEST_ALLOW_PRIVATE": False,
    "HARVEST_TIMEOUT": 120,
    "HARVEST_MAX_REPO_BYTES": 200 * 1024 * 1024,
    "HARVEST_MAX_FILE_BYTES": 2 * 1024 * 1024,
    "PER_PAGE": 20,
    # The largest request body accepted (bytes); a larger one is a 413. Push webhooks have their own 5 MiB.
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Rank and count text searches from a copy of the search index in each process's memory.
    "SEARCH_IN_MEMORY": True,
    # Where the machine's shared search index lives (None: <instance>/search-index; empty: none, each
    # process reads the index into its own memory).
    "SEARCH_INDEX_DIR": None,
    # Rendered anonymous pages kept per web process, checked against the write counter (0: off).
    "PAGE_CACHE_SIZE": 512,
    # Connections per process on PostgreSQL: kept idle, and opened beyond that under load.
    "DB_POOL_SIZE": 5,
    "DB_MAX_OVERFLOW": 5,
    # Discovery: the APIs the listers and hub harvesters read (a mirror endpoint works as the real one),
    # optional tokens (from the configuration only: never stored, logged or shown), and politeness.
    "GITHUB_API_URL": "https://api.github.com",
    "GITEE_API_URL": "https://gitee.com/api/v5",
    "HF_ENDPOINT": "https://huggingface.co",
    "MODELSCOPE_URL": "https://modelscope.cn",
    "GITHUB_TOKEN": None,
    "HF_TOKEN": None,
    # Seconds between two requests of a listing to one API host, and items asked for per page.
    "DISCOVERY_HOST_INTERVAL": 0.2,
    "DISCOVERY_PAGE_SIZE": 100,
    "BABEL_DEFAULT_LOCALE": "en",
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
}

_BOOLEAN = {"HARVEST_ALLOW_LOCAL", "HARVEST_ALLOW_PRIVATE", "TESTING", "SEARCH_IN_MEMORY"}
_INTEGER = {
    "HARVEST_TIMEOUT",
    "HARVEST_MAX_REPO_BYTES",
    "HARVEST_MAX_FILE_BYTES",
    "PER_PAGE",
    "MAX_CONTENT_LENGTH",
    "PROXY_HOPS",
    "PAGE_CACHE_SIZE",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "DISCOVERY_PAGE_SIZE",
}
_FLOAT = {"DISCOVERY_HOST_INTERVAL"}


def _from_env(name: str, raw: str):
    if name in _BOOLEAN:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name in _INTEGER:
        return int(raw)
    if name in _FLOAT:
        return float(raw)
    return raw


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, instance/config.py, REGISTRY_* variables and test_config."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, raw in os.environ.items():
            if key.startswith("REGISTRY_") and key != "REGISTRY_INSTANCE_PATH":
                name = key.removeprefix("REGISTRY_")
                app.config[name] = _from_env(name, raw)
    else:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'registry.db'}"
    if not app.config["SECRET_KEY"]:
        if not app.config["DATABASE_URL"].startswith("sqlite"):
            # A key generated per host would break sessions as soon as a second host serves.
            raise RuntimeError("REGISTRY_SECRET_KEY must be set when the database is not the embedded SQLite")
        app.config["SECRET_KEY"] = _persisted_secret(instance / "secret_key")


def _persisted_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        # O_EXCL: when two processes start at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def harvest_options(config, *, operator: bool) -> HarvestOptions:
    """Build harvest options from the configuration; the operator's CLI may read local paths."""
    return HarvestOptions(
        allow_local=operator or bool(config["HARVEST_ALLOW_LOCAL"]),
        allow_private=bool(config["HARVEST_ALLOW_PRIVATE"]),
        timeout=float(config["HARVEST_TIMEOUT"]),
        max_repo_bytes=int(config["HARVEST_MAX_REPO_BYTES"]),
        max_file_bytes=int(config["HARVEST_MAX_FILE_BYTES"]),
        # Seconds between two requests to one web host (instance/config.py may change it).
        host_interval=float(config.get("HARVEST_HOST_INTERVAL", 1.0)),
        hf_endpoint=str(config.get("HF_ENDPOINT") or "https://huggingface.co"),
        modelscope_url=str(config.get("MODELSCOPE_URL") or "https://modelscope.cn"),
        hf_token=config.get("HF_TOKEN") or None,
    )


def lister_settings(config) -> ListerSettings:
    """Build the listers' settings from the configuration (tokens included: they live only in memory)."""
    return ListerSettings(
        options=harvest_options(config, operator=False),
        github_api=str(config.get("GITHUB_API_URL") or "https://api.github.com"),
        gitee_api=str(config.get("GITEE_API_URL") or "https://gitee.com/api/v5"),
        hf_endpoint=str(config.get("HF_ENDPOINT") or "https://huggingface.co"),
        modelscope_url=str(config.get("MODELSCOPE_URL") or "https://modelscope.cn"),
        github_token=config.get("GITHUB_TOKEN") or None,
        hf_token=config.get("HF_TOKEN") or None,
        page_size=int(config.get("DISCOVERY_PAGE_SIZE") or 100),
        host_interval=float(config.get("DISCOVERY_HOST_INTERVAL", 0.2)),
    )
