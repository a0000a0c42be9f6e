"""The list harvester: an awesome-list (a Markdown file of links under headings) becomes groups of items.

The source is a git repository (its README) or, for the operator, a local Markdown file or
repository. Headings become groups, list items become items that keep their notes, and links
to repositories on the well-known forges are marked so the registry can match them with
entries or register them as sources.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git as gitpython

from .base import register
from .checkout import Checkout
from .gitfetch import clone, remote_head, resolve_source
from .language import detect_language
from .record import HarvestOptions, NotARepository, UnsafeSource
from .slugs import split_source
from .textdecode import decode_text

#: The files an awesome-list is kept in, most likely first.
LIST_FILES = ("README.md", "readme.md", "Readme.md", "README.markdown", "README", "README.rst", "LIST.md")
MAX_ITEMS = 5000
MAX_NOTE = 2000
MAX_TITLE = 300

#: Forges whose URLs are /<owner>/<repository>/…: a link there is a repository.
REPOSITORY_HOSTS = {"github.com", "gitlab.com", "gitee.com", "codeberg.org", "bitbucket.org", "huggingface.co"}
_HF_TYPES = {"datasets", "spaces", "models"}
# Owner names on the forges that are sections of the site, not accounts.
_NOT_OWNERS = {
    "topics",
    "features",
    "about",
    "orgs",
    "sponsors",
    "marketplace",
    "explore",
    "collections",
    "settings",
    "apps",
    "search",
    "trending",
    "docs",
    "blog",
    "papers",
    "login",
    "join",
    "users",
}

# Headings of sections that are about the list itself, not part of it.
_SKIPPED_SECTIONS = {
    "contents",
    "table of contents",
    "toc",
    "index",
    "license",
    "licence",
    "contributing",
    "contribute",
    "contributors",
    "contribution",
    "footnotes",
    "code of conduct",
    "acknowledgements",
    "acknowledgments",
    "目录",
    "許可證",
    "许可证",
    "贡献",
    "contenido",
    "contenidos",
    "índice",
    "licencia",
    "contribuir",
    "sommaire",
    "table des matières",
    "contribuer",
    "المحتويات",
    "الفهرس",
    "الترخيص",
    "المساهمة",
    "yaliyomo",
    "leseni",
    "kuchangia",
    "conteúdo",
    "sumário",
    "licença",
    "विषय-सूची",
    "अनुक्रमणिका",
    "लाइसेंस",
}

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.{1,500}?)[ \t#]*$")
_BULLET = re.compile(r"^([ \t]{0,40})(?:[-*+]|\d{1,4}[.)])[ \t]+(.{0,5000})$")
_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)")
_LINK = re.compile(r"\[([^\]\n]{1,500})\]\(\s{0,5}<?([^)\s>]{1,2000})>?(?:\s{1,5}\"[^\"\n]{0,300}\")?\s{0,5}\)")
_EMPTY_LINK = re.compile(r"\[\s{0,50}\]\([^)\n]{0,2000}\)")
_BARE_URL = re.compile(r"<?(https?://[^\s<>)]{1,2000})>?")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"<[^>\n]{0,1000}>")
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|`)(?=\S)(.{1,500}?)(?<=\S)\1(?!\w)")
_SEPARATOR = re.compile(r"^[\s\-–—:|,.·•]+")


@dataclass
class ListItem:
    """One linked item of a list, with the words that follow the link."""

    title: str
    url: str
    note: str = ""
    #: The canonical repository URL (https://github.com/owner/name) when the link is a repository.
    repository: str | None = None


@dataclass
class ListGroup:
    """A section of the list; ``title`` is empty for items above the first heading."""

    title: str
    items: list[ListItem] = field(default_factory=list)


@dataclass
class HarvestedList:
    """What the list harvester found: the list's title and description, and its groups in order."""

    source_url: str
    commit: str | None
    file: str | None
    title: str
    description: str
    language: str | None
    groups: list[ListGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[ListItem]:
        return [item for group in self.groups for item in group.items]


def repository_url(url: str) -> str | None:
    """Return the canonical repository URL for a link into a forge (…/owner/name/tree/main → …/owner/name)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or host not in REPOSITORY_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    prefix = ""
    if host == "huggingface.co" and segments and segments[0] in _HF_TYPES:
        prefix, segments = segments[0] + "/", segments[1:]
    if len(segments) < 2 or segments[0].lower() in _NOT_OWNERS:
        return None
    if host == "gitlab.com":
        # GitLab projects may sit in subgroups; the project path ends where "/-/" begins.
        segments = segments[: segments.index("-")] if "-" in segments else segments
        path = "/".join(segments).removesuffix(".git").lower()
        return urlunsplit(("https", host, f"/{path}", "", ""))
    owner, name = segments[0], segments[1].removesuffix(".git")
    if host in ("github.com", "gitee.com", "codeberg.org"):
        owner, name = owner.lower(), name.lower()
    return urlunsplit(("https", host, f"/{prefix}{owner}/{name}", "", ""))


def _plain(markdown: str) -> str:
    """Markdown inline text to plain words: images dropped, links to their text, emphasis unwrapped."""
    text = _EMPTY_LINK.sub("", _IMAGE.sub("", markdown))
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text)
    for _ in range(3):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return re.sub(r"\s+", " ", text).strip()


def _item(text: str, base_url: str | None) -> ListItem | None:
    body = _IMAGE.sub("", text).strip()
    match = _LINK.search(body)
    if match is not None:
        title, url = _plain(match.group(1)), match.group(2)
        rest = body[match.end() :]
    else:
        bare = _BARE_URL.search(body)
        if bare is None:
            return None
        title, url, rest = bare.group(1), bare.group(1), body[bare.end() :]
    if url.startswith("#") or url.lower().startswith(("mailto:", "javascript:", "data:")):
        return None
    if "://" not in url:
        if not base_url or not base_url.startswith("https://"):
            return None  # a file of the list's own repository, readable only there
        url = f"{base_url.rstrip('/')}/blob/HEAD/{url.lstrip('./')}"
    if not url.lower().startswith(("http://", "https://")):
        return None
    note = _SEPARATOR.sub("", _plain(rest))
    return ListItem(title=(title or url)[:MAX_TITLE], url=url, note=note[:MAX_NOTE], repository=repository_url(url))


def parse_list(markdown: str, *, source_url: str = "", base_url: str | None = None) -> HarvestedList:
    """Parse an awesome-list's Markdown into a title, a description and groups of items."""
    text = _HTML_COMMENT.sub("", markdown)
    result = HarvestedList(source_url=source_url, commit=None, file=None, title="", description="", language=None)
    headings: dict[int, str] = {}
    group = ListGroup(title="")
    result.groups.append(group)
    description: list[str] = []
    in_fence = skipping = False
    seen_heading_2 = False
    current: ListItem | None = None
    seen: set[str] = set()
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading:
            current = None
            level, title = len(heading.group(1)), _plain(heading.group(2))
            if level == 1 and not result.title:
                result.title = title[:MAX_TITLE]
                continue
            seen_heading_2 = True
            headings = {lv: t for lv, t in headings.items() if lv < level}
            headings[level] = title
            skipping = any(t.lower().strip(" :") in _SKIPPED_SECTIONS for t in headings.values())
            name = " › ".join(headings[lv] for lv in sorted(headings))[:MAX_TITLE]
            group = next((g for g in result.groups if g.title == name), None) or ListGroup(title=name)
            if group not in result.groups:
                result.groups.append(group)
            continue
        bullet = _BULLET.match(line)
        if bullet and not skipping:
            current = _item(bullet.group(2), base_url)
            if current is None:
                continue
            key = current.repository or current.url
            if key in seen:
                result.warnings.append(f"{current.url} is listed more than once; kept the first")
                current = None
                continue
            if len(seen) >= MAX_ITEMS:
                result.warnings.append(f"the list has more than {MAX_ITEMS} items; the rest were skipped")
                break
            seen.add(key)
            group.items.append(current)
            continue
        stripped = line.strip()
        if current is not None and stripped and line[:1] in (" ", "\t"):
            current.note = (current.note + " " + _plain(stripped)).strip()[:MAX_NOTE]  # a wrapped item line
            continue
        current = None
        if (
            not seen_heading_2
            and stripped
            and not stripped.startswith(("[!", "!", "<", "|"))
            and not bullet
            and len(" ".join(description)) < MAX_NOTE
        ):
            plain = _plain(stripped.lstrip("> "))
            if plain:
                description.append(plain)
    result.groups = [g for g in result.groups if g.items]
    result.description = " ".join(description)[:MAX_NOTE]
    notes = " ".join([result.title, result.description] + [i.note for i in result.items[:200]])
    result.language = detect_language(notes)
    return result


def _list_file(checkout: Checkout) -> str | None:
    files = set(checkout.root_files())
    return next((name for name in LIST_FILES if name in files), None)


def _version_of_file(path: Path) -> str:
    # Stored where a commit id goes (64 characters at most): 224 bits of the digest are plenty.
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:56]


