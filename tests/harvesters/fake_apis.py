"""Fake forges, hubs and catalogues on loopback for the lister tests (and bench/discover.py).

Each replays answers shaped as the service's public API documentation describes them: GitHub's
REST (Link pagination, ETag, X-RateLimit-*), Gitee v5 (page/per_page, total_page), GitLab v4
group projects (Link, X-Next-Page), Gitea v1 (page/limit, Link), the Hugging Face Hub's
/api/models and /api/datasets (cursor in Link) with the model record and raw files, ModelScope's
model list and record, OAI-PMH 2.0 ListRecords (resumptionToken) and CKAN's package_search.
Faults are switched on per test: a 500 on a page, a malformed page, a loop, a rate-limit answer.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Answer = tuple[int, dict[str, str], bytes]


@dataclass
class FakeServer:
    """A loopback HTTP server answering every request with ``handle(call)``; every call is recorded."""

    handle: Callable[[Call], Answer] | None = None
    calls: list[Call] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    #: Page numbers (1-based, as the fake counts them) that answer 500 while they are in the set.
    fail_pages: set[int] = field(default_factory=set)
    #: Page numbers whose body is not valid JSON / XML.
    broken_pages: set[int] = field(default_factory=set)
    #: Answer this many requests with a rate-limit refusal first.
    rate_limited: int = 0
    #: Page numbers whose "next" points back at the page itself (a repeating cursor).
    loop_pages: set[int] = field(default_factory=set)
    #: When set, every page links to a next page (pages that never end).
    endless: bool = False

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(self.command, parts.path, dict(parse_qsl(parts.query)),
                            {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length) if length else b"")
                fake.calls.append(call)
                if fake.rate_limited > 0:
                    fake.rate_limited -= 1
                    status, headers, body = 429, {"Retry-After": "0", "Content-Type": "text/plain"}, b"slow down"
                else:
                    assert fake.handle is not None
                    status, headers, body = fake.handle(call)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and body:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_HEAD = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def api_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path != "/robots.txt"]


def json_answer(call: Call, data: Any, *, headers: dict[str, str] | None = None, status: int = 200) -> Answer:
    """Answer JSON with a strong ETag; a request whose If-None-Match matches gets 304."""
    body = json.dumps(data).encode()
    etag = '"' + hashlib.sha1(body + (headers or {}).get("Link", "").encode()).hexdigest()[:20] + '"'
    if status == 200 and call.headers.get("if-none-match") == etag:
        return 304, {"ETag": etag, **(headers or {})}, b""
    return status, {"Content-Type": "application/json", "ETag": etag, **(headers or {})}, body


def _faults(fake: FakeServer, page: int) -> Answer | None:
    if page in fake.fail_pages:
        return 500, {"Content-Type": "text/plain"}, b"internal error"
    if page in fake.broken_pages:
        return 200, {"Content-Type": "application/json"}, b'{"items": [ {"id": 1,'
    return None


def _link(url: str) -> str:
    return f'<{url}>; rel="next"'


# --- forges -----------------------------------------------------------------------------------

def forge_repo(i: int, owner: str, *, web: str = "https://github.com", name: str | None = None) -> dict[str, Any]:
    """A repository object in the shape GitHub, Gitee and Gitea document."""
    name = name or f"repo{i}"
    return {
        "id": i, "full_name": f"{owner}/{name}", "name": name, "private": False,
        "html_url": f"{web}/{owner}/{name}", "description": f"Repository number {i}",
        "license": {"spdx_id": "MIT", "key": "mit"}, "topics": ["nlp", "swahili"],
        "stargazers_count": i, "stars_count": i, "forks_count": 0, "archived": False, "fork": False,
        "pushed_at": f"2026-01-{1 + i % 28:02d}T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    }


def github(repos: dict[str, list[dict[str, Any]]], *, topic: list[dict[str, Any]] | None = None,
           moved: dict[str, str] | None = None) -> FakeServer:
    """GitHub REST: /orgs/{org}/repos and /users/{user}/repos (page, per_page, Link), /search/repositories."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        parts = call.path.strip("/").split("/")
        page = int(call.query.get("page", "1"))
        size = int(call.query.get("per_page", "30"))
        fault = _faults(fake, page)
        if fault:
            return fault
        if len(parts) == 3 and parts[0] in ("orgs", "users") and parts[2] == "repos":
            owner = parts[1]
            if moved and owner in moved:
                return 301, {"Location": f"{fake.base}/{parts[0]}/{moved[owner]}/repos?{urlencode(call.query)}"}, b""
            if owner not in repos:
                return json_answer(call, {"message": "Not Found"}, status=404)
            listing = repos[owner]
            chunk = listing[(page - 1) * size: page * size]
            headers = {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(int(time.time()) + 3600)}
            following = page if page in fake.loop_pages else page + 1
            if page * size < len(listing) or page in fake.loop_pages or fake.endless:
                headers["Link"] = _link(f"{fake.base}/{parts[0]}/{owner}/repos?" + urlencode({**call.query, "page": following}))
            return json_answer(call, chunk, headers=headers)
        if parts == ["search", "repositories"]:
            found = topic or []
            chunk = found[(page - 1) * size: page * size]
            headers = {}
            if page * size < len(found):
                headers["Link"] = _link(f"{fake.base}/search/repositories?" + urlencode({**call.query, "page": page + 1}))
            return json_answer(call, {"total_count": len(found), "incomplete_results": False, "items": chunk}, headers=headers)
        return json_answer(call, {"message": "Not Found"}, status=404)

    fake.handle = handle
    return fake


