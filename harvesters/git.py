"""The built-in harvester for git repositories: clone safely, then let each format read the checkout."""

from __future__ import annotations

import logging
import posixpath
import time
from collections.abc import Callable
from functools import partial

import git as gitpython

from .base import register
from .checkout import RepoFiles
from .formats.cff import read_citation_cff
from .formats.claim import read_claim
from .formats.codemeta import read_codemeta
from .formats.croissant import read_croissant
from .formats.datapackage import read_datapackage
from .formats.evidence import read_file_evidence
from .formats.license import read_license
from .formats.manifests import read_manifests
from .formats.model_card import read_model_card
from .formats.readme import read_readme
from .gitfetch import GitSource, clone, fetch_objects, remote_head, resolve_source
from .links import file_url_builder, rewrite_relative_links
from .merge import settle
from .record import HarvestedRecord, HarvestError, HarvestOptions, NotARepository
from .scratch import scratch_dir
from .slugs import slug_from_source, split_source
from .treecheckout import TreeCheckout

log = logging.getLogger(__name__)

#: A format reader looks at the checkout (a working tree, or a commit's tree) and offers claims.
FormatReader = Callable[[RepoFiles, HarvestedRecord], None]

#: The format readers run on every checkout, in order. Each offers claims about fields
#: (harvesters.merge picks the best by rank; among equals the earlier reader wins).
#: Adding a format is adding a module under formats/ and a line here.
FORMAT_READERS: list[FormatReader] = [
    read_readme,
    read_model_card,
    read_citation_cff,
    read_codemeta,
    read_datapackage,
    read_croissant,
    read_manifests,
    read_license,
    read_file_evidence,
    read_claim,
]


@register("git")
class GitHarvester:
    """Harvest a git repository (an https URL, or a local path when the operator allows it)."""

    kind = "git"

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the remote HEAD commit without cloning, or None when it can't be learned."""
        target = resolve_source(source, options=options)
        if target.local_path is not None:
            # A folder on this server: its head was read from its own files (no git process,
            # which is what serving it to ls-remote would read too).
            return target.head
        return remote_head(target, options=options)

    def harvest(self, source: str, *, options: HarvestOptions) -> HarvestedRecord:
        """Clone the repository and read its metadata into a HarvestedRecord."""
        target = resolve_source(source, options=options)
        record = HarvestedRecord(
            source_url=str(target.local_path) if target.local_path else target.url,
            source_kind="git",
            slug_hint=slug_from_source(source),
        )
        # One time limit for the clone and the fetches of files that follow it.
        deadline = time.monotonic() + options.timeout
        with scratch_dir() as scratch:
            dest = scratch / "checkout"
            # Only git's objects are fetched: the readers take the few files they need from them.
            clone(target, dest, options=options, checkout=False)
            # Closing the Repo stops the git helper processes GitPython keeps for reading objects.
            with gitpython.Repo(dest) as repo:
                if not repo.head.is_valid():
                    raise NotARepository(f"{_shown(target)} has no commits")
                commit = repo.head.commit
                # Set before any field, so every field's provenance names the commit.
                record.commit = commit.hexsha
                checkout = TreeCheckout(
                    commit.tree,
                    max_file_bytes=options.max_file_bytes,
                    warnings=record.warnings,
                    commit=record.commit,
                    fetch=partial(fetch_objects, target, dest, options=options, deadline=deadline),
                )
                checkout.prefetch()
                for reader in FORMAT_READERS:
                    _run_reader(reader, checkout, record)
        finish_record(
            record,
            fallback_name=split_source(record.source_url)[1],
            file_url=file_url_builder(target.url, record.commit) if target.local_path is None else None,
        )
        return record


def _run_reader(reader: FormatReader, checkout: RepoFiles, record: HarvestedRecord) -> None:
    try:
        reader(checkout, record)
    except HarvestError:
        raise  # the repository could not be fetched (a file's contents, read on demand): the harvest fails
    # Repositories are written by strangers: one file a parser trips over must cost only
    # that parser's fields, never the whole harvest. The bug is logged for the operator.
    except Exception:
        log.exception("format reader %s failed on %s", reader.__name__, record.source_url)
        record.warnings.append(f"one of the files could not be read ({reader.__name__} failed)")


def finish_record(record: HarvestedRecord, *, fallback_name: str, file_url=None) -> None:
    """Merge the claims into fields and translations, and make README links work off the repository."""
    settle(record, fallback_name=fallback_name)
    if isinstance(record.fields.get("description"), str):
        origin = record.provenance["description"]["origin"]
        record.fields["description"] = rewrite_relative_links(
            record.fields["description"], base_dir=posixpath.dirname(origin), file_url=file_url
        )
    for translation in record.translations.values():
        if translation.get("description"):
            origin = translation["origin"].split(", ")[0]
            translation["description"] = rewrite_relative_links(
                translation["description"], base_dir=posixpath.dirname(origin), file_url=file_url
            )


def _shown(target: GitSource) -> str:
    return str(target.local_path) if target.local_path else target.url
