"""People: accounts, API tokens, maintainers and their claims, proposals, resets and purges."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .common import _json, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="user", max_length=16)
    display_name: str | None = Field(default=None, max_length=100)
    preferred_language: str | None = Field(default=None, max_length=35)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set when the account is deleted: the row stays as a tombstone so contributions keep an author.
    deleted_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """An API token; only its SHA-256 is stored (the token itself is shown once)."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    scope: str = Field(default="read", max_length=8)  # read | write
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class Maintainer(SQLModel, table=True):
    """A person who maintains an entry, verified by a claim token placed in its repository."""

    __tablename__ = "maintainers"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    verified_at: datetime = Field(default_factory=utcnow)
    via: str = Field(default="claim", max_length=16)  # claim | admin | submitter


class Claim(SQLModel, table=True):
    """A request to maintain an entry: the token, hashed, waits for the next harvest to find it."""

    __tablename__ = "claims"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    verified_at: datetime | None = None


class Proposal(SQLModel, table=True):
    """A suggested edit or translation, reviewed like a pull request."""

    __tablename__ = "proposals"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # edit | translation
    lang: str | None = Field(default=None, max_length=35)
    changes: dict = _json(dict)
    base_revision: int
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected | withdrawn
    reviewer_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class PurgeRecord(SQLModel, table=True):
    """What is left after an admin's purge: that something was removed, by whom and why."""

    __tablename__ = "purge_records"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200)
    actor: str = Field(max_length=80)
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
