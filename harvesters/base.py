"""The harvester protocol and the registry of harvesters by source kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from .record import HarvestedRecord, HarvestOptions


class Harvester(Protocol):
    """Turns one source (URL or local path) into a plain result; never touches a database.

    Most harvesters describe one entry and return a HarvestedRecord; one whose source fills
    something else says so in ``result_type`` (the list harvester returns a HarvestedList),
    and the registry applies each result type in its own way.
    """

    kind: str
    #: The type ``harvest`` returns (HarvestedRecord unless the class says otherwise).
    result_type: type

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the source's current version id (commit, ETag) without fetching it, or None."""

    def harvest(self, source: str, *, options: HarvestOptions) -> Any:
        """Fetch and parse the source into a ``result_type``; raise HarvestError in plain words on failure."""


_HARVESTERS: dict[str, Harvester] = {}
T = TypeVar("T")


def register(kind: str) -> Callable[[type[T]], type[T]]:
    """Register a harvester class for a source kind; a second registration of a kind raises."""

    def decorate(cls: type[T]) -> type[T]:
        if kind in _HARVESTERS:
            raise ValueError(f"a harvester for source kind {kind!r} is already registered")
        instance = cls()
        instance.kind = kind  # type: ignore[attr-defined]  # T is any class
        if not hasattr(instance, "result_type"):
            instance.result_type = HarvestedRecord  # type: ignore[attr-defined]  # T is any class
        _HARVESTERS[kind] = instance  # type: ignore[assignment]  # checked against the protocol by use
        return cls

    return decorate


def get_harvester(kind: str) -> Harvester:
    """Return the harvester registered for a source kind."""
    try:
        return _HARVESTERS[kind]
    except KeyError:
        raise LookupError(f"no harvester for source kind {kind!r}") from None


def harvester_kinds() -> list[str]:
    """Return the registered source kinds."""
    return sorted(_HARVESTERS)


def run_harvest(kind: str, source: str, options: HarvestOptions) -> Any:
    """Harvest a source with the harvester of its kind (a plain function, so a worker process can run it)."""
    return get_harvester(kind).harvest(source, options=options)
