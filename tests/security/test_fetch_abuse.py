"""Clone and fetch abuse: every vector is refused in plain words before git runs or a connection is made.

A tripwire watches for the slightest slip: a ``git`` placed first on PATH logs every call, the
resolver is a fake (there is no DNS here) that records every name asked, every socket connect
is recorded and refused, and the ``ext::`` payloads would ``touch`` a sentinel file. The same
vectors go through the harvesters, the API (POST /api/v1/entries), the /submit form and
``flask harvest``. Redirects, byte caps and time limits are then tested against local servers,
with a private address allowed only for the first hop's name, so the check of the next hop is
the real one.
"""
from __future__ import annotations

import gzip
import html
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from harvesters import HarvestError, HarvestOptions, UnsafeSource, get_harvester, gitfetch, guess_kind, netguard
from harvesters.pagefetch import PageFetcher, reset_politeness
from registry.db import get_engine, write_session
from registry.models import Entry, HarvestRun, Source
from tests.harvesters.site import start_site, stop_site
from tests.views.conftest import login, post_form, text

REAL_GIT = shutil.which("git") or "/usr/bin/git"
#: What the web and the API may do (the defaults): no local paths, no private addresses.
WEB = HarvestOptions(host_interval=0, timeout=20)
#: The most an operator can allow: local paths and private addresses.
EVERYTHING = HarvestOptions(allow_local=True, allow_private=True, host_interval=0, timeout=20)

#: The fake resolver's answers: names that lead to private places, one public name, and
#: ``site.example``/``git.example``, the local test servers (allowed by name, first hop only).
NAMES = {
    "loopback.example": ["127.0.0.1"],
    "private.example": ["10.0.0.7"],
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "mixed.example": ["93.184.216.34", "192.168.0.5"],
    "cgnat.example": ["100.64.1.1"],
    "ula.example": ["fd12::1"],
    "public.example": ["93.184.216.34"],
}


# --- the tripwire ------------------------------------------------------------------------------

@dataclass
class Tripwire:
    """Everything that would show that a refused source got anywhere."""

    root: Path
    lookups: list[str] = field(default_factory=list)
    connections: list[object] = field(default_factory=list)
    #: Local servers' tests let connections through (still recorded); the others refuse them.
    block_network: bool = True

    @property
    def sentinel(self) -> Path:
        """The file every ``touch`` payload names."""
        return self.root / "sentinels" / "pwned"

    @property
    def git_log(self) -> Path:
        return self.root / "git-calls.log"

    def git_calls(self) -> list[str]:
        return self.git_log.read_text().splitlines() if self.git_log.exists() else []

    def fired(self) -> list[str]:
        """Names of the files something created in the sentinel folder."""
        return sorted(p.name for p in (self.root / "sentinels").iterdir())

    def render(self, source: str) -> str:
        return source.replace("{S}", str(self.sentinel)).replace("{T}", str(self.root / "templates"))

    def assert_untouched(self, *, lookups: set[str] = frozenset()) -> None:
        """Nothing ran, nothing connected, and only the given names were looked up."""
        assert self.fired() == []
        assert self.git_calls() == []
        assert self.connections == []
        assert set(self.lookups) <= set(lookups), set(self.lookups) - set(lookups)


@pytest.fixture
def tripwire(tmp_path, monkeypatch):
    wire = Tripwire(root=tmp_path / "tripwire")
    (wire.root / "sentinels").mkdir(parents=True)
    (wire.root / "templates" / "hooks").mkdir(parents=True)
    # A git first on PATH: logs each call, then runs the real one (so a slip would really act).
    bin_dir = wire.root / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{wire.git_log}'\nexec '{REAL_GIT}' \"$@\"\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")

    def resolve(host: str, port: int) -> list[str]:
        wire.lookups.append(host)
        if host in NAMES:
            return list(NAMES[host])
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(netguard, "resolver", resolve)
    real_connect = socket.socket.connect

    def connect(sock, address):
        wire.connections.append(address)
        if wire.block_network:
            raise OSError("this test allows no network connection")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return wire


# --- the vectors -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vector:
    """A source to refuse, the words its refusal must contain, and where it may legitimately go."""

    source: str
    words: str
    #: A local path: the operator's CLI may harvest it (the web and the API may not).
    local: bool = False
    #: Refused whatever the operator allows (local paths and private addresses included).
    always: bool = False
    #: A host name: the fake resolver is asked, and nothing more happens.
    lookup: str | None = None


