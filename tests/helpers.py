"""Small builders shared by tests: put entries in the registry through the real apply path."""
from __future__ import annotations

from harvesters import HarvestedRecord
from registry.db import write_session
from registry.services.harvesting import apply_record


def add_entry(app, slug: str, *, source_url: str | None = None, translations: dict | None = None,
              **fields) -> str:
    """Apply a harvested record for ``slug`` with the given fields; return the slug it got."""
    url = source_url or f"https://example.org/{slug}"
    rec = HarvestedRecord(source_url=url, source_kind="git", slug_hint=slug, commit="c" * 40)
    fields.setdefault("name", slug.split("/")[1].replace("-", " ").title())
    for name, value in fields.items():
        rec.set(name, value, origin="README.md")
    rec.translations.update(translations or {})
    with write_session(app) as session:
        return apply_record(session, record=rec, source_url=url, kind="git").slug
