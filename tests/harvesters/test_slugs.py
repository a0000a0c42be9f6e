import pytest

from harvesters.slugs import slug_from_source, split_source


@pytest.mark.parametrize("source, slug", [
    ("https://github.com/THUDM/ChatGLM-6B", "thudm/chatglm-6b"),
    ("https://github.com/THUDM/ChatGLM-6B.git", "thudm/chatglm-6b"),
    ("https://github.com/THUDM/ChatGLM-6B/tree/main/ptuning", "thudm/chatglm-6b"),
    ("https://www.github.com/Acme/Tool/", "acme/tool"),
    ("https://huggingface.co/datasets/org/x", "org/x"),
    ("https://huggingface.co/Org/My_Model", "org/my_model"),
    ("https://huggingface.co/spaces/org/demo", "org/demo"),
    ("https://gitlab.com/a/b/c/d", "a/d"),
    ("https://gitlab.com/a/b/c/d.git", "a/d"),
    ("https://gitlab.com/a/b/c/d/-/tree/main", "a/d"),
    ("https://gitee.com/Owner/Repo", "owner/repo"),
    ("https://example.org/solo.git", "example.org/solo"),
    ("https://github.com/Foo Bar/x+y", "foo-bar/x-y"),
])
def test_slug_from_url(source, slug):
    assert slug_from_source(source) == slug


@pytest.mark.parametrize("source, slug", [
    ("/srv/repos/acme/tool", "acme/tool"),
    ("/srv/repos/acme/tool/", "acme/tool"),
    ("/srv/repos/Acme Labs/Tool.git", "acme-labs/tool"),
    ("file:///srv/repos/acme/tool", "acme/tool"),
])
def test_slug_from_local_path(source, slug):
    assert slug_from_source(source) == slug


def test_slug_from_a_relative_path_uses_the_absolute_folders(tmp_path, monkeypatch):
    (tmp_path / "org" / "proj").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "org")
    assert slug_from_source("proj") == "org/proj"


def test_names_in_other_scripts_get_distinct_ascii_slugs():
    first, second = slug_from_source("/srv/清华/模型"), slug_from_source("/srv/清华/数据")
    assert first != second
    for slug in (first, second):
        assert all(ch.isascii() for ch in slug) and slug.count("/") == 1


def test_split_source_keeps_the_written_case():
    assert split_source("https://github.com/THUDM/ChatGLM-6B.git") == ("THUDM", "ChatGLM-6B")
    assert split_source("/srv/repos/Acme/Tool") == ("Acme", "Tool")


def test_malformed_url_still_gives_a_slug():
    assert slug_from_source("https://[oops/x") == "unknown/repository"