def gitee(repos: dict[str, list[dict[str, Any]]]) -> FakeServer:
    """Gitee v5: /orgs/{org}/repos?page=&per_page= with total_count and total_page headers."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        parts = call.path.strip("/").split("/")
        if len(parts) < 5 or parts[:2] != ["api", "v5"] or parts[4] != "repos" or parts[3] not in repos:
            return json_answer(call, {"message": "Not Found Project"}, status=404)
        page, size = int(call.query.get("page", "1")), int(call.query.get("per_page", "20"))
        fault = _faults(fake, page)
        if fault:
            return fault
        listing = repos[parts[3]]
        pages = max(1, -(-len(listing) // size))
        headers = {"total_count": str(len(listing)), "total_page": str(pages if not fake.endless else pages + 10**6)}
        chunk = listing[(page - 1) * size: page * size] if not fake.endless else listing[:size]
        return json_answer(call, chunk, headers=headers)

    fake.handle = handle
    return fake


def gitlab(projects: dict[str, list[dict[str, Any]]]) -> FakeServer:
    """GitLab v4: /api/v4/groups/{id or encoded path}/projects (include_subgroups, page, per_page, Link, X-Next-Page)."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        prefix = "/api/v4/groups/"
        if not call.path.startswith(prefix) or not call.path.endswith("/projects"):
            return json_answer(call, {"message": "404 Not found"}, status=404)
        from urllib.parse import unquote

        group = unquote(call.path[len(prefix):-len("/projects")])
        if group not in projects:
            return json_answer(call, {"message": "404 Group Not Found"}, status=404)
        page, size = int(call.query.get("page", "1")), int(call.query.get("per_page", "20"))
        fault = _faults(fake, page)
        if fault:
            return fault
        listing = projects[group] if call.query.get("include_subgroups") == "true" else [
            p for p in projects[group] if p["namespace"]["full_path"] == group]
        chunk = listing[(page - 1) * size: page * size]
        headers = {"X-Total": str(len(listing)), "X-Page": str(page), "X-Per-Page": str(size)}
        if page * size < len(listing):
            headers["X-Next-Page"] = str(page + 1)
            headers["Link"] = _link(f"{fake.base}{call.path}?" + urlencode({**call.query, "page": page + 1}))
        return json_answer(call, chunk, headers=headers)

    fake.handle = handle
    return fake


def gitlab_project(i: int, path: str, *, web: str) -> dict[str, Any]:
    """A project object in the shape GitLab's groups API documents."""
    name = f"project{i}"
    return {"id": 1000 + i, "name": name, "path_with_namespace": f"{path}/{name}", "web_url": f"{web}/{path}/{name}",
            "description": f"Project {i}", "topics": ["speech"], "star_count": i, "visibility": "public",
            "last_activity_at": "2026-02-01T00:00:00Z", "namespace": {"full_path": path}}


