"""Entries: the public shape, the list shape, the page's shape, and the bodies that change one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from sqlmodel import SQLModel

from .limits import Description, EntryName, Homepage, Reason, Summary, Terms, Version
from .sources import RunPublic

#: An entry's content fields, in the order pages show them; the same as a harvest record's
#: (harvesters.ENTRY_FIELDS), which a test checks.
ENTRY_FIELDS = (
    "kind",
    "name",
    "summary",
    "description",
    "language",
    "languages",
    "license",
    "tasks",
    "tags",
    "frameworks",
    "region",
    "homepage",
    "version",
    "authors",
    "citation",
)
#: Those a person edits directly: authors and the citation come only from the repository.
EDITABLE_FIELDS = tuple(name for name in ENTRY_FIELDS if name not in ("authors", "citation"))
#: Editable fields that hold a list of text values.
LIST_FIELDS = ("languages", "tasks", "tags", "frameworks")
#: The fields a translation carries.
TEXT_FIELDS = ("name", "summary", "description")


class TranslationPublic(SQLModel):
    name: str
    summary: str
    description: str
    origin: str
    reviewed_by: str | None = None


class RelationPublic(SQLModel):
    type: str
    target: str
    resolved_slug: str | None = None


class EntryPublic(SQLModel):
    """An entry as the API and the pages show it (DESIGN.md's contract)."""

    slug: str
    kind: str
    name: str
    summary: str
    description: str
    language: str | None
    languages: list[str]
    license: str | None
    tasks: list[str]
    tags: list[str]
    frameworks: list[str]
    region: str | None
    homepage: str | None
    source_url: str | None
    version: str | None
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
    language: str | None
    languages: list[str]
    license: str | None
    tasks: list[str]
    region: str | None
    updated_at: datetime


class HarvestNotes(SQLModel):
    """What the entry page shows about harvesting beyond the fields."""

    details: dict[str, Any] = {}
    #: Only for the entry's maintainers and moderators (None for everyone else).
    warnings: list[str] | None = None
    source_id: int | None = None
    #: When the discovery that found its source stopped listing it (the entry is kept).
    gone_at: datetime | None = None


class CollectionLink(SQLModel):
    slug: str
    title: str


class EntryPage(SQLModel):
    """Everything an entry's page shows, from one service call."""

    entry: EntryPublic
    #: The shown description rendered to safe HTML.
    body: str
    #: The language version shown (the original's tag when no translation was chosen).
    shown_lang: str | None
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


class _EditableFields(SQLModel):
    """The fields a person may change (EDITABLE_FIELDS), each optional, with their types and limits."""

    kind: str | None = None
    name: EntryName | None = None
    summary: Summary | None = None
    description: Description | None = None
    language: str | None = None
    languages: Terms | None = None
    license: str | None = None
    tasks: Terms | None = None
    tags: Terms | None = None
    frameworks: Terms | None = None
    region: str | None = None
    homepage: Homepage | None = None
    version: Version | None = None


class EntryPatch(_EditableFields):
    """A direct edit: any editable fields, the revision the edit is based on, and a reason."""

    base_revision: int | None = None
    reason: Reason | None = None


class EntryChanges(_EditableFields):
    """The fields a proposal changes: at least one, and no name but an editable field's."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})  # type: ignore[assignment]


class EntryRegister(SQLModel):
    source_url: str


class HideRequest(SQLModel):
    reason: Reason = ""


class RevertRequest(SQLModel):
    revision: int
    base_revision: int | None = None
    reason: Reason | None = None


class TranslationList(SQLModel):
    slug: str
    language: str | None
    translations: dict[str, TranslationPublic]
