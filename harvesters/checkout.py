"""Safe, bounded reads from a repository's files: nothing outside it, nothing too large."""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Any

#: The git mode of a symbolic link.
SYMLINK_MODE = 0o120000
# A chain of links inside the repository is followed this far, which also stops loops.
_MAX_LINK_HOPS = 5
#: The longest link target read: a "link" holding more is not one.
MAX_LINK_TARGET = 4096
# A Git LFS pointer stands in for a file kept elsewhere; it is small and starts like this.
_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\n"
_MAX_LFS_POINTER = 1024


def usable_name(name: str) -> bool:
    """Tell whether a file name may be shown and stored: valid UTF-8, no control characters.

    A repository can hold any bytes as a name; one that is not text would break every page,
    JSON answer and database row it reached (and control characters would reach terminals).
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os and GitPython keep undecodable bytes as lone surrogates
        return False
    return True


def lfs_pointer(data: bytes, shown: str, warnings: list[str]) -> bool:
    """Tell whether a file's bytes are a Git LFS pointer (warning about it): its content is never fetched."""
    if len(data) <= _MAX_LFS_POINTER and data.startswith(_LFS_POINTER):
        warnings.append(f"{shown} is stored with Git LFS, whose files are not fetched; ignored")
        return True
    return False


def skip_unusable(names: list[str], warnings: list[str]) -> list[str]:
    """Return the usable names, with one warning for those left out."""
    kept = [name for name in names if usable_name(name)]
    if len(kept) < len(names):
        warning = "file names that are not valid UTF-8 text (or hold control characters) were ignored"
        if warning not in warnings:
            warnings.append(warning)
    return kept


def human_size(size: int) -> str:
    """Format a byte count for a message a person reads (2 MB, 512 KB)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


class RepoFiles:
    """The files of one commit as the format readers see them: every read stays inside and is bounded.

    Two kinds share the rules here (paths, links, size cap, LFS pointers, one read per file):
    ``Checkout`` reads a working tree on disk, ``TreeCheckout`` a commit's tree in git's objects.
    """

    def __init__(self, *, max_file_bytes: int, warnings: list[str], commit: str | None = None) -> None:
        self.commit = commit
        self.max_file_bytes = max_file_bytes
        self.warnings = warnings
        # Several readers look at the same file (the README holds text and card metadata):
        # read it once, and warn about it once.
        self._cache: dict[str, bytes | None] = {}

    def root_files(self) -> list[str]:
        """Return the names of the files (and links) at the top, sorted."""
        raise NotImplementedError

    def list_files(self, *, max_depth: int = 3, limit: int = 5000) -> list[str]:
        """Return the paths of files up to ``max_depth`` folders deep, sorted."""
        raise NotImplementedError

    def read_bytes(self, relpath: str) -> bytes | None:
        """Return a file's bytes, or None (with a warning) if it is outside, linked out or too big."""
        if relpath not in self._cache:
            self._cache[relpath] = self._read(relpath, relpath, hops=0)
        return self._cache[relpath]

    def _read(self, relpath: str, shown: str, *, hops: int) -> bytes | None:
        normal = posixpath.normpath(relpath)
        if _leaves(normal) or normal.split("/")[0] == ".git":
            self.warnings.append(f"{shown} points outside the repository; ignored")
            return None
        return self._read_inside(normal, shown, hops=hops)

    def _read_inside(self, relpath: str, shown: str, *, hops: int) -> bytes | None:
        """Return the bytes at a normalised path inside the files (following links with ``_follow``)."""
        raise NotImplementedError

    def _follow(self, relpath: str, target: str, shown: str, *, hops: int) -> bytes | None:
        # A link is followed only to a place inside, and only so many times in a row.
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target))
        if posixpath.isabs(target) or _leaves(joined):
            self.warnings.append(f"{shown} is a symbolic link to a file outside the repository; ignored")
            return None
        if hops >= _MAX_LINK_HOPS:
            self.warnings.append(f"{shown} is a chain of symbolic links too long to follow; ignored")
            return None
        return self._read(joined, shown, hops=hops + 1)

    def _too_big(self, size: int, shown: str) -> bool:
        if size > self.max_file_bytes:
            self.warnings.append(f"{shown} is larger than the {human_size(self.max_file_bytes)} limit; skipped")
            return True
        return False

    def _content(self, data: bytes, shown: str) -> bytes | None:
        return None if lfs_pointer(data, shown, self.warnings) else data


def _leaves(normal: str) -> bool:
    return posixpath.isabs(normal) or normal == ".." or normal.startswith("../")


class Checkout(RepoFiles):
    """A cloned working tree that format readers read from; every read stays inside it."""

    def __init__(
        self, root: Path, *, max_file_bytes: int, warnings: list[str], tree: Any = None, commit: str | None = None
    ) -> None:
        super().__init__(max_file_bytes=max_file_bytes, warnings=warnings, commit=commit)
        self.root = Path(os.path.realpath(root))
        # The head commit's tree (GitPython), to learn a file's git mode: the clone runs
        # with core.symlinks=false, so on disk a symbolic link is a plain file holding its target.
        self._tree = tree

    def root_files(self) -> list[str]:
        """Return the names of the files (and links) at the top of the checkout, sorted."""
        names = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name != ".git" and (entry.is_symlink() or entry.is_file(follow_symlinks=False)):
                    names.append(entry.name)
        return sorted(skip_unusable(names, self.warnings))

    def list_files(self, *, max_depth: int = 3, limit: int = 5000) -> list[str]:
        """Return the paths of files up to ``max_depth`` folders deep, sorted; folders that are links are not entered."""
        found: list[str] = []
        for folder, dirs, files in os.walk(self.root):
            rel = os.path.relpath(folder, self.root)
            depth = 0 if rel == "." else rel.count(os.sep) + 1
            dirs[:] = sorted(
                d
                for d in dirs
                if d != ".git" and depth < max_depth and usable_name(d) and not os.path.islink(os.path.join(folder, d))
            )
            for name in skip_unusable(files, self.warnings):
                found.append(name if rel == "." else posixpath.join(rel.replace(os.sep, "/"), name))
                if len(found) >= limit:
                    return sorted(found)
        return sorted(found)

    def _read_inside(self, relpath: str, shown: str, *, hops: int) -> bytes | None:
        path = self.root / relpath
        try:
            info = path.lstat()
        except OSError:
            return None
        if self._is_git_symlink(relpath) or stat.S_ISLNK(info.st_mode):
            return self._follow(relpath, self._link_target(path), shown, hops=hops)
        if not stat.S_ISREG(info.st_mode):
            return None
        # Belt and braces: even a regular file must resolve to a place inside the checkout
        # (a parent directory could itself be a link).
        if os.path.commonpath([self.root, os.path.realpath(path)]) != str(self.root):
            self.warnings.append(f"{shown} points outside the repository; ignored")
            return None
        if self._too_big(info.st_size, shown):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(self.max_file_bytes + 1)
        if self._too_big(len(data), shown):  # it grew since lstat: still refuse
            return None
        return self._content(data, shown)

    def _is_git_symlink(self, relpath: str) -> bool:
        if self._tree is None:
            return False
        try:
            return bool((self._tree / relpath).mode == SYMLINK_MODE)
        except KeyError:
            return False

    @staticmethod
    def _link_target(path: Path) -> str:
        if path.is_symlink():
            return os.readlink(path)
        with open(path, "rb") as handle:
            return handle.read(MAX_LINK_TARGET).decode("utf-8", errors="replace").strip()
