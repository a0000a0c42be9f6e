"""Malicious repositories: real git repositories built to attack the harvester that reads them.

Each is harvested with the real harvesters (``git``, and ``list``, which checks files out):
nothing executes (the sentinel folder stays empty), nothing outside the checkout is read (a
secret kept beside the repository and /etc/passwd never appear in a record, an entry page or
the API), every limit holds, and each refusal says why. The ``tripwire`` of test_fetch_abuse
logs every git call and refuses network connections.
"""
from __future__ import annotations

import os
import random
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from harvesters import HarvestError, HarvestOptions, NotARepository, get_harvester
from tests.helpers import harvest_options, harvest_source
from tests.security.test_fetch_abuse import REAL_GIT, tripwire  # noqa: F401  (a fixture)

OPERATOR = HarvestOptions(allow_local=True, timeout=60)
PASSWD = "root:x:0:0"
LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1048576\n"
AWESOME = "# Awesome Hostile\n\nA list of tools.\n\n## Tools\n\n- [Tool](https://github.com/acme/tool) - a tool.\n"


@pytest.fixture
def outside(tmp_path) -> dict[str, Path | str]:
    """A secret beside the repositories, as a file and as a folder shaped like docs/<lang>/README.md."""
    secret = f"OUTSIDE-SECRET-{uuid.uuid4().hex}"
    folder = tmp_path / "outside"
    (folder / "zh").mkdir(parents=True)
    (folder / "secret.md").write_text(f"# {secret}\n\n{secret} is text that lives outside every repository.\n")
    (folder / "zh" / "README.md").write_text(f"# {secret}\n\n这是仓库之外的秘密文字，绝不能被读取。{secret}\n")
    return {"secret": secret, "folder": folder, "file": folder / "secret.md"}


