"""Hub sources: a Hugging Face or ModelScope repository read through the hub's API and raw-file addresses.

The API record gives the card data, tags, the files with their sizes and LFS sha256, the gated
flag and its conditions, and the last commit; the card (README.md with its YAML) and the small
text files the format readers look at are read one by one through the raw-file address. Nothing
stored with LFS and nothing over the file limit is ever fetched: no weights, no clone.
"""

from __future__ import annotations

import posixpath
import time
from typing import Any
from urllib.parse import quote, urlsplit

from .base import register
from .checkout import RepoFiles, skip_unusable, usable_name
from .git import FORMAT_READERS, _run_reader, finish_record
from .listers.base import ListerSettings, Request, load_json_page
from .listers.http import ListerClient
from .record import RANK_EXPLICIT, RANK_MANIFEST, HarvestedRecord, HarvestError, HarvestOptions, UnsafeSource
from .slugs import slug_from_source

#: At most this many files of a repository are read through the raw-file address.
MAX_FILES_READ = 25
#: At most this many files are kept in the evidence (name, size, LFS sha256).
MAX_FILES_LISTED = 500
_ORIGIN_HF = "Hugging Face API"
_ORIGIN_MS = "ModelScope API"


class HubFiles(RepoFiles):
    """A hub repository's files as the format readers see them: listed by the API, read by raw address."""

    def __init__(
        self,
        files: dict[str, dict[str, Any]],
        *,
        raw_url,
        client: ListerClient,
        max_file_bytes: int,
        warnings: list[str],
        commit: str | None,
    ) -> None:
        super().__init__(max_file_bytes=max_file_bytes, warnings=warnings, commit=commit)
        self.files = {path: info for path, info in files.items() if usable_name(path)}
        skip_unusable(list(files), warnings)
        self.raw_url = raw_url
        self.client = client
        self.reads = 0

    def root_files(self) -> list[str]:
        return sorted(p for p in self.files if "/" not in p)

    def list_files(self, *, max_depth: int = 3, limit: int = 5000) -> list[str]:
        return sorted(p for p in self.files if p.count("/") <= max_depth)[:limit]

    def _read_inside(self, relpath: str, shown: str, *, hops: int) -> bytes | None:
        info = self.files.get(relpath)
        if info is None:
            return None
        if info.get("lfs"):
            self.warnings.append(f"{shown} is stored with Git LFS, whose files are not fetched; ignored")
            return None
        size = info.get("size")
        if isinstance(size, int) and self._too_big(size, shown):
            return None
        if self.reads >= MAX_FILES_READ:
            self.warnings.append(f"more than {MAX_FILES_READ} files would be read; {shown} was not")
            return None
        self.reads += 1
        answer = self.client.fetch(Request(self.raw_url(relpath), accept="*/*"))
        if answer.status != 200:
            self.warnings.append(f"{shown} could not be read from the hub ({answer.status}); ignored")
            return None
        if self._too_big(len(answer.body), shown):
            return None
        return self._content(answer.body, shown)


def _settings(options: HarvestOptions) -> ListerSettings:
    return ListerSettings(
        options=options,
        hf_endpoint=options.hf_endpoint,
        modelscope_url=options.modelscope_url,
        hf_token=options.hf_token,
        host_interval=options.host_interval,
        max_page_bytes=max(options.max_file_bytes, 1024 * 1024),
        max_wait=min(options.timeout, 60.0),
    )