PRIVATE = "is a private or local address"
LOCAL = "local paths are not allowed here"

VECTORS = [
    # git transport helpers run commands: ext:: and fd:: are never sources.
    Vector("ext::sh -c touch% {S}", "git transport syntax (name::address) is not allowed", always=True),
    Vector("ext::sh -c 'touch {S}'", "git transport syntax", always=True),
    Vector("EXT::sh -c touch% {S}", "git transport syntax", always=True),
    Vector("  ext::sh -c touch% {S}", "git transport syntax", always=True),
    Vector("fd::17", "git transport syntax", always=True),
    Vector("fd::0,1/acme/tool", "git transport syntax", always=True),
    # Local paths and file:// from the web or the API.
    Vector("file:///etc", LOCAL, local=True),
    Vector("file:///srv/repos/acme/tool", LOCAL, local=True),
    Vector("file://evil.example/srv/repos/acme/tool", "file:// URLs must name a path on this server", always=True),
    Vector("/etc", LOCAL, local=True),
    Vector("../../etc/passwd", LOCAL, local=True),
    Vector("./repos/acme/tool", LOCAL, local=True),
    Vector("~/repos/acme/tool", LOCAL, local=True),
    Vector("~root/.ssh", LOCAL, local=True),
    # Other protocols and SSH's host:path form.
    Vector("ssh://git@github.com/acme/tool.git", "only https:// sources are allowed, not ssh://", always=True),
    Vector("git://github.com/acme/tool.git", "only https:// sources are allowed, not git://", always=True),
    Vector("git+ssh://github.com/acme/tool.git", "not git+ssh://", always=True),
    Vector("git@github.com:acme/tool.git", "SSH sources are not allowed", always=True),
    Vector("github.com:acme/tool", "SSH sources are not allowed", always=True),
    # Options smuggled in as the source, or as its host.
    Vector("--upload-pack=touch {S}", "a source cannot start with '-'", always=True),
    Vector("-u touch% {S}", "a source cannot start with '-'", always=True),
    Vector("--template={T}", "a source cannot start with '-'", always=True),
    Vector("--config=core.fsmonitor=touch {S}", "a source cannot start with '-'", always=True),
    Vector("-c protocol.ext.allow=always", "a source cannot start with '-'", always=True),
    Vector("https://-oProxyCommand=touch%20pwned/acme/tool", "is not a valid host name", always=True),
    Vector("https://--upload-pack=touch/acme/tool", "is not a valid host name", always=True),
    # User names, passwords and tricks with @.
    Vector("https://user:secret@github.com/acme/tool.git", "user name or password", always=True),
    Vector("https://ghp_token@github.com/acme/tool", "user name or password", always=True),
    Vector("https://github.com@127.0.0.1/acme/tool.git", "user name or password", always=True),
    Vector("https://github.com%40127.0.0.1/acme/tool", "is not a valid host name", always=True),
    # Loopback written every way inet_aton reads it.
    Vector("https://2130706433/acme/tool", f"2130706433 {PRIVATE} (127.0.0.1)"),
    Vector("https://0177.0.0.1/acme/tool", f"{PRIVATE} (127.0.0.1)"),
    Vector("https://0x7f.1/acme/tool", f"{PRIVATE} (127.0.0.1)"),
    Vector("https://0x7f000001/acme/tool", f"{PRIVATE} (127.0.0.1)"),
    Vector("https://127.1/acme/tool", f"{PRIVATE} (127.0.0.1)"),
    Vector("https://127.0.0.1./acme/tool", f"{PRIVATE} (127.0.0.1)"),
    Vector("https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/acme/tool", f"{PRIVATE} (127.0.0.1)"),  # full-width
    Vector("https://localhost/acme/tool", PRIVATE),
    Vector("https://LOCALHOST./acme/tool", PRIVATE),
    Vector("https://registry.localhost/acme/tool", PRIVATE),
    # IPv6 spellings of local places, including IPv4 addresses carried inside IPv6 ones.
    Vector("https://[::1]/acme/tool", f"{PRIVATE} (::1)"),
    Vector("https://[::]/acme/tool", f"{PRIVATE} (::)"),
    Vector("https://[::ffff:127.0.0.1]/acme/tool", PRIVATE),
    Vector("https://[::ffff:a9fe:a9fe]/latest/meta-data/", PRIVATE),
    Vector("https://[::127.0.0.1]/acme/tool", PRIVATE),  # IPv4-compatible
    Vector("https://[::ffff:0:7f00:1]/acme/tool", PRIVATE),  # IPv4-translated
    Vector("https://[64:ff9b::7f00:1]/acme/tool", PRIVATE),  # NAT64
    Vector("https://[64:ff9b:1::a00:1]/acme/tool", PRIVATE),  # local-use NAT64
    Vector("https://[2002:7f00:1::1]/acme/tool", PRIVATE),  # 6to4
    Vector("https://[fe80::1]/acme/tool", f"{PRIVATE} (fe80::1)"),
    Vector("https://[fe80::1%25eth0]/acme/tool", PRIVATE),
    Vector("https://[fc00::1]/acme/tool", PRIVATE),
    Vector("https://[fd12:3456::1]/acme/tool", PRIVATE),
    Vector("https://[fec0::1]/acme/tool", PRIVATE),  # site-local
    # Cloud metadata, private networks, CGNAT, "this host", multicast and broadcast.
    Vector("https://169.254.169.254/latest/meta-data/", f"{PRIVATE} (169.254.169.254)"),
    Vector("https://[fd00:ec2::254]/latest/meta-data/", f"{PRIVATE} (fd00:ec2::254)"),
    Vector("https://100.100.100.200/latest/meta-data/", PRIVATE),
    Vector("https://10.0.0.1/acme/tool", f"{PRIVATE} (10.0.0.1)"),
    Vector("https://172.16.0.1/acme/tool", f"{PRIVATE} (172.16.0.1)"),
    Vector("https://172.31.255.254/acme/tool", f"{PRIVATE} (172.31.255.254)"),
    Vector("https://192.168.1.1/acme/tool", f"{PRIVATE} (192.168.1.1)"),
    Vector("https://100.64.0.1/acme/tool", f"{PRIVATE} (100.64.0.1)"),
    Vector("https://0.0.0.0/acme/tool", f"{PRIVATE} (0.0.0.0)"),
    Vector("https://0/acme/tool", f"{PRIVATE} (0.0.0.0)"),
    Vector("https://224.0.0.1/acme/tool", PRIVATE),
    Vector("https://255.255.255.255/acme/tool", PRIVATE),
    # Names whose (fake) DNS answer is private: refused after the lookup, before any connection.
    Vector("https://loopback.example/acme/tool", f"loopback.example {PRIVATE} (127.0.0.1)", lookup="loopback.example"),
    Vector("https://private.example/acme/tool", f"{PRIVATE} (10.0.0.7)", lookup="private.example"),
    Vector("https://metadata.example/latest/", f"{PRIVATE} (169.254.169.254)", lookup="metadata.example"),
    Vector("https://mapped.example/acme/tool", f"{PRIVATE} (::ffff:127.0.0.1)", lookup="mapped.example"),
    Vector("https://mixed.example/acme/tool", f"{PRIVATE} (192.168.0.5)", lookup="mixed.example"),
    Vector("https://cgnat.example/acme/tool", f"{PRIVATE} (100.64.1.1)", lookup="cgnat.example"),
    Vector("https://ula.example/acme/tool", f"{PRIVATE} (fd12::1)", lookup="ula.example"),
    Vector("https://nowhere.example/acme/tool", "the host nowhere.example could not be found",
           lookup="nowhere.example"),
    # Pages: private places over http, and schemes that are not http(s).
    Vector("http://127.0.0.1/models/tiny", f"{PRIVATE} (127.0.0.1)"),
    Vector("http://[::1]:6379/", f"{PRIVATE} (::1)"),
    Vector("http://loopback.example:8080/models/tiny", f"{PRIVATE} (127.0.0.1)", lookup="loopback.example"),
    Vector("ftp://example.org/pub/model", "only https:// sources are allowed, not ftp://", always=True),
    Vector("gopher://127.0.0.1:6379/_FLUSHALL", "not gopher://", always=True),
    Vector("dict://127.0.0.1:11211/stats", "not dict://", always=True),
    Vector("javascript:alert(document.domain)", "only https:// sources are allowed, not javascript:", always=True),
    Vector("data:text/html,<script>alert(1)</script>", "not data:", always=True),
    # Control characters, spaces, bad ports, no host.
    Vector("https://github.com/acme/tool\n--upload-pack=touch {S}", "without control characters", always=True),
    Vector("https://github.com/acme/tool\r\nX-Injected: 1", "without control characters", always=True),
    Vector("https://github.com/acme/tool --upload-pack=touch {S}", "cannot contain spaces", always=True),
    Vector("https://github.com:99999/acme/tool", "is not a valid URL", always=True),
    Vector("https:///acme/tool", "names no host", always=True),
]


