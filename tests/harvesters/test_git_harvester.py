import sys
from importlib import resources

import git
import pytest

from harvesters import HarvestError, HarvestOptions, NotARepository, UnsafeSource, get_harvester, gitfetch, netguard

LOCAL = HarvestOptions(allow_local=True)

MIT = resources.files("harvesters").joinpath("data", "licenses", "MIT.txt").read_text().replace(
    "<year> <copyright holders>", "2024 Acme Labs")
README = """\
[![CI](https://ci.example.org/badge.svg)](https://ci.example.org)

# Acme Tool

Acme Tool aligns parallel sentences in Swahili and English for translation research.

## Usage

```bash
acme-tool align corpus.sw corpus.en
```
"""
README_ZH = "# Acme 工具\n\nAcme 工具用于对齐斯瓦希里语和英语的平行句子，服务于机器翻译研究。\n"


@pytest.fixture
def harvester():
    return get_harvester("git")


def head_of(path):
    with git.Repo(path) as repo:
        return repo.head.commit.hexsha


def test_harvest_a_local_repository(harvester, git_repo):
    path = git_repo({"README.md": README, "README_zh-CN.md": README_ZH, "LICENSE": MIT, "src/tool.py": "print(1)\n"})
    record = harvester.harvest(str(path), options=LOCAL)
    commit = head_of(path)
    assert record.source_kind == "git"
    assert record.source_url == str(path)
    assert record.slug_hint == "acme/tool"
    assert record.commit == commit
    assert record.fields == {
        "kind": "project",
        "name": "Acme Tool",
        "summary": "Acme Tool aligns parallel sentences in Swahili and English for translation research.",
        "description": README.strip(),
        "language": "en",
        "languages": ["en", "sw"],  # the README's language, and Swahili named in its summary
        "license": "MIT",
    }
    assert record.provenance["license"] == {"origin": "LICENSE", "commit": commit}
    assert record.provenance["name"] == {"origin": "README.md", "commit": commit}
    assert record.provenance["language"] == {"origin": "README.md", "commit": commit}
    assert record.provenance["languages"] == {"origin": "README.md", "commit": commit, "inferred": True}
    assert record.provenance["kind"] == {"origin": "default", "commit": commit, "inferred": True}
    assert record.translations == {"zh-Hans": {
        "name": "Acme 工具", "summary": "Acme 工具用于对齐斯瓦希里语和英语的平行句子，服务于机器翻译研究。",
        "description": README_ZH.strip(), "origin": "README_zh-CN.md",
    }}
    assert record.warnings == []


def test_file_url_and_head(harvester, git_repo):
    path = git_repo({"README.md": README})
    assert harvester.harvest(path.as_uri(), options=LOCAL).commit == head_of(path)
    # A folder's head is read from its own files: what git serves to ls-remote, without git.
    served = gitfetch.remote_head(gitfetch.GitSource(url=path.as_uri(), local_path=path), options=LOCAL)
    assert harvester.head(str(path), options=LOCAL) == served == head_of(path)
    git_repo({"NEWS.md": "A new commit.\n"})
    assert harvester.head(str(path), options=LOCAL) == head_of(path) != served


def test_model_card_front_matter_and_chinese_readme(harvester, git_repo):
    card = ("---\nlicense: apache-2.0\nlanguage:\n- zh\n- en\npipeline_tag: text-generation\n---\n"
            "# 小模型\n\n这是一个在中文新闻语料上训练的小型语言模型，适合在笔记本电脑上运行和微调。\n")
    record = harvester.harvest(str(git_repo({"README.md": card})), options=LOCAL)
    assert record.fields["kind"] == "model"
    assert record.fields["name"] == "小模型"
    assert record.fields["language"] == "zh-Hans"
    assert record.fields["languages"] == ["zh", "en"]
    assert "inferred" not in record.provenance["languages"]
    assert not record.fields["description"].startswith("---")