def gitea(repos: dict[str, list[dict[str, Any]]]) -> FakeServer:
    """Gitea/Forgejo v1: /api/v1/orgs/{org}/repos?page=&limit= with Link and X-Total-Count."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        parts = call.path.strip("/").split("/")
        if len(parts) != 5 or parts[:2] != ["api", "v1"] or parts[4] != "repos" or parts[3] not in repos:
            return json_answer(call, {"message": "GetOrgByName"}, status=404)
        page, size = int(call.query.get("page", "1")), int(call.query.get("limit", "30"))
        fault = _faults(fake, page)
        if fault:
            return fault
        listing = repos[parts[3]]
        headers = {"X-Total-Count": str(len(listing))}
        if page * size < len(listing):
            headers["Link"] = _link(f"{fake.base}{call.path}?" + urlencode({**call.query, "page": page + 1}))
        return json_answer(call, listing[(page - 1) * size: page * size], headers=headers)

    fake.handle = handle
    return fake


# --- hubs -------------------------------------------------------------------------------------

def hub_model(i: int, author: str, *, dataset: bool = False) -> dict[str, Any]:
    """A repository in the shape the Hub's /api/models (or /api/datasets) list documents."""
    rid = f"{author}/{'data' if dataset else 'model'}-{i}"
    return {"_id": f"{'d' if dataset else 'm'}{i:08x}", "id": rid, "private": False, "gated": False,
            "downloads": 10 * i, "likes": i, "lastModified": f"2026-03-{1 + i % 28:02d}T00:00:00.000Z",
            "tags": ["transformers", "sw", "language:sw", "license:apache-2.0"],
            "pipeline_tag": None if dataset else "translation", "library_name": None if dataset else "transformers"}


@dataclass
class HubRepo:
    """One repository the fake Hub serves in full: its record and small files."""

    id: str
    sha: str = "0123456789abcdef0123456789abcdef01234567"
    files: dict[str, bytes] = field(default_factory=dict)
    lfs: dict[str, int] = field(default_factory=dict)
    gated: Any = False
    card: dict[str, Any] = field(default_factory=dict)
    dataset: bool = False


def huggingface(models: dict[str, list[dict[str, Any]]], datasets: dict[str, list[dict[str, Any]]] | None = None,
                repos: dict[str, HubRepo] | None = None, *, generated: int = 0) -> FakeServer:
    """The Hub: /api/models?author=&limit=&cursor= (Link next), /api/datasets, /api/models/{id}, raw files.

    ``generated`` serves that many models for the author ``bench`` without keeping them in memory.
    """
    fake = FakeServer()
    datasets = datasets or {}
    repos = repos or {}

    def listing(call: Call, table: dict[str, list[dict[str, Any]]], kind: str) -> Answer:
        author = call.query.get("author", "")
        size = int(call.query.get("limit", "100"))
        start = int(call.query.get("cursor", "0") or 0)
        page = start // size + 1
        fault = _faults(fake, page)
        if fault:
            return fault
        if generated and author == "bench" and kind == "models":
            chunk = [hub_model(i, "bench") for i in range(start, min(start + size, generated))]
            total = generated
        else:
            found = table.get(author, [])
            chunk, total = found[start:start + size], len(found)
        headers = {}
        if start + size < total or page in fake.loop_pages or fake.endless:
            nxt = start if page in fake.loop_pages else start + size
            headers["Link"] = _link(f"{fake.base}/api/{kind}?" + urlencode({**call.query, "cursor": nxt}))
        return json_answer(call, chunk, headers=headers)

    def record(call: Call, rid: str) -> Answer:
        repo = repos.get(rid)
        if repo is None and generated and rid.startswith("bench/model-"):
            repo = _generated_repo(rid)
        if repo is None:
            return json_answer(call, {"error": "Repository not found"}, status=404)
        siblings = [{"rfilename": name, "size": len(data)} for name, data in repo.files.items()]
        siblings += [{"rfilename": name, "size": size, "lfs": {"sha256": "ab" * 32, "size": size, "pointerSize": 134}}
                     for name, size in repo.lfs.items()]
        return json_answer(call, {
            "_id": "x" + hashlib.sha1(rid.encode()).hexdigest()[:10], "id": rid, "sha": repo.sha, "private": False,
            "gated": repo.gated, "disabled": False, "downloads": 42, "likes": 7,
            "lastModified": "2026-03-01T00:00:00.000Z", "tags": ["transformers", "license:mit", "language:sw"],
            "pipeline_tag": None if repo.dataset else "translation",
            "library_name": None if repo.dataset else "transformers", "cardData": repo.card, "siblings": siblings,
        })

    def handle(call: Call) -> Answer:
        path = call.path
        if path == "/api/models":
            return listing(call, models, "models")
        if path == "/api/datasets":
            return listing(call, datasets, "datasets")
        for prefix in ("/api/models/", "/api/datasets/"):
            if path.startswith(prefix):
                return record(call, path[len(prefix):])
        segments = path.strip("/").split("/")
        if segments and segments[0] == "datasets":
            segments = segments[1:]
        if len(segments) >= 5 and segments[2] == "raw":
            rid = "/".join(segments[:2])
            repo = repos.get(rid) or (_generated_repo(rid) if generated and rid.startswith("bench/") else None)
            name = "/".join(segments[4:])
            if repo is None or name not in repo.files:
                return 404, {"Content-Type": "text/plain"}, b"Entry not found"
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, repo.files[name]
        return 404, {"Content-Type": "text/plain"}, b"not found"

    fake.handle = handle
    return fake


