"""Which harvester reads a source when nobody said: git if the remote answers as git, else page."""

from __future__ import annotations

from urllib.parse import urlsplit

from .gitfetch import remote_head, resolve_source
from .pagefetch import check_page_url
from .record import HarvestError, HarvestOptions, UnsafeSource


def hub_kind(source: str, *, options: HarvestOptions) -> str | None:
    """Return "huggingface" or "modelscope" for an address on a hub (the configured endpoints), else None."""
    try:
        host = (urlsplit(source.strip()).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return None
    hf = {(urlsplit(options.hf_endpoint).hostname or "").lower(), "huggingface.co", "hf.co"}
    ms = {(urlsplit(options.modelscope_url).hostname or "").lower(), "modelscope.cn"}
    if host in hf:
        return "huggingface"
    if host in ms:
        return "modelscope"
    return None


def guess_kind(source: str, *, options: HarvestOptions) -> str:
    """Return "git" or "page" for a source (a hub's kind for a hub address); raise UnsafeSource when none may read it."""
    lowered = source.strip().lower()
    hub = hub_kind(source, options=options) if lowered.startswith(("http://", "https://")) else None
    if hub is not None:
        return hub
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