def test_without_readme_the_name_is_the_folder(harvester, git_repo):
    path = git_repo({"main.py": "print('hi')\n"}, name="acme/Bare-Tool")
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.fields["name"] == "Bare-Tool"
    assert record.provenance["name"]["origin"] == "source"
    assert record.provenance["name"]["inferred"] is True
    assert "license" not in record.fields and "language" not in record.fields


def test_gbk_and_utf16_readmes(harvester, git_repo):
    gbk = git_repo({"README.md": README_ZH.encode("gbk")}, name="acme/gbk")
    assert harvester.harvest(str(gbk), options=LOCAL).fields["name"] == "Acme 工具"
    utf16 = git_repo({"README.md": README.encode("utf-16")}, name="acme/utf16")
    assert harvester.harvest(str(utf16), options=LOCAL).fields["name"] == "Acme Tool"


def test_binary_readme_is_a_warning(harvester, git_repo):
    record = harvester.harvest(str(git_repo({"README.md": b"\x89PNG\x00\x00binary"})), options=LOCAL)
    assert record.fields["name"] == "tool"
    assert record.warnings == ["README.md looks like a binary file; skipped"]


def test_dual_licence_files_and_lgpl_beside_gpl(harvester, git_repo):
    apache = resources.files("harvesters").joinpath("data", "licenses", "Apache-2.0.txt").read_text()
    dual = git_repo({"LICENSE-MIT": MIT, "LICENSE-APACHE": apache}, name="acme/dual")
    record = harvester.harvest(str(dual), options=LOCAL)
    assert record.fields["license"] == "Apache-2.0 OR MIT"
    assert record.provenance["license"]["origin"] == "LICENSE-APACHE, LICENSE-MIT"
    licenses = resources.files("harvesters").joinpath("data", "licenses")
    lgpl = git_repo({"COPYING": licenses.joinpath("GPL-3.0-only.txt").read_text(),
                     "COPYING.LESSER": licenses.joinpath("LGPL-3.0-only.txt").read_text()}, name="acme/lgpl")
    record = harvester.harvest(str(lgpl), options=LOCAL)
    assert record.fields["license"] == "LGPL-3.0-only"
    assert record.provenance["license"]["origin"] == "COPYING.LESSER"


def test_unrecognised_licence_is_noassertion_with_warning(harvester, git_repo):
    path = git_repo({"LICENSE.md": "All rights reserved. Ask us before you use any of this, in writing."})
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.fields["license"] == "NOASSERTION"
    assert record.warnings == ["LICENSE.md: the licence file is too short to recognise; licence left as NOASSERTION"]


def test_symlink_out_of_the_repository_is_never_read(harvester, git_repo):
    path = git_repo({"README.md": README}, symlinks={"LICENSE": "/etc/passwd", "NOTES.md": "../../outside.md"})
    record = harvester.harvest(str(path), options=LOCAL)
    assert "license" not in record.fields
    assert record.warnings == ["LICENSE is a symbolic link to a file outside the repository; ignored"]


def test_symlink_inside_the_repository_is_followed(harvester, git_repo):
    path = git_repo({"docs/README.md": README, "docs/LICENSE.txt": MIT},
                    symlinks={"README.md": "docs/README.md", "LICENSE": "docs/LICENSE.txt"})
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.fields["name"] == "Acme Tool"
    assert record.fields["license"] == "MIT"


def test_huge_readme_is_skipped_with_a_warning(harvester, git_repo):
    path = git_repo({"README.md": "# Huge\n\n" + "All work and no play. " * 200, "LICENSE": MIT})
    record = harvester.harvest(str(path), options=HarvestOptions(allow_local=True, max_file_bytes=2048))
    assert record.fields["name"] == "tool"
    assert record.fields["license"] == "MIT"
    assert record.warnings == ["README.md is larger than the 2 KB limit; skipped"]


def test_repository_over_the_size_cap_is_refused(harvester, git_repo):
    # Incompressible bytes: the cap is on what the harvest fetches (no working tree is written),
    # and a README is always fetched.
    path = git_repo({"README.md": __import__("random").Random(0).randbytes(256 * 1024)})
    with pytest.raises(HarvestError, match=r"^the repository is larger than the 64 KB limit$"):
        harvester.harvest(str(path), options=HarvestOptions(allow_local=True, max_repo_bytes=64 * 1024))