def hub_repo(source: str, base: str, *, hub: str) -> tuple[str, str]:
    """Return (type, ``owner/name``) of a hub address under ``base``; raise UnsafeSource for anything else."""
    parts, home = urlsplit(source.strip()), urlsplit(base)
    if (parts.hostname or "").lower() != (home.hostname or "").lower() or parts.port != home.port:
        raise UnsafeSource(f"{source} is not an address on {base}")
    segments = [s for s in parts.path[len(home.path.rstrip("/")) :].split("/") if s]
    kind = "model"
    if segments and segments[0] in ("datasets", "models", "spaces"):
        kind = segments[0].rstrip("s")
        segments = segments[1:]
    if hub == "modelscope" and kind == "dataset":
        kind = "dataset"
    if kind == "space" or len(segments) < 2:
        raise UnsafeSource(f"{source} does not name a {hub} model or dataset (owner/name)")
    owner, name = segments[0], segments[1]
    if any(s in (".", "..") or not usable_name(s) for s in (owner, name)):
        raise UnsafeSource(f"{source} does not name a {hub} repository")
    return kind, f"{owner}/{name}"


def _fetch_json(client: ListerClient, url: str, what: str) -> Any:
    answer = client.fetch(Request(url))
    if answer.status == 404:
        raise HarvestError(f"{what} was not found on the hub (404)")
    if answer.status in (401, 403):
        raise HarvestError(f"the hub refused access to {what} ({answer.status})")
    if answer.status != 200:
        raise HarvestError(f"the hub failed to answer for {what} ({answer.status})")
    return load_json_page(answer)


def _harvest_files(record: HarvestedRecord, files: HubFiles) -> None:
    for reader in FORMAT_READERS:
        _run_reader(reader, files, record)


