"""Entries: the public shape, the list shape, the page's shape, and the bodies that change one."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlmodel import SQLModel

#: An entry's content fields, in the order pages show them; the same as a harvest record's
#: (harvesters.ENTRY_FIELDS), which a test checks.
ENTRY_FIELDS = ("kind", "name", "summary", "description", "language", "languages", "license", "tasks", "tags",
                "frameworks", "region", "homepage", "version", "authors", "citation")
#: Those a person edits directly: authors and the citation come only from the repository.
EDITABLE_FIELDS = tuple(name for name in ENTRY_FIELDS if name not in ("authors", "citation"))
#: Editable fields that hold a list of text values.
LIST_FIELDS = ("languages", "tasks", "tags", "frameworks")
#: The fields a translation carries.
TEXT_FIELDS = ("name", "summary", "description")

from .sources import RunPublic


class TranslationPublic(SQLModel):
    name: str
    summary: str
    description: str
    origin: str
    reviewed_by: Optional[str] = None


class RelationPublic(SQLModel):
    type: str
    target: str
    resolved_slug: Optional[str] = None


class EntryPublic(SQLModel):
    """An entry as the API and the pages show it (DESIGN.md's contract)."""

    slug: str
    kind: str
    name: str
    summary: str
    description: str
    language: Optional[str]
    languages: list[str]
    license: Optional[str]
    tasks: list[str]
    tags: list[str]
    frameworks: list[str]
    region: Optional[str]
    homepage: Optional[str]
    source_url: Optional[str]
    version: Optional[str]
    authors: list[dict[str, Any]]
    citation: dict[str, Any]
    translations: dict[str, TranslationPublic]
    relations: list[RelationPublic]
    provenance: dict[str, dict[str, Any]]
    stale: bool
    revision: int
    updated_at: datetime


class EntrySummary(SQLModel):
    """An entry in a list: enough for a result row."""

    slug: str
    kind: str
    name: str
    summary: str
    language: Optional[str]
    languages: list[str]
    license: Optional[str]
    tasks: list[str]
    region: Optional[str]
    updated_at: datetime


class HarvestNotes(SQLModel):
    """What the entry page shows about harvesting beyond the fields."""

    details: dict[str, Any] = {}
    #: Only for the entry's maintainers and moderators (None for everyone else).
    warnings: Optional[list[str]] = None
    source_id: Optional[int] = None


class CollectionLink(SQLModel):
    slug: str
    title: str


class EntryPage(SQLModel):
    """Everything an entry's page shows, from one service call."""

    entry: EntryPublic
    #: The language version shown (the original's tag when no translation was chosen).
    shown_lang: Optional[str]
    canonical: str
    runs: list[RunPublic]
    harvest: HarvestNotes
    #: Public collections listing the entry, and those the reader may add it to.
    listed_in: list[CollectionLink]
    curatable: list[CollectionLink]
    jsonld: dict[str, Any]
    #: The citation in each of CITATION_FORMATS, keyed by format.
    citations: dict[str, str]


class EntryList(SQLModel):
    items: list[EntrySummary]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class EntryPatch(SQLModel):
    """A direct edit: any editable fields, the revision the edit is based on, and a reason."""

    base_revision: Optional[int] = None
    reason: Optional[str] = None
    kind: Optional[str] = None
    name: Optional[str] = None
    summary: Optional[str] = None
    description: Optional[str] = None
    language: Optional[str] = None
    languages: Optional[list[str]] = None
    license: Optional[str] = None
    tasks: Optional[list[str]] = None
    tags: Optional[list[str]] = None
    frameworks: Optional[list[str]] = None
    region: Optional[str] = None
    homepage: Optional[str] = None
    version: Optional[str] = None


class EntryRegister(SQLModel):
    source_url: str


class HideRequest(SQLModel):
    reason: str = ""


class RevertRequest(SQLModel):
    revision: int
    base_revision: Optional[int] = None
    reason: Optional[str] = None


class TranslationList(SQLModel):
    slug: str
    language: Optional[str]
    translations: dict[str, TranslationPublic]