def test_large_files_no_reader_opens_are_not_fetched(harvester, git_repo):
    # A model's weights or a data set beside the README cost nothing: only what is read is fetched.
    path = git_repo({"README.md": README, "LICENSE": MIT,
                     "weights/model.bin": __import__("random").Random(0).randbytes(512 * 1024)})
    record = harvester.harvest(str(path), options=HarvestOptions(allow_local=True, max_repo_bytes=64 * 1024))
    assert record.fields["name"] == "Acme Tool"
    assert record.fields["license"] == "MIT"
    assert record.warnings == []


def _clone_without_contents(path, dest):
    source = gitfetch.resolve_source(str(path), options=LOCAL)
    gitfetch.clone(source, dest, options=LOCAL, checkout=False)
    return source


def _object_present(dest, oid):
    with git.Repo(dest) as repo:
        try:
            repo.odb.info(bytes.fromhex(oid))
        except ValueError:
            return False
        return True


def test_a_clone_holds_folders_and_only_the_contents_fetched_for_it(git_repo, tmp_path):
    path = git_repo({"README.md": README, "data/rows.tsv": "id\ttext\n1\thabari\n"})
    with git.Repo(path) as repo:
        readme, rows = (repo.head.commit.tree / "README.md").hexsha, (repo.head.commit.tree / "data/rows.tsv").hexsha
    dest = tmp_path / "clone"
    source = _clone_without_contents(path, dest)
    assert not _object_present(dest, readme) and not _object_present(dest, rows)
    # git does not fetch a missing object by itself: every fetch goes through fetch_objects.
    with git.Repo(dest) as repo:
        with repo.config_reader() as config:
            assert not config.has_option('remote "origin"', "promisor")
        assert [b.name for b in repo.head.commit.tree.blobs] == ["README.md"]  # folders are there
    gitfetch.fetch_objects(source, dest, [readme], options=LOCAL)
    assert _object_present(dest, readme) and not _object_present(dest, rows)


def test_a_file_outside_the_usual_names_is_fetched_when_read(harvester, git_repo):
    # The README links to a file no reader asks for by name: its contents come on demand.
    path = git_repo({"notes/intro.md": README}, symlinks={"README.md": "notes/intro.md"})
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.fields["name"] == "Acme Tool"
    assert record.fields["summary"].startswith("Acme Tool aligns parallel sentences")


def _readme_clone(git_repo, tmp_path):
    """A repository with a README, cloned without file contents: (repository, source, clone, README's id)."""
    path = git_repo({"README.md": README})
    with git.Repo(path) as repo:
        readme = (repo.head.commit.tree / "README.md").hexsha
    dest = tmp_path / "clone"
    return path, _clone_without_contents(path, dest), dest, readme


def test_fetching_files_after_the_harvest_time_limit_is_refused(git_repo, tmp_path):
    _path, source, dest, readme = _readme_clone(git_repo, tmp_path)
    options = HarvestOptions(allow_local=True, timeout=30)
    with pytest.raises(HarvestError, match=r"^harvesting the repository took longer than 30 seconds and was stopped$"):
        gitfetch.fetch_objects(source, dest, [readme], options=options, deadline=__import__("time").monotonic() - 1)
    assert not _object_present(dest, readme)


def test_a_source_gone_before_its_files_are_fetched_fails_in_plain_words(git_repo, tmp_path):
    path, source, dest, readme = _readme_clone(git_repo, tmp_path)
    path.rename(tmp_path / "moved")
    with pytest.raises(HarvestError, match=r"^fetching the repository's files failed: "):
        gitfetch.fetch_objects(source, dest, [readme], options=LOCAL)


