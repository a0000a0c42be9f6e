"""Every route of the application, read from its URL map, for the suites that must cover them all."""
from __future__ import annotations

from functools import lru_cache

from werkzeug.routing import AnyConverter

IGNORED_METHODS = {"HEAD", "OPTIONS"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@lru_cache(maxsize=1)
def route_keys() -> list[tuple[str, str, str, str]]:
    """Return (endpoint, method, URL variant, rule) for every route; a rule with `<any(a, b):x>` gives a and b."""
    from registry import create_app

    # An app only to read its URL map: nothing connects to this database.
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "url-map",
                      "INSTANCE_PATH": "/nonexistent"})
    keys = []
    for rule in app.url_map.iter_rules():
        variants = [""]
        for converter in rule._converters.values():
            if isinstance(converter, AnyConverter):
                variants = sorted(converter.items)
        for method in sorted(rule.methods - IGNORED_METHODS):
            keys.extend((rule.endpoint, method, variant, rule.rule) for variant in variants)
    app.extensions["registry_engine"].dispose()
    return sorted(keys)


def key_id(key: tuple[str, str, str, str]) -> str:
    endpoint, method, variant, _rule = key
    return f"{method} {endpoint}" + (f" {variant}" if variant else "")
