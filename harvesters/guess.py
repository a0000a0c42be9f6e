"""Which harvester reads a source when nobody said: git if the remote answers as git, else page."""

from __future__ import annotations

from .gitfetch import remote_head, resolve_source
from .pagefetch import check_page_url
from .record import HarvestError, HarvestOptions, UnsafeSource


def guess_kind(source: str, *, options: HarvestOptions) -> str:
    """Return "git" or "page" for a source; raise UnsafeSource when neither may read it."""
    lowered = source.strip().lower()
    if not lowered.startswith(("http://", "https://")):
        return "git"  # a local path or file:// URL (refused later if local paths are not allowed)
    if lowered.startswith("http://"):
        check_page_url(source)  # git is only ever fetched over https
        return "page"
    target = resolve_source(source, options=options)
    try:
        head = remote_head(target, options=options)
    except UnsafeSource:
        raise
    except HarvestError:
        head = None
    return "git" if head else "page"
