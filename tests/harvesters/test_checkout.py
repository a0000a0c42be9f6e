"""Reads from a checkout stay inside it, even when the filesystem itself holds links."""
import os

from harvesters.checkout import Checkout, human_size


def make_checkout(root, limit=1024):
    warnings = []
    return Checkout(root, max_file_bytes=limit, warnings=warnings), warnings


def test_real_symlinks_out_are_refused_and_in_are_followed(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "README.md").write_text("# Inside\n")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink("docs/README.md", root / "README.md")
    os.symlink("/etc/passwd", root / "LICENSE")
    os.symlink("../secret.txt", root / "NOTES")
    os.symlink(tmp_path, root / "up")
    checkout, warnings = make_checkout(root)
    assert checkout.read_bytes("README.md") == b"# Inside\n"
    assert checkout.read_bytes("LICENSE") is None
    assert checkout.read_bytes("NOTES") is None
    assert checkout.read_bytes("up/secret.txt") is None
    assert warnings == [
        "LICENSE is a symbolic link to a file outside the repository; ignored",
        "NOTES is a symbolic link to a file outside the repository; ignored",
        "up/secret.txt points outside the repository; ignored",
    ]


def test_paths_that_climb_out_or_into_git_are_refused(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / ".git" / "config").write_text("[core]\n")
    checkout, warnings = make_checkout(tmp_path / "repo")
    for path in ("../x", "/etc/passwd", ".git/config", "a/../../x"):
        assert checkout.read_bytes(path) is None
    assert len(warnings) == 4


def test_link_loops_stop(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink("b", root / "a")
    os.symlink("a", root / "b")
    checkout, warnings = make_checkout(root)
    assert checkout.read_bytes("a") is None
    assert warnings == ["a is a chain of symbolic links too long to follow; ignored"]


def test_directories_missing_files_and_size_limit(tmp_path):
    root = tmp_path / "repo"
    (root / "LICENSE").mkdir(parents=True)
    (root / "big.txt").write_bytes(b"x" * 1025)
    (root / "ok.txt").write_bytes(b"x" * 1024)
    checkout, warnings = make_checkout(root)
    assert checkout.read_bytes("LICENSE") is None
    assert checkout.read_bytes("missing.md") is None
    assert checkout.read_bytes("ok.txt") == b"x" * 1024
    assert checkout.read_bytes("big.txt") is None
    assert warnings == ["big.txt is larger than the 1 KB limit; skipped"]
    assert checkout.root_files() == ["big.txt", "ok.txt"]


def test_human_size():
    assert human_size(2 * 1024 * 1024) == "2 MB"
    assert human_size(200 * 1024 * 1024) == "200 MB"
    assert human_size(1536) == "1.5 KB"
    assert human_size(12) == "12 bytes"