def test_plain_folder_missing_path_file_and_empty_repository(harvester, git_repo, tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "file.txt").write_text("x")
    empty = git_repo({}, name="acme/empty")
    cases = {
        tmp_path / "plain": "is not a git repository",
        tmp_path / "missing": "does not exist",
        tmp_path / "file.txt": "is not a directory",
        empty: "is a git repository with no commits",
    }
    for path, words in cases.items():
        with pytest.raises(NotARepository) as caught:
            harvester.harvest(str(path), options=LOCAL)
        assert str(caught.value) == f"{path} {words}"


def test_local_path_with_spaces(harvester, git_repo):
    path = git_repo({"README.md": README}, name="Acme Labs/My Tool")
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.slug_hint == "acme-labs/my-tool"
    assert record.fields["name"] == "Acme Tool"


def test_subfolder_of_a_repository_is_not_a_repository(harvester, git_repo):
    path = git_repo({"src/a.py": "x = 1\n"})
    with pytest.raises(NotARepository):
        harvester.harvest(str(path / "src"), options=LOCAL)


def test_local_paths_need_permission(harvester, git_repo):
    path = git_repo({"README.md": README})
    for source in (str(path), path.as_uri()):
        with pytest.raises(UnsafeSource, match="local paths are not allowed"):
            harvester.harvest(source, options=HarvestOptions())
        with pytest.raises(UnsafeSource):
            harvester.head(source, options=HarvestOptions())


@pytest.mark.parametrize("source, words", [
    ("http://github.com/acme/tool", "only https:// sources are allowed, not http://"),
    ("ssh://git@github.com/acme/tool.git", "only https:// sources are allowed, not ssh://"),
    ("git://github.com/acme/tool.git", "only https:// sources are allowed, not git://"),
    ("ext::sh -c touch% /tmp/pwned", "transport syntax"),
    ("https://github.com/acme/tool name", "cannot contain spaces"),
    ("/srv/repos/acme/tool\n--upload-pack=touch /tmp/x", "without control characters"),
    ("git@github.com:acme/tool.git", "SSH sources are not allowed"),
    ("https://user:secret@github.com/acme/tool.git", "user name or password"),
    ("https://127.0.0.1/acme/tool.git", "private or local address (127.0.0.1)"),
    ("https://localhost/acme/tool.git", "private or local address"),
    ("https://10.1.2.3/acme/tool.git", "private or local address (10.1.2.3)"),
    ("https://[::1]/acme/tool.git", "private or local address (::1)"),
    ("https://169.254.169.254/latest/meta-data", "private or local address"),
])
def test_unsafe_sources_are_refused_before_fetching(harvester, source, words):
    with pytest.raises(UnsafeSource) as caught:
        harvester.harvest(source, options=HarvestOptions(allow_local=True))
    assert words in str(caught.value)


def test_git_failure_is_a_plain_message(harvester):
    # Port 1 on the loopback address: nothing listens, so git fails at once.
    options = HarvestOptions(allow_private=True, timeout=20)
    with pytest.raises(HarvestError) as caught:
        harvester.harvest("https://127.0.0.1:1/acme/tool.git", options=options)
    assert str(caught.value) == "cloning the repository failed: could not connect to the server"
    assert harvester.head("https://127.0.0.1:1/acme/tool.git", options=options) is None


def test_public_hosts_are_pinned_to_the_checked_addresses(monkeypatch):
    monkeypatch.setattr(netguard, "resolver", lambda host, port: ["93.184.216.34", "2606:2800:220:1::1"])
    source = gitfetch.resolve_source("https://example.org/acme/tool.git", options=HarvestOptions())
    assert source.pins == ("example.org:443:93.184.216.34,[2606:2800:220:1::1]",)
    argv = gitfetch._git_argv("ls-remote", "--", source.url, "HEAD", source=source, options=HarvestOptions())
    assert "http.curloptResolve=example.org:443:93.184.216.34,[2606:2800:220:1::1]" in argv
    assert "protocol.file.allow=always" not in argv
    assert argv[-4:] == ["ls-remote", "--", "https://example.org/acme/tool.git", "HEAD"]


