"""The public address helpers: canonical URLs, source identities, refusals made before any fetch."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harvesters import HarvestOptions, NotARepository, UnsafeSource, addresses, netguard

WEB = HarvestOptions()
OPERATOR = HarvestOptions(allow_local=True, allow_private=True)


@pytest.mark.parametrize("raw, canonical", [
    ("https://GitHub.com/THUDM/ChatGLM-6B.git/", "https://github.com/thudm/chatglm-6b"),
    ("github.com/acme/tool", "https://github.com/acme/tool"),
    ("github.com:443/acme/tool", "https://github.com:443/acme/tool"),
    ("HTTPS://www.Example.org/Docs/Model/", "https://example.org/Docs/Model"),
    ("https://huggingface.co/Org/Model?x=1#readme", "https://huggingface.co/Org/Model?x=1"),
    ("http://[2001:db8::1]:8080/a/", "http://[2001:db8::1]:8080/a"),
    ("./here", "./here"),
    ("file:///srv/repo", "file:///srv/repo"),
])
def test_urls_are_normalized(raw, canonical):
    assert addresses.normalize_url(raw) == canonical


@pytest.mark.parametrize("raw, words", [
    ("", "one URL or path"),
    ("ext::sh -c touch", "transport syntax"),
    ("--upload-pack=touch", "cannot start with '-'"),
    ("git@github.com:acme/tool", "SSH sources are not allowed"),
    ("javascript:alert(1)", "not javascript:"),
    ("ftp://example.org/x", "not ftp://"),
    ("https://example.org/a b", "cannot contain spaces"),
    ("https://user:pw@example.org/x", "user name or password"),
    ("https://-oProxy=x/y", "not a valid host name"),
])
def test_unsafe_urls_are_refused(raw, words):
    with pytest.raises(UnsafeSource, match=words):
        addresses.normalize_url(raw)


def test_source_identity(tmp_path):
    assert addresses.normalize_source(f"{tmp_path}/./sub/..") == str(tmp_path.resolve())
    assert addresses.normalize_source(f"file://{tmp_path}") == str(tmp_path.resolve())
    assert addresses.normalize_source("https://GitHub.com/Acme/Tool/") == "https://github.com/acme/tool"
    # Kept as given, for the harvester to refuse in its own words.
    for raw in ("ext::sh", "-x", "git@host:path", "file://elsewhere/repo"):
        assert addresses.normalize_source(raw) == raw


def test_refusals_before_fetch(tmp_path):
    with pytest.raises(UnsafeSource, match="private or local"):
        addresses.refuse_before_fetch("https://127.0.0.1/acme/tool", options=WEB)
    with pytest.raises(UnsafeSource, match="private or local"):
        addresses.refuse_before_fetch("http://10.0.0.1/page", options=WEB)
    with pytest.raises(UnsafeSource, match="local paths are not allowed"):
        addresses.refuse_before_fetch(str(tmp_path), options=WEB)
    # Not refused: a folder that is not a repository is the harvest's failure to report.
    addresses.refuse_before_fetch(str(tmp_path), options=OPERATOR)
    addresses.refuse_before_fetch("https://127.0.0.1/acme/tool", options=OPERATOR)


def test_git_source_checks(tmp_path):
    with pytest.raises(NotARepository):
        addresses.check_git_source(str(tmp_path), options=OPERATOR)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "commit", "-q", "--allow-empty", "-m", "start"], check=True)
    checked = addresses.check_git_source(str(tmp_path), options=OPERATOR)
    assert checked.local_path == Path(tmp_path) and checked.head
    assert addresses.check_git_source("https://93.184.215.14/a.git", options=WEB).pins == ()


def test_host_checks(monkeypatch):
    assert addresses.is_public_address("93.184.215.14")
    assert not addresses.is_public_address("::ffff:127.0.0.1")
    monkeypatch.setattr(netguard, "resolver", lambda host, port: ["192.168.1.2"])
    with pytest.raises(UnsafeSource, match="private"):
        addresses.public_addresses("lan.example", 443, allow_private=False)
    assert addresses.public_addresses("lan.example", 443, allow_private=True) == ["192.168.1.2"]
    parts, host, port = addresses.split_url("https://bücher.example:8443/x")
    assert (host, port, parts.path) == ("xn--bcher-kva.example", 8443, "/x")
    assert addresses.check_page_url(" http://example.org/p ") == "http://example.org/p"
    assert addresses.is_ssh_address("host:path") and not addresses.is_ssh_address("https://host/path")
    assert "SSH" in str(addresses.ssh_refusal("git@host:path"))
