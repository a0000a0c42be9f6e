"""Slug hints: the `<namespace>/<name>` a source would like to be registered under."""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import unquote, urlsplit

# Hosts whose URLs are always /<owner>/<repo>/… : anything after the second segment is a
# view of the repository (tree/main/src, blob/…, issues), not part of its name.
_OWNER_REPO_HOSTS = {"github.com", "gitee.com", "codeberg.org", "bitbucket.org", "git.sr.ht"}
# Hugging Face puts the repository type in front of the owner.
_HUGGING_FACE_HOSTS = {"huggingface.co", "hf.co"}
_HUGGING_FACE_TYPES = {"datasets", "spaces", "models"}

_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def slug_from_source(source: str) -> str:
    """Return the slug hint for a git URL or a local repository path (github.com/A/B → a/b)."""
    namespace, name = split_source(source)
    return f"{_segment(namespace)}/{_segment(name)}"


def split_source(source: str) -> tuple[str, str]:
    """Return a source's namespace and repository name as written (owner and repo, or parent and folder)."""
    source = source.strip()
    lowered = source.lower()
    if "://" in source and not lowered.startswith("file://"):
        return _split_url(source)
    if lowered.startswith("file://"):
        source = unquote(urlsplit(source).path)
    parts = [p for p in os.path.abspath(os.path.expanduser(source)).split(os.sep) if p]
    name = parts[-1] if parts else "repository"
    namespace = parts[-2] if len(parts) > 1 else "local"
    return namespace, _strip_git(name)


def _split_url(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # a malformed authority such as "https://[oops/x"
        return "unknown", "repository"
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if host in _HUGGING_FACE_HOSTS and segments and segments[0] in _HUGGING_FACE_TYPES:
        segments = segments[1:]
    if host in _OWNER_REPO_HOSTS or host in _HUGGING_FACE_HOSTS:
        segments = segments[:2]
    elif "-" in segments:
        # GitLab (and Gitea-likes) separate the project path from its views with "/-/".
        segments = segments[: segments.index("-")]
    host = host or "unknown"
    if not segments:
        return host, host
    if len(segments) == 1:
        return host, _strip_git(segments[0])
    # GitLab subgroups (a/b/c/d) keep the top-level group and the project: a/d.
    return segments[0], _strip_git(segments[-1])


def _strip_git(name: str) -> str:
    return name[:-4] if name.lower().endswith(".git") and len(name) > 4 else name


def _segment(text: str) -> str:
    cleaned = _UNSAFE.sub("-", text.lower()).strip("-.")
    if cleaned:
        return cleaned
    # A name written wholly in another script (清华/模型) would otherwise collapse to "-",
    # and every such repository would fight over one slug; a short digest keeps them apart.
    return "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