def _ids(vectors: list[Vector]) -> list[str]:
    return [v.source.strip()[:60] for v in vectors]


def _expected_lookups(vectors: list[Vector]) -> set[str]:
    return {v.lookup for v in vectors if v.lookup}


def test_there_are_at_least_forty_distinct_vectors():
    assert len({v.source for v in VECTORS}) == len(VECTORS) >= 40


# --- the harvesters ----------------------------------------------------------------------------

def _harvest_as_a_preview_does(source: str, options: HarvestOptions) -> None:
    kind = guess_kind(source, options=options)
    get_harvester(kind).harvest(source, options=options)


@pytest.mark.parametrize("vector", VECTORS, ids=_ids(VECTORS))
def test_the_harvesters_refuse_before_git_or_the_network(vector, tripwire):
    source = tripwire.render(vector.source)
    with pytest.raises(UnsafeSource) as caught:
        _harvest_as_a_preview_does(source, WEB)
    assert vector.words in str(caught.value)
    # The address checks never need DNS for an address: only names marked as such were looked up.
    tripwire.assert_untouched(lookups={vector.lookup} if vector.lookup else set())


ALWAYS = [v for v in VECTORS if v.always]


@pytest.mark.parametrize("vector", ALWAYS, ids=_ids(ALWAYS))
def test_no_option_lets_these_through(vector, tripwire):
    """Local paths and private addresses allowed: transport helpers, options, SSH… are still refused."""
    source = tripwire.render(vector.source)
    for harvester in ("git", "list"):
        with pytest.raises(UnsafeSource) as caught:
            get_harvester(harvester).harvest(source, options=EVERYTHING)
        assert vector.words in str(caught.value)
    tripwire.assert_untouched()


