"""The public shapes as clients read them."""
from __future__ import annotations

from datetime import UTC


def test_times_in_tokens_and_revisions_are_written_as_isoformat_with_an_offset():
    # Clients compared these strings before the shapes were SQLModel models: "+00:00", never "Z".
    from datetime import datetime

    from registry.schemas import RevisionPublic, TokenPublic

    when = datetime(2026, 12, 7, 3, 44, 24, tzinfo=UTC)
    token = TokenPublic(id=1, name="cli", prefix="ab", scope="read", created_at=when, expires_at=None,
                        last_used_at=when).model_dump(mode="json")
    assert token["created_at"] == token["last_used_at"] == "2026-12-07T03:44:24+00:00"
    assert token["expires_at"] is None
    revision = RevisionPublic(revision=1, author="amina", reason="edit", changes=[], created_at=when, snapshot={})
    assert revision.model_dump(mode="json")["created_at"] == "2026-12-07T03:44:24+00:00"
