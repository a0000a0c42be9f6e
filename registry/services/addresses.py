"""Source addresses: the one identity each source gets, and what is refused before anything is fetched."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harvesters import HarvestError, HarvestOptions, UnsafeSource, gitfetch, netguard, pagefetch

from ..errors import Invalid

# Hosts whose repository paths are case-insensitive: GitHub/GitLab/Gitee/Codeberg treat
# THUDM/ChatGLM-6B and thudm/chatglm-6b as the same repository.
_CASELESS_HOSTS = {"github.com", "gitlab.com", "gitee.com", "codeberg.org"}


def normalize_source_url(url: str) -> str:
    """Return the canonical form of a repository or page URL (scheme, case, `.git`, trailing slash).

    What no harvester would fetch for a stranger is refused here, before anything is looked up:
    git transport syntax (``ext::``), options (``--upload-pack=…``), SSH ``host:path``
    addresses, schemes without ``//`` (``javascript:``), user names and passwords, hosts that are
    not host names. Local paths and ``file://`` URLs are returned as given: the harvester's
    options decide about them.
    """
    raw = (url or "").strip()
    if not raw:
        raise Invalid("Paste the address of a repository or a page.", details={"fields": {"source_url": "required"}})
    try:
        gitfetch.refuse_unsafe_syntax(raw)
        if any(ch.isspace() for ch in raw):
            raise UnsafeSource("an address cannot contain spaces")
        if "://" not in raw:
            if raw.startswith(("/", ".", "~")):
                return raw  # a local path: refused or allowed later by the harvester's options
            if gitfetch.is_scp_like(raw) and not _HOST_PORT.match(raw):
                raise gitfetch.scp_refusal(raw)
            raw = "https://" + raw
        scheme = raw.split("://", 1)[0].lower()
        if scheme == "file":
            return raw
        if scheme not in ("http", "https"):
            raise UnsafeSource(f"only https:// sources are allowed, not {scheme}://")
        parts, host, port = netguard.split_url(raw)
        host = host.lower()
    except UnsafeSource as refused:
        raise Invalid(str(refused), details={"fields": {"source_url": str(refused)}}) from None
    host = host.removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    netloc = host + (f":{port}" if port else "")
    path = parts.path.rstrip("/")
    path = path.removesuffix(".git")
    if host in _CASELESS_HOSTS:
        path = path.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def normalize_source(source: str) -> str:
    """Return the identity of a source: an absolute path for local folders, the canonical URL otherwise.

    A source that is neither (``ext::…``, ``-…``, ``host:path``, ``file://`` naming another host)
    is returned as given, for the harvester to refuse in its own words.
    """
    stripped = source.strip()
    if _kept_as_given(stripped):
        return stripped
    if stripped.startswith("file://"):
        source = urlsplit(stripped).path
    elif "://" in stripped:
        return normalize_source_url(stripped)
    return str(Path(os.path.expanduser(source)).resolve())


# "github.com:443/org/repo": a host and a port, written without the scheme.
_HOST_PORT = re.compile(r"^[^/:@]+:\d+(?:/|$)")


def _kept_as_given(source: str) -> bool:
    try:
        gitfetch.refuse_unsafe_syntax(source)
    except UnsafeSource:
        return True
    if source.lower().startswith("file://"):
        return urlsplit(source).netloc not in ("", "localhost")
    return gitfetch.is_scp_like(source)


def refuse_unsafe_source(source: str, *, options: HarvestOptions) -> None:
    """Raise Invalid when the harvesters would refuse a (normalized) source before fetching anything.

    A queued harvest runs later in a worker; calling this first lets a submission hear at once
    that a local path, a private address or a forbidden scheme is refused. It only resolves the
    host name; nothing is fetched. Other failures (a missing repository) are left to the harvest.
    """
    try:
        if source.lower().startswith("http://"):
            parts = urlsplit(pagefetch.check_page_url(source))
            netguard.checked_addresses(parts.hostname or "", parts.port or 80, allow_private=options.allow_private)
        else:
            gitfetch.resolve_source(source, options=options)
    except UnsafeSource as refused:
        raise Invalid(str(refused), details={"fields": {"source_url": str(refused)}}) from None
    except HarvestError:
        pass


def source_identity(source: str) -> str:
    """Return the identity a harvest gives a source (absolute path, canonical URL); the text itself if it has none."""
    try:
        return normalize_source(source)
    except Invalid:
        return source