def test_the_ext_payload_is_live_and_only_the_harvester_stops_it(tripwire):
    """Control: git told to allow ext:: runs the payload, so the sentinel would show a slip."""
    payload = tripwire.render("ext::sh -c touch% {S}")
    subprocess.run([REAL_GIT, "-c", "protocol.ext.allow=always", "ls-remote", payload], capture_output=True,
                   timeout=60, check=False)
    assert tripwire.fired() == ["pwned"]
    tripwire.sentinel.unlink()
    for kind in ("git", "list"):
        with pytest.raises(UnsafeSource, match="transport syntax"):
            get_harvester(kind).head(payload, options=EVERYTHING)
    tripwire.assert_untouched()


def test_page_urls_that_are_not_http_are_refused(tripwire):
    for source in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/", "javascript:alert(1)",
                   "data:text/html,x", "/etc/passwd", "https://user:pw@example.org/", "https://-x.example/",
                   "https://exa mple.org/"):
        with pytest.raises(UnsafeSource):
            get_harvester("page").harvest(source, options=EVERYTHING)
    tripwire.assert_untouched()


def test_addresses_that_carry_a_private_one_are_not_public():
    for address in ("::7f00:1", "::a00:1", "::ffff:0:7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1",
                    "fec0::1", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "100.100.100.200",
                    "ff02::1", "224.0.0.251", "not an address"):
        assert not netguard.is_public_address(address), address
    for address in ("93.184.216.34", "2606:2800:220:1::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822",
                    "2002:5db8:d822::1"):
        assert netguard.is_public_address(address), address


