"""The plain result of a harvest: what a source says about itself, and where it said it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

#: Fields of an entry a harvester may fill. Anything else in ``fields`` is ignored.
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

#: How much a claim about a field is worth: explicit metadata (model and dataset cards,
#: CITATION.cff, codemeta, datapackage, Croissant, a page's JSON-LD) beats package manifests,
#: which beat what a README's prose suggests; inferences and defaults come last.
#: A licence file's text is the licence itself; metadata may only say it more precisely (see merge).
RANK_LICENSE_TEXT = 50
RANK_EXPLICIT = 40
RANK_MANIFEST = 30
RANK_README = 20
RANK_INFERRED = 10
RANK_DEFAULT = 0

#: The language of a claim's text is found when the claims are merged (from the text itself,
#: compared with the README's language).
LANG_AUTO = "auto"
#: Text with no language of its own (a package identifier): fits any language.
LANG_NEUTRAL = "zxx"


class Outcome(str, enum.Enum):  # noqa: UP042 - a StrEnum would change what str() and f-strings print
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
    #: Pages: seconds to wait for a connection and between bytes of an answer.
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    #: Pages: the least time between two requests to one host (politeness), in seconds.
    host_interval: float = 1.0
    max_redirects: int = 5
    #: The version the registry already holds (commit or validator), so a harvester can ask
    #: the remote with a conditional request whether anything changed.
    known_version: str | None = None
    #: Hubs: the Hugging Face endpoint (a regional mirror answers as the real one does) and
    #: ModelScope's; the base of their repository addresses too.
    hf_endpoint: str = "https://huggingface.co"
    modelscope_url: str = "https://modelscope.cn"
    #: An optional Hub token from the configuration; kept out of repr() so it is never logged.
    hf_token: str | None = field(default=None, repr=False)


@dataclass
class Claim:
    """One file's say about one field, kept until the harvest merges every file's claims."""

    name: str
    value: Any
    origin: str
    rank: int
    #: The BCP-47 tag of a text value's language, LANG_AUTO or LANG_NEUTRAL; None for non-text fields.
    lang: str | None = None
    inferred: bool = False


@dataclass
class HarvestedRecord:
    """Fields read from one source, each with the file (and commit) it came from."""

    source_url: str
    source_kind: str
    slug_hint: str
    commit: str | None = None
    #: A page's validator (ETag or Last-Modified) — what ``head()`` compares next time.
    version_id: str | None = None
    #: entry field name -> value (see ENTRY_FIELDS); list fields are lists of str,
    #: ``authors`` a list of ``{"name", "orcid"?, "affiliation"?}``, ``citation`` a dict.
    fields: dict[str, Any] = field(default_factory=dict)
    #: entry field name -> ``{"origin": "README.md", "commit": "4f0c…", "inferred": bool}``
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: BCP-47 tag -> ``{"name", "summary", "description", "origin": "README_zh.md"}``
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``{"type": "fine-tuned-from" | "adapter-of" | "quantized-from" | "merged-from" | "trained-on" |
    #: "derived-from" | "uses", "target": "org/name", "origin": "README.md"}``
    relations: list[dict[str, str]] = field(default_factory=list)
    #: What a card or citation says beyond the entry's fields: ``model-index`` results,
    #: ``size_categories``, sub-model cards… each ``{"value": …, "origin": "README.md"}``.
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The content of `.ai-commons-claim` at the repository root (or a page's
    #: `<meta name="ai-commons-claim">`), which proves a person controls the source.
    claim_token: str | None = None
    #: Every file's claims, merged into ``fields`` and ``translations`` by harvesters.merge.
    claims: list[Claim] = field(default_factory=list)

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

    def offer(
        self, name: str, value: Any, *, origin: str, rank: int, lang: str | None = None, inferred: bool = False
    ) -> None:
        """Put forward a value for a field; the merge picks the best claim (see RANK_*)."""
        if name not in ENTRY_FIELDS:
            raise ValueError(f"unknown entry field: {name}")
        if value is None or value == "" or value == [] or value == {}:
            return
        self.claims.append(Claim(name, value, origin, rank, lang, inferred))

    def note(self, key: str, value: Any, *, origin: str) -> None:
        """Keep a detail a file states that has no entry field of its own."""
        if value is None or value == "" or value == [] or value == {}:
            return
        self.details[key] = {"value": value, "origin": origin}

    def relate(self, rel_type: str, target: str, *, origin: str) -> None:
        """Add a relation to another entry, kept by name until the target is registered."""
        target = target.strip().strip("/")
        if not target or len(target) > 300:
            return
        if any(r["type"] == rel_type and r["target"].lower() == target.lower() for r in self.relations):
            return
        self.relations.append({"type": rel_type, "target": target, "origin": origin})
