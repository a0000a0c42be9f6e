"""Relative links and images in a README, made to work away from the repository.

On GitHub, ``![logo](docs/logo.png)`` shows the repository's file; on our pages it would point
at a path of ours. For hosts whose file URLs we know, each relative target becomes the file's
URL at the harvested commit (images the raw file, links the file's page); elsewhere (a local
path, an unknown host) the link is made inert: its text stays, the target goes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

#: (path at the commit, is an image) -> absolute URL
FileUrl = Callable[[str, bool], str]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)[^`]{0,2000}?\1")
_MD_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]{0,500}\]){0,500})\]\(\s{0,10}(<[^>\n]{0,2000}>|[^)\s]{1,2000})"
    r"((?:\s{1,10}(?:\"[^\"\n]{0,500}\"|'[^'\n]{0,500}'|\([^)\n]{0,500}\)))?)\s{0,10}\)"
)
_REF_DEF = re.compile(r"^( {0,3}\[[^\]\n]{1,500}\]:\s{0,10})(<[^>\n]{0,2000}>|\S{1,2000})(.*)$")
_HTML_ATTR = re.compile(r"(\b(?:src|href)\s{0,5}=\s{0,5})([\"'])([^\"'\n]{0,2000})\2", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{0,30}:")

_OWNER_REPO_HOSTS = {"github.com", "gitee.com", "codeberg.org"}
_HUGGING_FACE_HOSTS = {"huggingface.co", "hf.co"}


def file_url_builder(source_url: str, commit: str | None) -> FileUrl | None:
    """Return a function giving a file's URL at the commit on a known host, or None for other sources."""
    try:
        parts = urlsplit(source_url)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    ref = commit or "HEAD"
    if host in _OWNER_REPO_HOSTS and len(segments) >= 2:
        owner, repo = segments[0], segments[1]
        if host == "github.com":
            return lambda path, image: (
                f"https://raw.githubusercontent.com/{owner}/{repo}/{ref}/{path}"
                if image
                else f"https://github.com/{owner}/{repo}/blob/{ref}/{path}"
            )
        if host == "gitee.com":
            return lambda path, image: f"https://gitee.com/{owner}/{repo}/{'raw' if image else 'blob'}/{ref}/{path}"
        kind = "commit" if commit else "branch"
        return lambda path, image: (
            f"https://codeberg.org/{owner}/{repo}/{'raw' if image else 'src'}/{kind}/{ref}/{path}"
        )
    if host == "gitlab.com" and len(segments) >= 2:
        project = "/".join(segments[: segments.index("-")] if "-" in segments else segments)
        return lambda path, image: f"https://gitlab.com/{project}/-/{'raw' if image else 'blob'}/{ref}/{path}"
    if host in _HUGGING_FACE_HOSTS and segments:
        prefix = segments[0] + "/" if segments[0] in ("datasets", "spaces") else ""
        repo_path = segments[1:3] if prefix else segments[:2]
        if len(repo_path) != 2:
            return None
        base = f"https://huggingface.co/{prefix}{repo_path[0]}/{repo_path[1]}"
        return lambda path, image: f"{base}/{'resolve' if image else 'blob'}/{ref}/{path}"
    return None


def _relative(target: str) -> bool:
    return bool(target) and not (target.startswith(("#", "//")) or _SCHEME.match(target))


def _resolve(target: str, base_dir: str) -> tuple[str, str] | None:
    path, sep, fragment = target.partition("#")
    path = path.split("?", 1)[0]
    joined = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base_dir, path))
    if not path or joined == ".." or joined.startswith("../") or joined == ".":
        return None
    return quote(joined, safe="/-_.~@+"), (sep + fragment)


def rewrite_relative_links(markdown: str, *, base_dir: str, file_url: FileUrl | None) -> str:
    """Point relative links and images at the source host's files, or make them inert."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence:
            if line.strip().startswith(fence):
                fence = None
            out.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)[0] * 3
            out.append(line)
            continue
        out.append(_rewrite_line(line, base_dir, file_url))
    return "\n".join(out)


def _rewrite_line(line: str, base_dir: str, file_url: FileUrl | None) -> str:
    definition = _REF_DEF.match(line)
    if definition:
        target = definition.group(2).strip("<>")
        if _relative(target):
            new = _target(target, base_dir, file_url, image=False)
            return f"{definition.group(1)}{new or '#'}{definition.group(3)}"
        return line
    pieces, last = [], 0
    for code in _INLINE_CODE.finditer(line):
        pieces.append(_rewrite_text(line[last : code.start()], base_dir, file_url))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_rewrite_text(line[last:], base_dir, file_url))
    return "".join(pieces)


def _target(target: str, base_dir: str, file_url: FileUrl | None, *, image: bool) -> str | None:
    resolved = _resolve(target, base_dir)
    if resolved is None or file_url is None:
        return None
    return file_url(resolved[0], image) + resolved[1]


def _rewrite_text(text: str, base_dir: str, file_url: FileUrl | None, depth: int = 0) -> str:
    def link(match: re.Match[str]) -> str:
        bang, label, target, title = match.groups()
        if depth < 2:
            label = _rewrite_text(label, base_dir, file_url, depth + 1)
        raw = target.strip("<>")
        if not _relative(raw):
            return f"{bang}[{label}]({target}{title})"
        new = _target(raw, base_dir, file_url, image=bool(bang))
        if new is None:
            return label  # inert: the words stay, the target goes
        return f"{bang}[{label}]({new}{title})"

    def attribute(match: re.Match[str]) -> str:
        prefix, quote_char, target = match.groups()
        if not _relative(target):
            return match.group(0)
        new = _target(target, base_dir, file_url, image=prefix.strip().lower().startswith("src"))
        return f"{prefix}{quote_char}{new}{quote_char}" if new else ""

    return _HTML_ATTR.sub(attribute, _MD_LINK.sub(link, text))
