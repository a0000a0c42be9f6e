"""What every lister shares: the settings, a discovered item, a page of them, the registry of kinds.

A lister turns a target (an organisation, a hub author, a catalogue endpoint) into the address of
its first page and reads each page it is given into items and the address of the next page. The
driver in ``harvesters.listers.driver`` walks the pages with the one HTTP client; a lister never
fetches anything itself, so every rule about politeness and safety lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..record import HarvestError, HarvestOptions

#: The lister kinds (DESIGN.md: never mixed with source kinds).
LISTER_KINDS = ("github", "gitee", "gitlab", "gitea", "huggingface", "modelscope", "oai-pmh", "ckan")


class ListerError(HarvestError):
    """A listing stopped; the message says why in plain words (never with a token or a header in it)."""


class BadTarget(ListerError):
    """The target is not one this lister understands; nothing was fetched."""


@dataclass(frozen=True)
class ListerSettings:
    """What the operator's configuration gives the listers: endpoints, optional tokens, limits."""

    options: HarvestOptions = field(default_factory=HarvestOptions)
    github_api: str = "https://api.github.com"
    gitee_api: str = "https://gitee.com/api/v5"
    hf_endpoint: str = "https://huggingface.co"
    modelscope_url: str = "https://modelscope.cn"
    # Tokens stay out of repr(): settings may be logged or shown in a traceback.
    github_token: str | None = field(default=None, repr=False)
    hf_token: str | None = field(default=None, repr=False)
    page_size: int = 100
    #: A listing that goes on for more pages than this is stopped (pages that never end).
    max_pages: int = 10_000
    max_page_bytes: int = 8 * 1024 * 1024
    #: The least time between two requests to one API host, in seconds.
    host_interval: float = 0.2
    #: The longest wait a rate-limit answer (Retry-After, X-RateLimit-Reset) is honoured by
    #: sleeping; a longer one stops the run as partial, to resume later.
    max_wait: float = 60.0

    def token_for(self, url: str) -> str | None:
        """Return the configured token of the API a URL belongs to, or None (never sent elsewhere)."""
        for base, token in ((self.github_api, self.github_token), (self.hf_endpoint, self.hf_token)):
            if token and _same_origin(url, base):
                return token
        return None


def _same_origin(url: str, base: str) -> bool:
    from urllib.parse import urlsplit

    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, (a.hostname or "").lower(), a.port) == (b.scheme, (b.hostname or "").lower(), b.port)


@dataclass
class ListedItem:
    """One thing a lister found: the source address, its kind, its stable key and what the hub says."""

    url: str
    source_kind: str
    #: What stays the same when the thing is renamed or moved (a repository id), else its name.
    key: str
    #: The hub's metadata, kept as the lister's evidence: description, license, topics, languages,
    #: downloads, likes, gated, updated.
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The catalogue says this record was deleted (OAI-PMH ``status="deleted"``).
    deleted: bool = False


@dataclass
class Answer:
    """One HTTP answer as a lister reads it."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def link(self, rel: str = "next") -> str | None:
        """Return the URL of a ``Link`` header relation (RFC 8288), or None."""
        return parse_link(self.headers.get("link", ""), rel)


def parse_link(header: str, rel: str) -> str | None:
    """Return the target of relation ``rel`` in a Link header value, or None."""
    for part in header.split(","):
        section = part.strip().split(";")
        if len(section) < 2:
            continue
        target = section[0].strip()
        if not (target.startswith("<") and target.endswith(">")):
            continue
        for param in section[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "rel" and rel in value.strip().strip('"').split():
                return target[1:-1]
    return None


@dataclass
class Request:
    """A page to ask for: its URL (the page's key), and a body for the APIs that list with one."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    accept: str = "application/json"


@dataclass
class Parsed:
    """What a lister read from a page: the items, how many records had no address, the next page."""

    items: list[ListedItem]
    next: Request | None
    skipped: int = 0
    #: The highest change time seen on the page (for increments), when the catalogue gives one.
    watermark: str | None = None


class Lister(Protocol):
    """Reads one kind of catalogue; pure: no fetching, no database."""

    kind: str
    #: Whether the pages are catalogue pages a robots.txt may govern (OAI-PMH, CKAN), not an API.
    obeys_robots: bool

    def first(self, target: str, *, settings: ListerSettings, set_spec: str | None, since: str | None) -> Request:
        """Return the first page's request; raise BadTarget for a target it does not understand."""

    def parse(self, answer: Answer, *, request: Request, settings: ListerSettings) -> Parsed:
        """Read one page; raise ListerError in plain words when it is malformed."""


_LISTERS: dict[str, Lister] = {}
T = TypeVar("T")


def register_lister(kind: str) -> Callable[[type[T]], type[T]]:
    """Register a lister class for a lister kind; a second registration of a kind raises."""

    def decorate(cls: type[T]) -> type[T]:
        if kind in _LISTERS:
            raise ValueError(f"a lister for {kind!r} is already registered")
        instance = cls()
        instance.kind = kind  # type: ignore[attr-defined]  # T is any class
        if not hasattr(instance, "obeys_robots"):
            instance.obeys_robots = False  # type: ignore[attr-defined]
        _LISTERS[kind] = instance  # type: ignore[assignment]  # checked against the protocol by use
        return cls

    return decorate


def get_lister(kind: str) -> Lister:
    """Return the lister registered for a kind; raise BadTarget for an unknown kind."""
    try:
        return _LISTERS[kind]
    except KeyError:
        raise BadTarget(f"there is no lister of kind {kind!r} (known: {', '.join(sorted(_LISTERS))})") from None


def lister_kinds() -> list[str]:
    """Return the registered lister kinds."""
    return sorted(_LISTERS)


def split_target(target: str, prefixes: tuple[str, ...], kind: str) -> tuple[str, str]:
    """Split ``prefix:value`` and check the prefix; raise BadTarget naming the accepted forms."""
    prefix, sep, value = target.strip().partition(":")
    value = value.strip()
    if not sep or prefix not in prefixes or not value or any(ch.isspace() for ch in value) and prefix != "search":
        forms = ", ".join(f"{p}:NAME" for p in prefixes)
        raise BadTarget(f"a {kind} target is one of {forms}, not {target[:100]!r}")
    if len(value) > 200:
        raise BadTarget("the target is too long")
    return prefix, value


def load_json_page(answer: Answer) -> Any:
    """Return a page's JSON; raise ListerError when it is not JSON."""
    import json

    try:
        return json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ListerError(f"the catalogue answered with a page that is not valid JSON ({answer.url})") from None


def text(value: Any, limit: int = 2000) -> str | None:
    """Return a trimmed string of at most ``limit`` characters, or None for anything else."""
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None


def strings(value: Any, limit: int = 50) -> list[str]:
    """Return the non-empty strings of a list (at most ``limit``), or []."""
    if not isinstance(value, list):
        return []
    return [v.strip()[:200] for v in value if isinstance(v, str) and v.strip()][:limit]


def number(value: Any) -> int | None:
    """Return an integer count, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def clean_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values from a lister's evidence."""
    return {k: v for k, v in meta.items() if v not in (None, "", [], {})}