def test_a_second_dns_answer_cannot_redirect_the_connection(tripwire, monkeypatch):
    """DNS rebinding: the name is resolved once, and the connection goes to the address checked."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    monkeypatch.setattr(netguard, "resolver", lambda host, port: (tripwire.lookups.append(host), next(answers))[1])
    with PageFetcher(WEB) as fetcher, pytest.raises(HarvestError, match="could not connect"):
        fetcher.fetch("http://rebind.example/page", robots=False)
    assert tripwire.lookups == ["rebind.example"]
    assert [address[0] for address in tripwire.connections] == ["93.184.216.34"]
    # git gets the same first answer pinned: curl never asks DNS again for the name.
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    target = gitfetch.resolve_source("https://rebind.example/acme/tool.git", options=WEB)
    assert target.pins == ("rebind.example:443:93.184.216.34",)


# --- the public entry points -------------------------------------------------------------------

def _rows(app) -> tuple[int, int, int]:
    with Session(get_engine(app)) as s:
        return tuple(s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]
                     for model in (Source, Entry, HarvestRun))


def _write_token(app) -> dict[str, str]:
    from registry.services.tokens import create_token
    from registry.services.users import create_user

    with write_session(app) as s:
        create_user(s, name="mallory", email="mallory@example.org", password="long enough pw")
        token = create_token(s, user_name="mallory", scope="write")[0]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_refuses_every_vector(app, client, tripwire):
    app.config["API_WRITE_RATE_LIMIT"] = "10000 per hour"
    app.config["SUBMIT_RATE_LIMIT"] = "10000 per hour"  # every registration draws on it too
    headers = _write_token(app)
    before = _rows(app)
    wrong = []
    for vector in VECTORS:
        resp = client.post("/api/v1/entries", json={"source_url": tripwire.render(vector.source)}, headers=headers)
        message = (resp.get_json() or {}).get("error", {}).get("message", "")
        if resp.status_code != 422 or vector.words not in message:
            wrong.append((vector.source, resp.status_code, message))
    assert wrong == []
    assert _rows(app) == before  # refused before anything is known: nothing written
    tripwire.assert_untouched(lookups=_expected_lookups(VECTORS))


def test_the_submit_form_refuses_every_vector(app, client, tripwire):
    from registry.services.users import create_user

    app.config["SUBMIT_RATE_LIMIT"] = "10000 per hour"
    with write_session(app) as s:
        create_user(s, name="mallory", email="mallory@example.org", password="long enough pw")
    assert login(client, "mallory").status_code == 302
    before = _rows(app)
    wrong = []
    for vector in VECTORS:
        resp = post_form(client, "/submit", {"url": tripwire.render(vector.source)})
        page = html.unescape(text(resp))
        if resp.status_code != 422 or vector.words not in page or 'id="url-error"' not in page:
            wrong.append((vector.source, resp.status_code))
    assert wrong == []
    assert _rows(app) == before
    tripwire.assert_untouched(lookups=_expected_lookups(VECTORS))


def _table_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.split(" ", 1)[0] in ("created", "updated", "unchanged",
                                                                               "failed")]


def test_flask_harvest_refuses_all_but_local_paths(app, runner, git_repo, tripwire):
    """The operator may harvest a local path; nothing else on the list gets through the CLI either."""
    good = git_repo({"README.md": "# Good Tool\n\nA tool the operator harvests from a local folder.\n"})
    vectors = [v for v in VECTORS if not v.local]
    sources = [tripwire.render(v.source) for v in vectors]
    result = runner.invoke(args=["harvest", "--", *sources, str(good)])
    assert result.exit_code == 1, result.output
    rows = _table_rows(result.stdout)
    assert len(rows) == len(vectors) + 1
    wrong = [(v.source, row) for v, row in zip(vectors, rows) if not row.startswith("failed") or v.words not in row]
    assert wrong == []
    assert rows[-1].startswith("created") and "acme/tool" in rows[-1]
    assert f"{len(vectors)} failed" in result.stdout and "1 created" in result.stdout
    # git ran for the good repository only.
    calls = tripwire.git_calls()
    assert calls and all(good.as_uri() in call or "clone" not in call and "ls-remote" not in call for call in calls)
    assert tripwire.fired() == [] and tripwire.connections == []
    assert set(tripwire.lookups) <= _expected_lookups(vectors)
    # Awesome-lists take the same road.
    listed = runner.invoke(args=["harvest", "--kind", "list", "--", tripwire.render("ext::sh -c touch% {S}"),
                                 "--upload-pack=touch", "https://[::ffff:127.0.0.1]/acme/list"])
    rows = _table_rows(listed.stdout)
    assert [r.split()[0] for r in rows] == ["failed"] * 3, listed.output
    assert "transport syntax" in rows[0] and "cannot start with '-'" in rows[1] and PRIVATE in rows[2]
    assert tripwire.fired() == []


# --- local servers: redirects, byte caps and time limits for pages ------------------------------

@pytest.fixture
def first_hop(monkeypatch):
    """Let the name ``site.example`` reach 127.0.0.1 (the local server): every other host gets the real check."""
    real = netguard.checked_addresses

    def checked(host, port, *, allow_private):
        if host == "site.example":
            return ["127.0.0.1"]
        return real(host, port, allow_private=allow_private)

    monkeypatch.setattr(netguard, "checked_addresses", checked)


@pytest.fixture(scope="module")
def _one_site():
    served = start_site()  # one server for the module: stopping one takes half a second
    yield served
    stop_site(served)


@pytest.fixture
def site(_one_site, tripwire, first_hop):
    tripwire.block_network = False
    reset_politeness()
    _one_site.routes.clear()
    _one_site.requests.clear()
    _one_site.routes["/robots.txt"] = (404, {}, b"")
    yield _one_site
    reset_politeness()


def _hop(site, path: str = "") -> str:
    return f"http://site.example:{site.server.server_address[1]}{path}"


REDIRECTS = [
    ("http://127.0.0.1:{port}/secret", f"127.0.0.1 {PRIVATE}"),
    ("http://2130706433:{port}/secret", f"{PRIVATE} (127.0.0.1)"),
    ("http://0x7f.1:{port}/secret", f"{PRIVATE} (127.0.0.1)"),
    ("http://[::ffff:127.0.0.1]:{port}/secret", PRIVATE),
    ("http://loopback.example:{port}/secret", f"{PRIVATE} (127.0.0.1)"),
    ("http://localhost:{port}/secret", PRIVATE),
    ("//127.0.0.1:{port}/secret", PRIVATE),
    ("http://169.254.169.254/latest/meta-data/", PRIVATE),
    ("file:///etc/passwd", "only http:// and https:// pages"),
    ("gopher://127.0.0.1:{port}/_secret", "only http:// and https:// pages"),
    ("http://site.example:{port}@127.0.0.1:{port}/secret", "user name or password"),
]


@pytest.mark.parametrize("location, words", REDIRECTS, ids=[r[0][:40] for r in REDIRECTS])
def test_a_redirect_to_a_private_address_is_refused(site, tripwire, location, words):
    port = site.server.server_address[1]
    site.routes["/go"] = (302, {"Location": location.format(port=port)}, b"")
    site.page("/secret", "<html><title>secret</title></html>")
    with pytest.raises(UnsafeSource) as caught:
        get_harvester("page").harvest(_hop(site, "/go"), options=WEB)
    assert words in str(caught.value)
    # The local server was really reachable at the refused address: only the check kept it out.
    assert "/secret" not in [r["path"] for r in site.requests]
    assert [r["path"] for r in site.requests] == ["/robots.txt", "/go"]
    assert tripwire.fired() == [] and tripwire.git_calls() == []


def test_a_redirect_on_the_allowed_name_is_followed(site):
    """Control: the first hop's own redirects work, so the refusals above are the check's doing."""
    site.routes["/go"] = (302, {"Location": "/public"}, b"")
    site.page("/public", "<html><title>Public page</title></html>")
    record = get_harvester("page").harvest(_hop(site, "/go"), options=WEB)
    assert record.fields["name"] == "Public page"


def test_robots_txt_redirecting_to_a_private_address_is_refused(site):
    port = site.server.server_address[1]
    site.routes["/robots.txt"] = (301, {"Location": f"http://127.0.0.1:{port}/private-robots"}, b"")
    site.page("/page", "<html><title>x</title></html>")
    with pytest.raises(UnsafeSource, match=PRIVATE):
        get_harvester("page").harvest(_hop(site, "/page"), options=WEB)
    assert [r["path"] for r in site.requests] == ["/robots.txt"]


def test_more_than_five_redirects_are_refused(site):
    for n in range(8):
        site.routes[f"/r{n}"] = (302, {"Location": f"{_hop(site)}/r{n + 1}"}, b"")
    site.page("/r8", "<html><title>end</title></html>")
    with pytest.raises(HarvestError, match="redirects more than 5 times"):
        get_harvester("page").harvest(_hop(site, "/r0"), options=WEB)
    assert [r["path"] for r in site.requests][1:] == [f"/r{n}" for n in range(6)]
    assert get_harvester("page").harvest(_hop(site, "/r3"), options=WEB).fields["name"] == "end"


_BOMB: list[bytes] = []


def test_oversized_and_compressed_bombs_stop_at_the_byte_cap(site):
    site.page("/big", "<html><title>big</title>" + "x" * (2 * 1024 * 1024) + "</html>")
    with pytest.raises(HarvestError, match=r"^the page is larger than the 2 MB limit$"):
        get_harvester("page").harvest(_hop(site, "/big"), options=WEB)
    if not _BOMB:
        _BOMB.append(gzip.compress(b"<html><title>bomb</title>" + b" " * (64 * 1024 * 1024), compresslevel=9))
    assert len(_BOMB[0]) < 200 * 1024  # 64 MB once unpacked
    site.routes["/bomb"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, _BOMB[0])
    started = time.monotonic()
    with pytest.raises(HarvestError, match="larger than the 1 MB limit"):
        get_harvester("page").harvest(_hop(site, "/bomb"), options=HarvestOptions(host_interval=0, max_file_bytes=1 << 20))
    assert time.monotonic() - started < 10


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is handed to ``answer(conn)`` in a thread."""

    def __init__(self, answer) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            self.answer(conn, self.stopped)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