CARD = b"""---
license: mit
language:
- sw
pipeline_tag: translation
tags:
- swahili
---

# A Swahili translator

Translates English into Swahili; a test card served by the fake Hub.
"""


def _generated_repo(rid: str) -> HubRepo:
    return HubRepo(id=rid, files={"README.md": CARD, "config.json": b'{"model_type": "marian"}'},
                   lfs={"model.safetensors": 300_000_000})


def modelscope(models: dict[str, list[dict[str, Any]]], records: dict[str, dict[str, Any]] | None = None,
               files: dict[str, dict[str, bytes]] | None = None) -> FakeServer:
    """ModelScope: PUT /api/v1/models/ {Path, PageNumber, PageSize}; GET /api/v1/models/{owner}/{name}[/repo/files|/repo]."""
    fake = FakeServer()
    records, files = records or {}, files or {}

    def handle(call: Call) -> Answer:
        if call.method == "PUT" and call.path == "/api/v1/models/":
            asked = json.loads(call.body or b"{}")
            page, size = int(asked.get("PageNumber", 1)), int(asked.get("PageSize", 10))
            fault = _faults(fake, page)
            if fault:
                return fault
            found = models.get(asked.get("Path", ""), [])
            chunk = found[(page - 1) * size: page * size]
            return json_answer(call, {"Code": 200, "Success": True, "Data": {"Models": chunk, "TotalCount": len(found)}})
        prefix = "/api/v1/models/"
        if call.method == "GET" and call.path.startswith(prefix):
            rest = call.path[len(prefix):].split("/")
            rid = "/".join(rest[:2])
            if rid not in records:
                return json_answer(call, {"Code": 10010205001, "Message": "model not found", "Success": False}, status=404)
            if rest[2:] == ["repo", "files"]:
                listed = [{"Path": p, "Name": p, "Size": len(d), "Type": "blob", "IsLFS": False} for p, d in files.get(rid, {}).items()]
                listed.append({"Path": "pytorch_model.bin", "Name": "pytorch_model.bin", "Size": 500_000_000, "Type": "blob",
                               "IsLFS": True, "Sha256": "cd" * 32})
                return json_answer(call, {"Code": 200, "Data": {"Files": listed}})
            if rest[2:] == ["repo"]:
                data = files.get(rid, {}).get(call.query.get("FilePath", ""))
                if data is None:
                    return 404, {}, b""
                return 200, {"Content-Type": "text/plain"}, data
            return json_answer(call, {"Code": 200, "Data": records[rid]})
        return 404, {}, b""

    fake.handle = handle
    return fake


def modelscope_model(i: int, owner: str) -> dict[str, Any]:
    return {"Id": 5000 + i, "Name": f"model-{i}", "Path": owner, "ChineseName": f"模型{i}", "Description": f"Model {i}",
            "License": "Apache License 2.0", "Tags": ["nlp"], "Downloads": i, "Stars": 1, "LastUpdatedTime": 1767225600 + i}


# --- catalogues -------------------------------------------------------------------------------

OAI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<responseDate>2026-12-07T00:00:00Z</responseDate>')


