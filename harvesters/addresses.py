"""The harvesters' public address helpers: normalise a source, refuse unsafe ones, check a host is public.

The registry asks these questions before it queues a harvest or stores a source's identity. They
are the same checks the harvesters make when they fetch (``gitfetch``, ``netguard``, ``pagefetch``
keep the machinery); this module is the one door to them, so callers need no internals.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from . import gitfetch, netguard, pagefetch
from .gitfetch import GitSource
from .record import HarvestError, HarvestOptions, UnsafeSource

__all__ = [
    "GitSource",
    "check_git_source",
    "check_page_url",
    "is_public_address",
    "is_ssh_address",
    "normalize_source",
    "normalize_url",
    "public_addresses",
    "refuse_before_fetch",
    "refuse_unsafe_syntax",
    "split_url",
    "ssh_refusal",
]

# Hosts whose repository paths are case-insensitive: GitHub/GitLab/Gitee/Codeberg treat
# THUDM/ChatGLM-6B and thudm/chatglm-6b as the same repository.
_CASELESS_HOSTS = {"github.com", "gitlab.com", "gitee.com", "codeberg.org"}
# "github.com:443/org/repo": a host and a port, written without the scheme.
_HOST_PORT = re.compile(r"^[^/:@]+:\d+(?:/|$)")


def refuse_unsafe_syntax(source: str) -> None:
    """Raise UnsafeSource for control characters, a leading ``-`` or git's ``name::address`` transport form."""
    gitfetch.refuse_unsafe_syntax(source)


def is_ssh_address(source: str) -> bool:
    """Tell whether git would read a source without ``://`` as an SSH address (a colon before any slash)."""
    return gitfetch.is_scp_like(source)


def ssh_refusal(source: str) -> UnsafeSource:
    """Return the refusal, in plain words, of a source with a colon before any slash."""
    return gitfetch.scp_refusal(source)


def split_url(url: str) -> tuple[SplitResult, str, int | None]:
    """Split a URL and check its host without looking it up: return (parts, host in IDNA form, port)."""
    return netguard.split_url(url)


def check_page_url(url: str) -> str:
    """Return the URL of a page if it is http(s) with a valid host and no credentials; raise UnsafeSource if not."""
    return pagefetch.check_page_url(url)


def is_public_address(address: str) -> bool:
    """Tell whether an IP address is on the public internet (not loopback, private, link-local, CGNAT…)."""
    return netguard.is_public_address(address)


def public_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Return the addresses a host resolves to; raise UnsafeSource if it has none or one is not public."""
    # Looked up on the module when called: tests that let one name through replace it there.
    return netguard.checked_addresses(host, port, allow_private=allow_private)


def check_git_source(source: str, *, options: HarvestOptions) -> GitSource:
    """Return what git may fetch for a source; raise UnsafeSource or NotARepository if it is refused."""
    return gitfetch.resolve_source(source, options=options)


def normalize_url(url: str) -> str:
    """Return the canonical form of a repository or page URL (scheme, case, ``www.``, ``.git``, trailing slash).

    What no harvester would fetch for a stranger raises UnsafeSource, before anything is looked up:
    git transport syntax (``ext::``), options (``--upload-pack=…``), SSH ``host:path``
    addresses, schemes without ``//`` (``javascript:``), user names and passwords, hosts that are
    not host names, an empty string. Local paths and ``file://`` URLs are returned as given: the
    harvester's options decide about them.
    """
    raw = url.strip()
    refuse_unsafe_syntax(raw)
    if any(ch.isspace() for ch in raw):
        raise UnsafeSource("an address cannot contain spaces")
    if "://" not in raw:
        if raw.startswith(("/", ".", "~")):
            return raw  # a local path: refused or allowed later by the harvester's options
        if is_ssh_address(raw) and not _HOST_PORT.match(raw):
            raise ssh_refusal(raw)
        raw = "https://" + raw
    scheme = raw.split("://", 1)[0].lower()
    if scheme == "file":
        return raw
    if scheme not in ("http", "https"):
        raise UnsafeSource(f"only https:// sources are allowed, not {scheme}://")
    parts, host, port = split_url(raw)
    host = host.lower().removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    netloc = host + (f":{port}" if port else "")
    path = parts.path.rstrip("/").removesuffix(".git")
    if host in _CASELESS_HOSTS:
        path = path.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def normalize_source(source: str) -> str:
    """Return the identity of a source: an absolute path for local folders, the canonical URL otherwise.

    A source that is neither (``ext::…``, ``-…``, ``host:path``, ``file://`` naming another host)
    is returned as given, for the harvester to refuse in its own words; a URL that
    ``normalize_url`` refuses raises UnsafeSource.
    """
    stripped = source.strip()
    if _kept_as_given(stripped):
        return stripped
    if stripped.startswith("file://"):
        source = urlsplit(stripped).path
    elif "://" in stripped:
        return normalize_url(stripped)
    return str(Path(os.path.expanduser(source)).resolve())


def _kept_as_given(source: str) -> bool:
    try:
        refuse_unsafe_syntax(source)
    except UnsafeSource:
        return True
    if source.lower().startswith("file://"):
        return urlsplit(source).netloc not in ("", "localhost")
    return is_ssh_address(source)


def refuse_before_fetch(source: str, *, options: HarvestOptions) -> None:
    """Raise UnsafeSource when the harvesters would refuse a (normalised) source before fetching anything.

    Only the host name is resolved; nothing is fetched. Other failures (a missing repository, a
    folder that is not one) are left to the harvest itself.
    """
    try:
        if source.lower().startswith("http://"):
            parts = urlsplit(check_page_url(source))
            public_addresses(parts.hostname or "", parts.port or 80, allow_private=options.allow_private)
        else:
            check_git_source(source, options=options)
    except UnsafeSource:
        raise
    except HarvestError:
        pass