# A dripping server gives up after this long, so a broken limit fails the test instead of hanging it.
_DRIP_SECONDS = 12


def _drip_headers(conn, stopped) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    until = time.monotonic() + _DRIP_SECONDS
    while not stopped.wait(0.2) and time.monotonic() < until:
        conn.sendall(b"X-Drip: 1\r\n")  # each piece well within the read timeout
    conn.sendall(b"Content-Type: text/html\r\nContent-Length: 0\r\n\r\n")


def _drip_body(conn, stopped) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>")
    until = time.monotonic() + _DRIP_SECONDS
    while not stopped.wait(0.2) and time.monotonic() < until:
        conn.sendall(b"x")


def _endless_body(conn, stopped) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>")
    chunk = b"x" * 65536
    while not stopped.is_set():
        conn.sendall(chunk)


def _silent(conn, stopped) -> None:
    stopped.wait(30)


@pytest.mark.parametrize("answer, words", [
    (_silent, "the server did not answer in time"),
    (_drip_headers, "reading the page took longer than 2 seconds and was stopped"),
    (_drip_body, "took longer than 2 seconds"),
    (_endless_body, "the page is larger than the 1 MB limit"),
], ids=["silent", "drip-headers", "drip-body", "endless-body"])
def test_slow_and_endless_answers_stop_at_the_limits(tripwire, first_hop, answer, words):
    tripwire.block_network = False
    server = RawServer(answer)
    options = HarvestOptions(host_interval=0, timeout=2, read_timeout=1, max_file_bytes=1 << 20)
    started = time.monotonic()
    try:
        with PageFetcher(options) as fetcher, pytest.raises(HarvestError) as caught:
            fetcher.fetch(f"http://site.example:{server.port}/page", robots=False)
    finally:
        server.close()
    assert words in str(caught.value)
    assert time.monotonic() - started < 6  # the whole harvest's limit holds, not only each read's


