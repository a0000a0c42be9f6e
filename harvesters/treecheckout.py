"""Reads from a commit's tree in the cloned object database: no working tree is written at all.

A harvest needs a handful of small files (README, LICENSE, metadata), so the clone skips the
checkout and this reads those blobs straight from git's objects. Nothing on disk can point
outside the repository: a symbolic link is only a blob holding its target, followed here by
the same rules (RepoFiles) as Checkout follows links in a working tree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .checkout import MAX_LINK_TARGET, SYMLINK_MODE, RepoFiles, skip_unusable, usable_name
from .record import HarvestError

_RESERVED = "holds a name git keeps for itself (such as .git)"
# The files the readers look at, fetched together before they run (see prefetch): at the top,
# those whose names start so, and READMEs one or two folders down (cards of sub-models,
# translations under docs/). Any other file a reader opens is fetched when it is opened.
_WANTED_PREFIXES = (
    "readme",
    "license",
    "licence",
    "copying",
    "unlicense",
    "citation",
    "codemeta",
    "datapackage",
    "croissant",
    "pyproject.toml",
    "setup.cfg",
    "package.json",
    ".ai-commons-claim",
)
_MAX_PREFETCH = 500


class TreeCheckout(RepoFiles):
    """The files of one commit, read from git's object database with the limits of Checkout."""

    def __init__(
        self,
        tree: Any,
        *,
        max_file_bytes: int,
        warnings: list[str],
        commit: str | None = None,
        fetch: Callable[[list[str]], None] | None = None,
    ) -> None:
        super().__init__(max_file_bytes=max_file_bytes, warnings=warnings, commit=commit)
        self.tree = tree
        #: Fetches objects (by hex id) that the clone left on the server; None when it has them all.
        self.fetch = fetch
        self._listing: dict[int, list[str]] = {}
        try:
            root = [blob.name for blob in tree.blobs]
        # GitPython will not read a folder holding .git (or .GIT, git~1…): git refuses such trees
        # too, and only a tree crafted with plumbing has one.
        except ValueError:
            raise HarvestError(f"the repository's top folder {_RESERVED}; not harvested") from None
        self._root = sorted(skip_unusable(root, warnings))

    def root_files(self) -> list[str]:
        """Return the names of the files (and links) at the top of the tree, sorted."""
        return list(self._root)

    def list_files(self, *, max_depth: int = 3, limit: int = 5000) -> list[str]:
        """Return the paths of files up to ``max_depth`` folders deep, sorted."""
        if max_depth not in self._listing:
            found: list[str] = []
            queue = deque([(self.tree, "", 0)])
            while queue and len(found) < limit:
                tree, prefix, depth = queue.popleft()
                try:
                    names, subs = [b.name for b in tree.blobs], tree.trees if depth < max_depth else []
                except ValueError:
                    self.warnings.append(f"the folder {prefix.rstrip('/')} {_RESERVED}; skipped")
                    continue
                found.extend(prefix + name for name in skip_unusable(names, self.warnings))
                queue.extend((sub, f"{prefix}{sub.name}/", depth + 1) for sub in subs if usable_name(sub.name))
            self._listing[max_depth] = sorted(found[:limit])
        return self._listing[max_depth]

    def prefetch(self) -> None:
        """Fetch, in one request, the contents of the files the readers are going to read."""
        if self.fetch is None:
            return
        wanted: list[str] = []
        queue = deque([(self.tree, 0)])
        while queue and len(wanted) < _MAX_PREFETCH:
            tree, depth = queue.popleft()
            try:
                blobs, subs = tree.blobs, tree.trees if depth < 2 else []
            except ValueError:
                continue  # a folder GitPython will not read (see __init__)
            for blob in blobs:
                lowered = blob.name.lower()
                if lowered.startswith(_WANTED_PREFIXES if depth == 0 else "readme") and not self._present(blob):
                    wanted.append(blob.hexsha)
            queue.extend((sub, depth + 1) for sub in subs)
        self.fetch(wanted[:_MAX_PREFETCH])

    @staticmethod
    def _present(entry: Any) -> bool:
        try:
            entry.size  # noqa: B018 - asks git for the object's header
        except ValueError:  # GitPython: git answered that the object is missing
            return False
        return True

    def _size(self, entry: Any, shown: str) -> int | None:
        """Return the size of a file's object, fetching it first if the clone lacks it."""
        if not self._present(entry) and self.fetch is not None:
            self.fetch([entry.hexsha])
        try:
            return entry.size
        except ValueError:
            self.warnings.append(f"{shown} could not be fetched from the repository; ignored")
            return None

    def _read_inside(self, relpath: str, shown: str, *, hops: int) -> bytes | None:
        try:
            entry = self.tree / relpath
        except (KeyError, ValueError):  # not there, or in a folder GitPython will not read (see __init__)
            return None
        if entry.type != "blob":
            return None  # a folder, or a submodule's commit
        size = self._size(entry, shown)
        if size is None:
            return None
        if entry.mode == SYMLINK_MODE:
            if size > MAX_LINK_TARGET:
                return None
            target = entry.data_stream.read().decode("utf-8", errors="replace").strip()
            return self._follow(relpath, target, shown, hops=hops)
        if self._too_big(size, shown):
            return None
        return self._content(entry.data_stream.read(), shown)