def git(path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run the real git (not the tripwire's) in a repository."""
    full = {**os.environ, "GIT_AUTHOR_NAME": "Mallory", "GIT_AUTHOR_EMAIL": "m@example.org",
            "GIT_COMMITTER_NAME": "Mallory", "GIT_COMMITTER_EMAIL": "m@example.org", **(env or {})}
    done = subprocess.run([REAL_GIT, *args], cwd=path, env=full, capture_output=True, timeout=120, check=True)
    return done.stdout.decode().strip()


def assert_clean(value: object, outside) -> None:
    text = repr(value)
    assert outside["secret"] not in text
    assert PASSWD not in text


def harvest_both(path: Path, options: HarvestOptions = OPERATOR):
    """Return (git record, list result or the list harvester's error)."""
    record = get_harvester("git").harvest(str(path), options=options)
    try:
        listed = get_harvester("list").harvest(str(path), options=options)
    except HarvestError as err:
        listed = err
    return record, listed


def test_hooks_filters_and_submodules_never_run(git_repo, tripwire, tmp_path, monkeypatch):
    fired = tripwire.root / "sentinels"
    repo = git_repo({"README.md": AWESOME, ".gitattributes": "* filter=lfs diff=lfs merge=lfs\n",
                     ".gitmodules": f'[submodule "evil"]\n\tpath = evil\n\turl = ext::sh -c touch% {fired}/submodule\n'},
                    name="hostile/hooks")
    # A gitlink, so the submodule is real.
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},evil")
    git(repo, "commit", "-q", "-m", "add a submodule")
    # Hooks in the source repository, and configuration that runs commands there.
    hook = f"#!/bin/sh\ntouch {fired}/source-hook\n"
    for name in ("post-checkout", "post-merge", "post-rewrite", "reference-transaction", "pre-auto-gc"):
        (repo / ".git" / "hooks" / name).write_text(hook)
        (repo / ".git" / "hooks" / name).chmod(0o755)
    git(repo, "config", "core.fsmonitor", f"touch {fired}/source-fsmonitor")
    git(repo, "config", "uploadpack.packObjectsHook", f"touch {fired}/pack-objects-hook")
    # The account's own git configuration: a hooks folder, templates and an LFS smudge command.
    home = tmp_path / "home"
    hooks = home / "hooks"
    templates = home / "templates" / "hooks"
    for folder in (hooks, templates):
        folder.mkdir(parents=True)
        (folder / "post-checkout").write_text(f"#!/bin/sh\ntouch {fired}/hook\n")
        (folder / "post-checkout").chmod(0o755)
    (home / ".gitconfig").write_text(
        f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = touch {fired}/fsmonitor\n"
        f"[init]\n\ttemplateDir = {home / 'templates'}\n"
        f"[filter \"lfs\"]\n\tsmudge = touch {fired}/smudge && cat\n\tclean = cat\n\trequired = true\n"
        "[protocol \"ext\"]\n\tallow = always\n[submodule]\n\trecurse = true\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))

    # Control: a plain clone by this account runs the hook, the smudge filter and the ext:: submodule.
    control = subprocess.run([REAL_GIT, "clone", "-q", "--recurse-submodules", repo.as_uri(),
                              str(tmp_path / "control")], capture_output=True, timeout=120, check=False)
    assert b"Syntax error" not in control.stderr
    assert {"hook", "smudge", "submodule"} <= set(tripwire.fired())
    for path in fired.iterdir():
        path.unlink()

    record, listed = harvest_both(repo)
    assert tripwire.fired() == []
    assert record.fields["name"] == "Awesome Hostile"
    assert [item.url for item in listed.items] == ["https://github.com/acme/tool"]
    clones = [call for call in tripwire.git_calls() if " clone " in f" {call} "]
    assert len(clones) == 2 and all("--no-recurse-submodules" in call and "core.hooksPath=/dev/null" in call
                                    for call in clones)


def test_lfs_pointers_are_never_taken_for_content(git_repo, tripwire):
    repo = git_repo({
        "README.md": LFS.format("a" * 64), "LICENSE": LFS.format("b" * 64), "CITATION.cff": LFS.format("c" * 64),
        "README_zh.md": "# 工具\n\n这个工具把斯瓦希里语的句子切分成词语，供研究使用。\n",
        ".gitattributes": "README.md filter=lfs diff=lfs merge=lfs -text\nLICENSE filter=lfs -text\n",
    }, name="hostile/lfs")
    record, listed = harvest_both(repo)
    for name in ("README.md", "LICENSE", "CITATION.cff"):
        assert f"{name} is stored with Git LFS, whose files are not fetched; ignored" in record.warnings
    assert "git-lfs" not in repr((record.fields, record.translations, record.details))
    assert record.fields.get("license") is None
    assert isinstance(listed, NotARepository) and "has no README with a list in it" in str(listed)
    assert tripwire.fired() == []


def test_symbolic_links_never_lead_outside(app, client, git_repo, tripwire, outside):
    links = {
        "README.md": "/etc/passwd",
        "LICENSE": "../../../outside/secret.md",
        "CITATION.cff": str(outside["file"]),
        "docs": str(outside["folder"]),  # a folder outside: docs/zh/README.md would be a translation
        "notes": "../../../outside",
        "codemeta.json": "chain-1",
        "chain-1": "chain-2",
        "chain-2": "/etc/passwd",
        "datapackage.json": "loop-a",
        "loop-a": "loop-b",
        "loop-b": "loop-a",
        "README_zh.md": ".git/config",
        "package.json": "src/../../../../outside/secret.md",
        "pyproject.toml": "notes/secret.md",
    }
    repo = git_repo({"src/tool.py": "print('hello')\n"}, name="hostile/links", symlinks=links)
    record, listed = harvest_both(repo)
    assert_clean(record, outside)
    assert record.fields["name"] == "links"  # no README could be read: the folder's name
    for name in ("README.md", "LICENSE", "CITATION.cff", "package.json"):
        assert f"{name} is a symbolic link to a file outside the repository; ignored" in record.warnings
    assert "README_zh.md points outside the repository; ignored" in record.warnings
    assert "datapackage.json is a chain of symbolic links too long to follow; ignored" in record.warnings
    assert record.translations == {}
    assert isinstance(listed, NotARepository)
    assert_clean(str(listed), outside)

    # Through the registry: the entry, its page and its JSON hold nothing from outside.
    result = harvest_source(app, source=str(repo), options=harvest_options(app, operator=True))
    assert result.outcome.value == "created" and result.slug == "hostile/links"
    page, api = client.get("/entries/hostile/links"), client.get("/api/v1/entries/hostile/links")
    assert page.status_code == 200 and api.status_code == 200
    assert_clean(page.get_data(as_text=True) + api.get_data(as_text=True), outside)
    assert tripwire.fired() == []


@pytest.mark.slow
def test_size_limits_hold(git_repo, tripwire):
    repo = git_repo({"README.md": "# Big\n\n" + "All work and no play makes a big README. " * 80_000,
                     "LICENSE": b"\0" * (48 << 20),  # 48 MB of zeros: a few KB once packed
                     "CITATION.cff": "cff-version: 1.2.0\ntitle: Still read\nmessage: x\n"}, name="hostile/big")
    started = time.monotonic()
    record, _ = harvest_both(repo)
    assert time.monotonic() - started < 30
    assert "README.md is larger than the 2 MB limit; skipped" in record.warnings
    assert "LICENSE is larger than the 2 MB limit; skipped" in record.warnings
    assert record.fields["name"] == "Still read"

    # Incompressible bytes in a file every harvester reads (the git harvester fetches only those).
    heavy = git_repo({"README.md": random.Random(9).randbytes(320 * 1024)}, name="hostile/heavy")
    for kind in ("git", "list"):
        with pytest.raises(HarvestError, match=r"^the repository is larger than the 128 KB limit$"):
            get_harvester(kind).harvest(str(heavy), options=HarvestOptions(allow_local=True, max_repo_bytes=128 << 10))
    assert tripwire.fired() == []


def test_deep_and_wide_trees(git_repo, tripwire):
    deep = "/".join(["d"] * 400)
    files = {f"{deep}/README.md": "# Deep\n", "README.md": "# Wide and Deep\n\nA tree four hundred folders deep.\n"}
    files.update({f"data/part-{n:04}.txt": "x" for n in range(3000)})
    files["a/b/c/d/e/model.safetensors"] = "not read: deeper than the listing goes"
    repo = git_repo(files, name="hostile/deep")
    started = time.monotonic()
    record, listed = harvest_both(repo)
    assert time.monotonic() - started < 30
    assert record.fields["name"] == "Wide and Deep"
    assert record.fields["kind"] == "project"  # the weights file is below the depth the listing reads
    assert listed.title == "Wide and Deep"


def test_file_names_that_are_not_text(app, client, git_repo, tripwire):
    repo = git_repo({"README.md": "# Odd Names\n\nA repository whose file names are not all text at all.\n"},
                    name="hostile/names")
    for raw in (b"weights-\xff\xfe.safetensors", b"sub\xc3\x28/README.md", b"docs/\xff/README.md", b"README_\xff.md",
                b"\x1b]0;pwned\x07.safetensors", b"line\nbreak.csv", b"LICENSE\xff"):
        path = os.path.join(os.fsencode(repo), raw)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"---\nlicense: mit\npipeline_tag: text-generation\n---\n# Not read\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd names")
    record, listed = harvest_both(repo)
    warning = "file names that are not valid UTF-8 text (or hold control characters) were ignored"
    assert warning in record.warnings and warning in listed.warnings
    assert record.fields["kind"] == "project" and "sub_cards" not in record.details
    assert "Not read" not in repr(record)
    result = harvest_source(app, source=str(repo), options=harvest_options(app, operator=True))
    assert result.outcome.value == "created"
    assert client.get("/entries/hostile/names").status_code == 200
    api = client.get("/api/v1/entries/hostile/names")
    assert api.status_code == 200 and api.get_json()["name"] == "Odd Names"


def test_metadata_with_nul_and_lone_surrogates_is_stored_and_shown(app, client, git_repo, tripwire):
    repo = git_repo({
        "README.md": '---\nlicense: mit\ntags: ["ok\\udcff", "nul\\0"]\npretty_name: "Pretty\\udcff"\n---\n'
                     "# Escapes\n\nA repository whose metadata spells characters that are not text.\n",
        "codemeta.json": '{"name": "Code\\udcffmeta", "description": "bad \\ud800 and \\u0000 text in here",'
                         ' "keywords": ["k\\udfff", "n\\u0000"]}',
        "CITATION.cff": 'cff-version: 1.2.0\ntitle: "Cff \\udcff"\nmessage: x\nauthors:\n  - name: "A\\udcffB\\0"\n',
    }, name="hostile/escapes")
    result = harvest_source(app, source=str(repo), options=harvest_options(app, operator=True))
    assert result.outcome.value == "created", result.error
    assert client.get("/entries/hostile/escapes").status_code == 200
    body = client.get("/api/v1/entries/hostile/escapes").get_json()
    assert "\ufffd" in body["name"] and not any(ch == "\0" or "\ud800" <= ch <= "\udfff"
                                                  for ch in repr(body))


def test_git_folder_tricks(tripwire, tmp_path):
    """Trees crafted with plumbing hold `.git` and `.GIT` folders, with a config and a hook inside."""
    fired = tripwire.root / "sentinels"

    def crafted(name: str, at_top: bool) -> Path:
        repo = tmp_path / "repos" / "hostile" / name
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")

        def blob(text: str) -> str:
            return subprocess.run([REAL_GIT, "hash-object", "-w", "--stdin"], cwd=repo, input=text.encode(),
                                  capture_output=True, check=True).stdout.decode().strip()

        def tree(*lines: str) -> str:
            return subprocess.run([REAL_GIT, "mktree"], cwd=repo, input="".join(lines).encode(),
                                  capture_output=True, check=True).stdout.decode().strip()

        hooks = tree(f"100755 blob {blob(f'#!/bin/sh{chr(10)}touch {fired}/hook{chr(10)}')}\tpost-checkout\n")
        dotgit = tree(f"100644 blob {blob(f'[core]{chr(10)}fsmonitor = touch {fired}/fsmonitor{chr(10)}')}\tconfig\n",
                      f"040000 tree {hooks}\thooks\n")
        readme = blob("# Dot Git\n\nA tree with a .git folder inside it.\n\n"
                      "- [Tool](https://github.com/acme/tool) - a tool.\n")
        nested = [f"040000 tree {dotgit}\t.git\n", f"040000 tree {dotgit}\t.GIT\n"]
        if at_top:
            lines = nested
        else:
            lines = [f"040000 tree {tree(*nested)}\tvendor\n", f"120000 blob {blob('vendor/.git/config')}\tNOTICE\n"]
        root = tree(*lines, f"120000 blob {blob('.git/config')}\tLICENSE\n", f"100644 blob {readme}\tREADME.md\n")
        git(repo, "update-ref", "refs/heads/main", git(repo, "commit-tree", root, "-m", "crafted"))
        return repo

    top, below = crafted("top", at_top=True), crafted("below", at_top=False)
    with pytest.raises(HarvestError, match=r"^the repository's top folder holds a name git keeps for itself "
                                           r"\(such as \.git\); not harvested$"):
        get_harvester("git").harvest(str(top), options=OPERATOR)
    record = get_harvester("git").harvest(str(below), options=OPERATOR)
    assert record.fields["name"] == "Dot Git"
    assert "LICENSE points outside the repository; ignored" in record.warnings
    assert "the folder vendor holds a name git keeps for itself (such as .git); skipped" in record.warnings
    assert "fsmonitor" not in repr(record)
    # The list harvester checks files out: git itself refuses to write a .git path.
    for repo in (top, below):
        with pytest.raises(HarvestError, match="^cloning the repository failed: "):
            get_harvester("list").harvest(str(repo), options=OPERATOR)
    assert tripwire.fired() == []
