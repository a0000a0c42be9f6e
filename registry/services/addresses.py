"""Source addresses as the registry takes them: the harvesters' identity rules, refusals in its own error shape.

The rules themselves (canonical URLs, local paths, what is unsafe) live in harvesters.addresses;
here a refusal becomes an ``Invalid`` naming the ``source_url`` field, for the pages and the API.
"""

from __future__ import annotations

from harvesters import HarvestOptions, UnsafeSource, addresses

from ..errors import Invalid


def _refused(refused: UnsafeSource) -> Invalid:
    return Invalid(str(refused), details={"fields": {"source_url": str(refused)}})


def normalize_source_url(url: str) -> str:
    """Return the canonical form of a repository or page URL; raise Invalid for what no harvester would fetch."""
    if not (url or "").strip():
        raise Invalid("Paste the address of a repository or a page.", details={"fields": {"source_url": "required"}})
    try:
        return addresses.normalize_url(url)
    except UnsafeSource as refused:
        raise _refused(refused) from None


def normalize_source(source: str) -> str:
    """Return the identity of a source: an absolute path for local folders, the canonical URL otherwise."""
    try:
        return addresses.normalize_source(source)
    except UnsafeSource as refused:
        raise _refused(refused) from None


def source_identity(source: str) -> str:
    """Return the identity a harvest gives a source (absolute path, canonical URL); the text itself if it has none."""
    try:
        return normalize_source(source)
    except Invalid:
        return source


def refuse_unsafe_source(source: str, *, options: HarvestOptions) -> None:
    """Raise Invalid when the harvesters would refuse a (normalized) source before fetching anything.

    A queued harvest runs later in a worker; calling this first lets a submission hear at once
    that a local path, a private address or a forbidden scheme is refused. It only resolves the
    host name; nothing is fetched.
    """
    try:
        addresses.refuse_before_fetch(source, options=options)
    except UnsafeSource as refused:
        raise _refused(refused) from None