# --- git over https against a local server: pinning, no redirects, time and memory limits -------

@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A throw-away CA and a certificate for git.example (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Abuse test CA")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=git.example")
    (folder / "san.ext").write_text("subjectAltName=DNS:git.example\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return folder


@dataclass
class GitServer:
    port: int
    routes: dict[str, object] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"https://git.example:{self.port}{path}"


@pytest.fixture
def git_server(certificates, tripwire, monkeypatch):
    """An https server for git.example on 127.0.0.1; only that name is let through, by a pin to 127.0.0.1."""
    tripwire.block_network = False
    monkeypatch.setenv("GIT_SSL_CAINFO", str(certificates / "ca.pem"))
    real = netguard.checked_addresses

    def checked(host, port, *, allow_private):
        return ["127.0.0.1"] if host == "git.example" else real(host, port, allow_private=allow_private)

    monkeypatch.setattr(gitfetch, "checked_addresses", checked)
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            served.requests.append({"path": self.path, "agent": self.headers.get("User-Agent", "")})
            route = served.routes.get(self.path.split("/")[1])
            try:
                route(self, stop)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    served = GitServer(port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served
    stop.set()
    server.shutdown()
    server.server_close()


def test_git_connects_to_the_pinned_address_and_follows_no_redirect(git_server, tripwire):
    elsewhere = socket.create_server(("127.0.0.2", 0))
    elsewhere.settimeout(0.1)
    target = f"https://127.0.0.2:{elsewhere.getsockname()[1]}/acme/tool.git/info/refs?service=git-upload-pack"

    def redirect(handler, stop) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    git_server.routes["redirect"] = redirect
    try:
        with pytest.raises(HarvestError) as caught:
            get_harvester("git").harvest(git_server.url("/redirect/tool.git"), options=WEB)
        with pytest.raises(socket.timeout):
            elsewhere.accept()  # nobody ever knocked on the redirect's target
    finally:
        elsewhere.close()
    assert str(caught.value) == ("cloning the repository failed: the server answered with a redirect, "
                                 "which is not followed; use the final URL")
    # There is no DNS for git.example here: git reached the server through the pinned address only.
    [request] = git_server.requests
    assert request["path"] == "/redirect/tool.git/info/refs?service=git-upload-pack"
    assert request["agent"].startswith("AICommonsRegistry/")
    assert tripwire.fired() == []


def test_a_silent_git_server_is_stopped_at_the_time_limit(git_server):
    git_server.routes["silent"] = lambda handler, stop: stop.wait(30)
    started = time.monotonic()
    with pytest.raises(HarvestError, match=r"^cloning the repository took longer than 2 seconds and was stopped$"):
        get_harvester("git").harvest(git_server.url("/silent/tool.git"), options=HarvestOptions(timeout=2))
    assert time.monotonic() - started < 8


def test_an_endless_list_of_refs_is_stopped_by_the_memory_limit(git_server, monkeypatch):
    """git keeps the list of refs in memory: without a limit it grows by hundreds of MB a second."""
    def endless(handler, stop) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
        handler.end_headers()
        chunk = b"0" * 65536
        while not stop.is_set():
            handler.wfile.write(chunk)

    git_server.routes["endless"] = endless
    monkeypatch.setattr(gitfetch, "_BASE_MEMORY", 96 << 20)
    started = time.monotonic()
    with pytest.raises(HarvestError, match="ran out of the memory it may use"):
        get_harvester("git").harvest(git_server.url("/endless/tool.git"),
                                     options=HarvestOptions(timeout=60, max_repo_bytes=1 << 20))
    assert time.monotonic() - started < 30  # far before the time limit


def test_a_page_spelling_nul_and_lone_surrogates_is_stored_and_shown(app, client, site):
    """A page's text may hold NUL bytes and JSON-LD escapes that are not text: the entry still saves and shows."""
    from tests.helpers import harvest_source

    body = ('<html lang="en"><head><meta charset="utf-8"><title>Nul\x00Title</title>'
            '<script type="application/ld+json">{"@type": "Dataset", "name": "Data\\u0000set\\udcff",'
            ' "description": "A dataset page whose JSON-LD spells \\ud800 and \\u0000 for tests."}</script>'
            '</head><body>x</body></html>')
    site.routes["/models/escapes"] = (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
    result = harvest_source(app, source=_hop(site, "/models/escapes"), kind="page", options=WEB)
    assert result.outcome.value == "created", result.error
    assert client.get(f"/entries/{result.slug}").status_code == 200
    entry = client.get(f"/api/v1/entries/{result.slug}").get_json()
    assert entry["name"].startswith("Data") and "\ufffd" in entry["name"]
    assert not any(ch == "\0" or "\ud800" <= ch <= "\udfff" for ch in repr(entry))
    plain = ('<html><head><title>Plain\x00Title</title><meta name="description" content="A page whose '
             'markup holds a raw\x00NUL byte in its description."></head></html>')
    site.routes["/models/plain"] = (200, {"Content-Type": "text/html; charset=utf-8"}, plain.encode())
    result = harvest_source(app, source=_hop(site, "/models/plain"), kind="page", options=WEB)
    assert result.outcome.value == "created", result.error
    entry = client.get(f"/api/v1/entries/{result.slug}").get_json()
    assert entry["name"] == "Plain\ufffdTitle" and "\0" not in entry["summary"]


def test_a_queued_submission_can_be_refused_at_once(tripwire):
    """With a queue the harvest runs later in a worker: refuse_unsafe_source gives the refusal now."""
    from registry.errors import Invalid
    from registry.services.addresses import normalize_source, normalize_source_url, refuse_unsafe_source

    wrong = []
    for vector in VECTORS:
        try:
            checked = normalize_source_url(tripwire.render(vector.source))
            identity = checked if "://" in checked else normalize_source(checked)  # as submissions do
            refuse_unsafe_source(identity, options=WEB)
        except Invalid as refused:
            if vector.words not in refused.message:
                wrong.append((vector.source, refused.message))
        else:
            wrong.append((vector.source, "not refused"))
    assert wrong == []
    tripwire.assert_untouched(lookups=_expected_lookups(VECTORS))