def oai_record(i: int, *, deleted: bool = False, address: bool = True) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (f'<header{status}><identifier>oai:zenodo.org:{i}</identifier>'
              f'<datestamp>2026-04-{1 + i % 28:02d}T00:00:00Z</datestamp><setSpec>user-african-nlp</setSpec></header>')
    if deleted:
        return f"<record>{header}</record>"
    ident = (f"<dc:identifier>https://zenodo.org/records/{i}</dc:identifier>"
             f"<dc:identifier>10.5281/zenodo.{i}</dc:identifier>") if address else ""
    return (f"<record>{header}<metadata><oai_dc:dc><dc:title>Corpus {i}</dc:title>"
            f"<dc:description>A Yoruba corpus, number {i}.</dc:description>{ident}"
            f"<dc:rights>info:eu-repo/semantics/openAccess</dc:rights>"
            f"<dc:rights>https://creativecommons.org/licenses/by/4.0/legalcode</dc:rights>"
            f"<dc:subject>yoruba</dc:subject><dc:language>yor</dc:language><dc:type>info:eu-repo/semantics/other</dc:type>"
            f"</oai_dc:dc></metadata></record>")


def oai_pmh(records: list[str], *, page_size: int = 2, robots: str | None = None) -> FakeServer:
    """OAI-PMH 2.0 ListRecords over ``records`` (XML strings), page_size per answer, resumptionToken 'p<N>'."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        if call.path == "/robots.txt":
            return (200, {"Content-Type": "text/plain"}, robots.encode()) if robots is not None else (404, {}, b"")
        if call.path != "/oai" or call.query.get("verb") != "ListRecords":
            body = OAI_HEAD + '<error code="badVerb">Illegal verb</error></OAI-PMH>'
            return 200, {"Content-Type": "text/xml"}, body.encode()
        token = call.query.get("resumptionToken")
        if token and not token.startswith("p"):
            return 200, {"Content-Type": "text/xml"}, (OAI_HEAD + '<error code="badResumptionToken"/></OAI-PMH>').encode()
        page = int(token[1:]) if token else 1
        if page in fake.fail_pages:
            return 500, {}, b"error"
        if page in fake.broken_pages:
            return 200, {"Content-Type": "text/xml"}, (OAI_HEAD + "<ListRecords><record>").encode()
        if not records:
            return 200, {"Content-Type": "text/xml"}, (OAI_HEAD + '<error code="noRecordsMatch"/></OAI-PMH>').encode()
        chunk = records[(page - 1) * page_size: page * page_size]
        more = page * page_size < len(records) or page in fake.loop_pages
        nxt = page if page in fake.loop_pages else page + 1
        resumption = (f'<resumptionToken completeListSize="{len(records)}">p{nxt}</resumptionToken>' if more
                      else "<resumptionToken/>")
        body = OAI_HEAD + "<ListRecords>" + "".join(chunk) + resumption + "</ListRecords></OAI-PMH>"
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, body.encode()

    fake.handle = handle
    return fake


def ckan_package(i: int, org: str = "nlp-lab") -> dict[str, Any]:
    return {"id": f"pkg-{i:04d}", "name": f"dataset-{i}", "title": f"Dataset {i}", "notes": f"Open data {i}",
            "license_id": "cc-by", "private": False, "url": f"https://example.org/data/{i}",
            "metadata_modified": f"2026-05-{1 + i % 28:02d}T00:00:00", "tags": [{"name": "hausa"}],
            "organization": {"name": org}}


def ckan(packages: list[dict[str, Any]]) -> FakeServer:
    """CKAN: /api/3/action/package_search?rows=&start=&fq=organization:X."""
    fake = FakeServer()

    def handle(call: Call) -> Answer:
        if call.path == "/robots.txt":
            return 404, {}, b""
        if call.path != "/api/3/action/package_search":
            return json_answer(call, {"success": False, "error": {"message": "Not found"}}, status=404)
        rows, start = int(call.query.get("rows", "10")), int(call.query.get("start", "0"))
        page = start // rows + 1
        fault = _faults(fake, page)
        if fault:
            return fault
        found = packages
        fq = call.query.get("fq", "")
        if fq.startswith("organization:"):
            org = fq.split(":", 1)[1].split(" ")[0]
            found = [p for p in packages if p["organization"]["name"] == org]
        return json_answer(call, {"help": "package_search", "success": True,
                                  "result": {"count": len(found), "results": found[start:start + rows]}})

    fake.handle = handle
    return fake