@register("list")
class AwesomeListHarvester:
    """Harvest an awesome-list from a git repository's README, or (operator) a local Markdown file."""

    kind = "list"
    result_type = HarvestedList

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the list's version: the remote HEAD commit, or a local file's digest."""
        local = _local_file(source, options=options)
        if local is not None:
            return _version_of_file(local)
        return remote_head(resolve_source(source, options=options), options=options)

    def harvest(self, source: str, *, options: HarvestOptions) -> HarvestedList:
        """Fetch the list and parse it into groups and items."""
        local = _local_file(source, options=options)
        if local is not None:
            if local.stat().st_size > options.max_file_bytes:
                raise NotARepository(f"{local} is larger than the file size limit")
            text = decode_text(local.read_bytes())
            if text is None:
                raise NotARepository(f"{local} is not a text file")
            parsed = parse_list(text, source_url=str(local))
            parsed.commit, parsed.file = _version_of_file(local), local.name
            parsed.title = parsed.title or local.stem
            return parsed
        target = resolve_source(source, options=options)
        with tempfile.TemporaryDirectory(prefix="ai-commons-list-") as scratch:
            dest = Path(scratch) / "checkout"
            clone(target, dest, options=options)
            with gitpython.Repo(dest) as repo:
                if not repo.head.is_valid():
                    raise NotARepository(f"{source} has no commits")
                commit = repo.head.commit.hexsha
                tree = repo.head.commit.tree
            warnings: list[str] = []
            checkout = Checkout(
                dest, max_file_bytes=options.max_file_bytes, warnings=warnings, tree=tree, commit=commit
            )
            name = _list_file(checkout)
            data = checkout.read_bytes(name) if name else None
            text = decode_text(data) if data is not None else None
            if text is None:
                raise NotARepository(f"{source} has no README with a list in it")
        base = target.url if target.local_path is None else None
        parsed = parse_list(text, source_url=target.url if base else str(target.local_path), base_url=base)
        parsed.commit, parsed.file = commit, name
        parsed.warnings[:0] = warnings
        parsed.title = parsed.title or split_source(source)[1]
        if not parsed.items:
            parsed.warnings.append(f"{name} has no linked list items")
        return parsed


def _local_file(source: str, *, options: HarvestOptions) -> Path | None:
    """Return a local Markdown file named by the source, or None when the source is not one."""
    if "://" in source and not source.lower().startswith("file://"):
        return None
    raw = urlsplit(source).path if source.lower().startswith("file://") else source
    path = Path(os.path.abspath(os.path.expanduser(raw)))
    if not path.is_file():
        return None
    if not options.allow_local:
        raise UnsafeSource("local paths are not allowed here; submit the list repository's https:// URL")
    return path