def _files_evidence(files: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    listed = []
    for path, info in sorted(files.items())[:MAX_FILES_LISTED]:
        row: dict[str, Any] = {"path": path}
        if isinstance(info.get("size"), int):
            row["size"] = info["size"]
        if info.get("lfs"):
            row["lfs_sha256"] = info["lfs"]
        listed.append(row)
    return listed


@register("huggingface")
class HuggingFaceHarvester:
    """A model or dataset on the Hugging Face Hub (or a mirror answering as it does)."""

    kind = "huggingface"

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the repository's last commit from the API record."""
        kind, repo = hub_repo(source, options.hf_endpoint, hub="Hugging Face")
        with ListerClient(_settings(options), deadline=time.monotonic() + options.timeout) as client:
            data = _fetch_json(client, _hf_api(options, kind, repo, blobs=False), repo)
        sha = data.get("sha") if isinstance(data, dict) else None
        return sha if isinstance(sha, str) and 0 < len(sha) <= 64 else None

    def harvest(self, source: str, *, options: HarvestOptions) -> HarvestedRecord:
        """Read the API record, then the card and small files through raw addresses."""
        kind, repo = hub_repo(source, options.hf_endpoint, hub="Hugging Face")
        base = options.hf_endpoint.rstrip("/")
        url = f"{base}/datasets/{repo}" if kind == "dataset" else f"{base}/{repo}"
        record = HarvestedRecord(
            source_url=url, source_kind="huggingface", slug_hint=slug_from_source(f"https://huggingface.co/{repo}")
        )
        with ListerClient(_settings(options), deadline=time.monotonic() + options.timeout) as client:
            data = _fetch_json(client, _hf_api(options, kind, repo, blobs=True), repo)
            if not isinstance(data, dict):
                raise HarvestError("the hub's record of the repository is not a JSON object")
            sha = data.get("sha") if isinstance(data.get("sha"), str) and len(data["sha"]) <= 64 else None
            record.commit = sha
            files = _hf_files(data.get("siblings"))
            revision = quote(sha or "main", safe="")
            checkout = HubFiles(
                files,
                raw_url=lambda path: f"{url}/raw/{revision}/{quote(path)}",
                client=client,
                max_file_bytes=options.max_file_bytes,
                warnings=record.warnings,
                commit=sha,
            )
            _hf_evidence(record, data, kind=kind, files=files)
            _harvest_files(record, checkout)
        finish_record(
            record,
            fallback_name=repo.split("/")[-1],
            file_url=lambda path, image: f"{url}/{'resolve' if image else 'blob'}/{sha or 'main'}/{path}",
        )
        return record


def _hf_api(options: HarvestOptions, kind: str, repo: str, *, blobs: bool) -> str:
    base = options.hf_endpoint.rstrip("/")
    owner, name = repo.split("/", 1)
    path = f"{base}/api/{'datasets' if kind == 'dataset' else 'models'}/{quote(owner, safe='')}/{quote(name, safe='')}"
    return path + ("?blobs=true" if blobs else "")


def _hf_files(siblings: Any) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    if not isinstance(siblings, list):
        return files
    for sibling in siblings[:20_000]:
        if not isinstance(sibling, dict) or not isinstance(sibling.get("rfilename"), str):
            continue
        path = posixpath.normpath(sibling["rfilename"])
        if path.startswith(("../", "/")) or path == "..":
            continue
        lfs = sibling.get("lfs") if isinstance(sibling.get("lfs"), dict) else None
        size = sibling.get("size")
        if lfs and isinstance(lfs.get("size"), int):
            size = lfs["size"]
        sha = lfs.get("sha256") if lfs and isinstance(lfs.get("sha256"), str) else ("lfs" if lfs else None)
        files[path] = {"size": size if isinstance(size, int) else None, "lfs": sha}
    return files


def _hf_evidence(record: HarvestedRecord, data: dict[str, Any], *, kind: str, files: dict[str, dict[str, Any]]) -> None:
    record.offer("kind", kind, origin=_ORIGIN_HF, rank=RANK_EXPLICIT)
    tags = [t for t in data.get("tags") or [] if isinstance(t, str)][:200]
    plain = [t for t in tags if ":" not in t]
    record.offer("tags", plain[:30], origin=_ORIGIN_HF, rank=RANK_MANIFEST)
    licences = [t.split(":", 1)[1] for t in tags if t.startswith("license:")]
    if licences:
        record.offer("license", hub_license(licences[0]), origin=_ORIGIN_HF, rank=RANK_MANIFEST)
    task = data.get("pipeline_tag")
    if isinstance(task, str) and task:
        record.offer("tasks", [task], origin=_ORIGIN_HF, rank=RANK_MANIFEST)
    library = data.get("library_name")
    if isinstance(library, str) and library:
        record.offer("frameworks", [library], origin=_ORIGIN_HF, rank=RANK_MANIFEST)
    card: dict[str, Any] = data["cardData"] if isinstance(data.get("cardData"), dict) else {}
    gated = data.get("gated")
    access: dict[str, Any] = {"gated": bool(gated), "approval": gated if isinstance(gated, str) else None}
    conditions = {k: v for k, v in card.items() if isinstance(k, str) and k.startswith("extra_gated")}
    if conditions:
        access["conditions"] = conditions
    record.note("access", access, origin=_ORIGIN_HF)
    hub = {
        "downloads": data.get("downloads"),
        "likes": data.get("likes"),
        "last_modified": data.get("lastModified"),
        "sha": data.get("sha"),
        "disabled": data.get("disabled"),
    }
    record.note("hub", {k: v for k, v in hub.items() if v is not None}, origin=_ORIGIN_HF)
    record.note("files", _files_evidence(files), origin=_ORIGIN_HF)


@register("modelscope")
class ModelScopeHarvester:
    """A model on ModelScope: its API record, file list and card."""

    kind = "modelscope"

    def head(self, source: str, *, options: HarvestOptions) -> str | None:
        """Return the model's last change (the API record's time) as its version."""
        _kind, repo = hub_repo(source, options.modelscope_url, hub="ModelScope")
        with ListerClient(_settings(options), deadline=time.monotonic() + options.timeout) as client:
            data = _ms_data(_fetch_json(client, _ms_api(options, repo), repo))
        return _ms_version(data)

    def harvest(self, source: str, *, options: HarvestOptions) -> HarvestedRecord:
        """Read the API record and the file list, then the card and small files."""
        _kind, repo = hub_repo(source, options.modelscope_url, hub="ModelScope")
        base = options.modelscope_url.rstrip("/")
        url = f"{base}/models/{repo}"
        record = HarvestedRecord(
            source_url=url, source_kind="modelscope", slug_hint=slug_from_source(f"https://huggingface.co/{repo}")
        )
        with ListerClient(_settings(options), deadline=time.monotonic() + options.timeout) as client:
            data = _ms_data(_fetch_json(client, _ms_api(options, repo), repo))
            record.commit = _ms_version(data)
            listing = _ms_data(_fetch_json(client, _ms_api(options, repo) + "/repo/files?Recursive=true", repo))
            files = _ms_files(listing.get("Files"))
            api = _ms_api(options, repo)
            checkout = HubFiles(
                files,
                raw_url=lambda path: f"{api}/repo?FilePath={quote(path)}",
                client=client,
                max_file_bytes=options.max_file_bytes,
                warnings=record.warnings,
                commit=record.commit,
            )
            record.offer("kind", "model", origin=_ORIGIN_MS, rank=RANK_EXPLICIT)
            licence = data.get("License")
            if isinstance(licence, str) and licence:
                record.offer("license", hub_license(licence), origin=_ORIGIN_MS, rank=RANK_MANIFEST)
            tags = [t for t in data.get("Tags") or [] if isinstance(t, str)][:30]
            record.offer("tags", tags, origin=_ORIGIN_MS, rank=RANK_MANIFEST)
            hub = {k: data.get(k) for k in ("Downloads", "Stars", "LastUpdatedTime") if data.get(k) is not None}
            record.note("hub", hub, origin=_ORIGIN_MS)
            record.note("files", _files_evidence(files), origin=_ORIGIN_MS)
            _harvest_files(record, checkout)
        finish_record(
            record, fallback_name=repo.split("/")[-1], file_url=lambda path, image: f"{url}/file/view/master/{path}"
        )
        return record


def hub_license(value: str) -> str | None:
    """Return the SPDX id of a hub's licence name ("apache-2.0", "Apache License 2.0"), or None."""
    from .spdx import normalize_license

    found = normalize_license(value)
    if found is None:
        words = value.lower().replace(",", " ").replace("licence", " ").replace("license", " ").replace("version", " ")
        found = normalize_license("-".join(words.split())) if words.split() else None
    return found


def _ms_api(options: HarvestOptions, repo: str) -> str:
    owner, name = repo.split("/", 1)
    return f"{options.modelscope_url.rstrip('/')}/api/v1/models/{quote(owner, safe='')}/{quote(name, safe='')}"


def _ms_data(doc: Any) -> dict[str, Any]:
    data = doc.get("Data") if isinstance(doc, dict) else None
    if not isinstance(data, dict):
        raise HarvestError("the ModelScope answer has no Data object")
    return data


def _ms_version(data: dict[str, Any]) -> str | None:
    value = data.get("LastUpdatedTime") or data.get("Revision")
    return f"ms:{value}"[:64] if isinstance(value, (int, str)) and str(value) else None


def _ms_files(listed: Any) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    if not isinstance(listed, list):
        return files
    for entry in listed[:20_000]:
        if not isinstance(entry, dict) or entry.get("Type", "blob") != "blob" or not isinstance(entry.get("Path"), str):
            continue
        path = posixpath.normpath(entry["Path"])
        if path.startswith(("../", "/")) or path == "..":
            continue
        size = entry.get("Size")
        lfs = entry.get("IsLFS") is True
        sha = entry.get("Sha256") if isinstance(entry.get("Sha256"), str) else None
        files[path] = {"size": size if isinstance(size, int) else None, "lfs": (sha or "lfs") if lfs else None}
    return files


__all__ = ["HubFiles", "HuggingFaceHarvester", "ModelScopeHarvester", "hub_license", "hub_repo"]