def test_a_slow_git_is_stopped():
    with pytest.raises(HarvestError, match="took longer than 0.5 seconds and was stopped"):
        gitfetch._run([sys.executable, "-c", "import time; time.sleep(30)"], action="cloning", timeout=0.5)


def test_claim_token_is_read_from_the_root(harvester, git_repo):
    path = git_repo({"README.md": README, ".ai-commons-claim": "acc-7-Zm9vYmFyYmF6cXV4_-abc\n"})
    record = harvester.harvest(str(path), options=LOCAL)
    assert record.claim_token == "acc-7-Zm9vYmFyYmF6cXV4_-abc"
    junk = git_repo({".ai-commons-claim": "<script>alert(1)</script>"}, name="acme/junk")
    record = harvester.harvest(str(junk), options=LOCAL)
    assert record.claim_token is None
    assert record.warnings == [".ai-commons-claim does not hold a claim token; ignored"]


def test_clone_runs_git_with_the_fixed_safe_arguments(harvester, git_repo, monkeypatch):
    seen = []
    real_run = gitfetch._run

    def spy(argv, **kwargs):
        seen.append(argv)
        return real_run(argv, **kwargs)

    monkeypatch.setattr(gitfetch, "_run", spy)
    path = git_repo({"README.md": README})
    harvester.harvest(str(path), options=LOCAL)
    [clone, fetch] = seen  # the clone, then one fetch of the files the readers read
    for argv in (clone, fetch):
        config = [argv[i + 1] for i, item in enumerate(argv) if item == "-c"]
        assert config[:4] == ["core.hooksPath=/dev/null", "protocol.allow=never", "protocol.https.allow=always",
                              "protocol.file.allow=always"]
        assert {"http.followRedirects=false", "core.symlinks=false", "credential.helper="} <= set(config)
    local_server = "--upload-pack=git -c uploadpack.allowFilter=true upload-pack"
    tail = clone[clone.index("clone"):]
    assert tail[:12] == ["clone", "--depth", "1", "--single-branch", "--no-tags", "--no-recurse-submodules",
                         "--no-checkout", "--template=", "--filter=blob:none", local_server, "--", path.as_uri()]
    tail = fetch[fetch.index("fetch"):]
    with git.Repo(path) as repo:
        readme = (repo.head.commit.tree / "README.md").hexsha
    assert tail == ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
                    local_server, "--", path.as_uri(), readme]


def test_git_environment_is_cleaned(monkeypatch):
    monkeypatch.setenv("GIT_DIR", "/somewhere/else")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.hooksPath'='/tmp/hooks'")
    monkeypatch.setenv("GIT_SSL_CAINFO", "/etc/ssl/certs/ca.pem")
    env = gitfetch._environment()
    assert "GIT_DIR" not in env and "GIT_CONFIG_PARAMETERS" not in env
    assert env["GIT_SSL_CAINFO"] == "/etc/ssl/certs/ca.pem"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_LFS_SKIP_SMUDGE"] == "1"
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"


def test_scratch_clones_are_removed(harvester, git_repo, tmp_path, monkeypatch):
    import tempfile

    from harvesters import scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    harvester.harvest(str(git_repo({"README.md": README})), options=LOCAL)
    with pytest.raises(NotARepository):
        harvester.harvest(str(git_repo({}, name="acme/empty")), options=LOCAL)
    scratch.drain()
    assert list((tmp_path / "scratch").iterdir()) == []


def test_worker_warm_up_reads_its_sample_through_every_inference():
    # What a harvest worker loads before its first job: the sample must take the paths that
    # load data (languages and a country inferred from prose and tags, a licence file, a conflict).
    from harvesters.warmup import warm_up

    record = warm_up()
    assert record.fields["languages"] == ["en", "sw"]
    assert record.provenance["languages"]["inferred"] is True
    assert record.fields["region"] == "KE"
    assert record.fields["license"] == "MIT"
    assert record.fields["tasks"] == ["text-classification"]
    assert "license: README.md says MIT but package.json says Apache-2.0; kept MIT" in record.warnings
