"""The plain result of a harvest: what a source says about itself, and where it said it."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

#: Fields of an entry a harvester may fill. Anything else in ``fields`` is ignored.
ENTRY_FIELDS = (
    "kind", "name", "summary", "description", "language", "languages", "license", "tasks", "tags",
    "frameworks", "region", "homepage", "version", "authors", "citation",
)


class Outcome(str, enum.Enum):
    """What one harvest run did to the registry."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class HarvestError(Exception):
    """A source could not be harvested; the message is shown to people as it is, in plain words."""


class NotARepository(HarvestError):
    """The source is not a git repository (or cannot be read as one)."""


class UnsafeSource(HarvestError):
    """The source is refused before anything is fetched (scheme, address, local path)."""


@dataclass(frozen=True)
class HarvestOptions:
    """What the operator allows a harvest to do; the registry builds it from its configuration."""

    allow_local: bool = False
    allow_private: bool = False
    timeout: float = 120.0
    max_repo_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 2 * 1024 * 1024
    user_agent: str = "AICommonsRegistry/0.1 (+https://example.org/ai-commons)"


@dataclass
class HarvestedRecord:
    """Fields read from one source, each with the file (and commit) it came from."""

    source_url: str
    source_kind: str
    slug_hint: str
    commit: str | None = None
    #: entry field name -> value (see ENTRY_FIELDS); list fields are lists of str,
    #: ``authors`` a list of ``{"name", "orcid"?, "affiliation"?}``, ``citation`` a dict.
    fields: dict[str, Any] = field(default_factory=dict)
    #: entry field name -> ``{"origin": "README.md", "commit": "4f0c…", "inferred": bool}``
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: BCP-47 tag -> ``{"name", "summary", "description", "origin": "README_zh.md"}``
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``{"type": "fine-tuned-from" | "trained-on" | "quantized-from" | "uses", "target": "org/name"}``
    relations: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The content of `.ai-commons-claim` at the repository root (or a page's
    #: `<meta name="ai-commons-claim">`), which proves a person controls the source.
    claim_token: str | None = None

    def set(self, name: str, value: Any, *, origin: str, inferred: bool = False) -> None:
        """Fill one field and record where it came from."""
        if name not in ENTRY_FIELDS:
            raise ValueError(f"unknown entry field: {name}")
        self.fields[name] = value
        prov: dict[str, Any] = {"origin": origin}
        if self.commit:
            prov["commit"] = self.commit
        if inferred:
            prov["inferred"] = True
        self.provenance[name] = prov
