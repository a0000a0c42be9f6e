"""A corpus of small repositories, each a convention or a malformed file: the right fields or a clear
warning, never a crash."""
from importlib import resources

import pytest

from harvesters import HarvestOptions, get_harvester

LOCAL = HarvestOptions(allow_local=True)
LICENSES = resources.files("harvesters").joinpath("data", "licenses")
EN = "# Tool\n\nA sample tool for the registry's tests, which reads Yoruba proverbs aloud.\n"
ZH = "# 工具\n\n这是一个为登记系统测试编写的示例工具，可以朗读约鲁巴语谚语。\n"
JA = "# ツール\n\nこれは登録システムのテストのために書かれたサンプルのツールです。\n"
KO = "# 도구\n\n이것은 등록 시스템 테스트를 위해 작성된 예시 도구입니다.\n"


def harvest(git_repo, files, name="acme/tool", **kwargs):
    return get_harvester("git").harvest(str(git_repo(files, name=name, **kwargs)), options=LOCAL)


def test_every_translation_naming_convention(git_repo):
    files = {"README.md": EN, "README_CN.md": ZH, "readme.ja.md": JA, "README-ko.md": KO, "README_EN.md": EN,
             "README.dev.md": EN, "README.old.md": EN, "docs/zh-TW/README.md": "# 工具\n\n這是一個範例工具。\n",
             "docs/api/README.md": EN}
    record = harvest(git_repo, files)
    assert record.fields["language"] == "en"
    assert sorted(record.translations) == ["ja", "ko", "zh-Hans", "zh-Hant"]
    assert record.translations["zh-Hans"]["origin"] == "README_CN.md"
    assert record.translations["zh-Hant"]["origin"] == "docs/zh-TW/README.md"
    assert record.translations["ko"]["name"] == "도구"


def test_chinese_default_readme_with_an_english_translation(git_repo):
    record = harvest(git_repo, {"README.md": ZH, "README_EN.md": EN})
    assert record.fields["language"] == "zh-Hans" and record.fields["name"] == "工具"
    assert list(record.translations) == ["en"] and record.translations["en"]["name"] == "Tool"


def test_two_files_for_one_language_keep_the_first(git_repo):
    record = harvest(git_repo, {"README.md": EN, "README_zh.md": ZH, "README.zh-CN.md": ZH})
    assert record.warnings == ["README_zh.md and README.zh-CN.md are both zh-Hans translations; kept README.zh-CN.md"]


def test_everything_broken_at_once_still_harvests(git_repo):
    files = {
        "README.md": "---\nlicense: [mit\n---\n" + EN,
        "CITATION.cff": "cff-version: 1.2.0\ntitle: 'unclosed\n",
        "codemeta.json": "{not json",
        "datapackage.json": '{"licenses": "odc-by", "resources": 7, "contributors": {"a": 1}}',
        "package.json": "[]",
        "pyproject.toml": "[project\n",
        "setup.cfg": "garbage without sections",
        "croissant.json": '{"@type": "Person"}',
        "README_zh.md": b"\x89PNG\r\n\x1a\n\x00\x00binary",
    }
    record = harvest(git_repo, files, symlinks={"LICENSE": "/etc/passwd"})
    assert record.fields["name"] == "Tool" and record.fields["language"] == "en"
    assert record.fields["kind"] == "dataset"  # the data package still says so, whatever else is broken
    assert "license" not in record.fields
    expected = [
        "README.md: front matter is not valid YAML",
        "CITATION.cff is not valid YAML",
        "codemeta.json is not valid JSON",
        "croissant.json holds no schema.org Dataset",
        "pyproject.toml is not valid TOML",
        "setup.cfg is not a valid configuration file",
        "package.json is not a JSON object",
        "LICENSE is a symbolic link to a file outside the repository; ignored",
        "README_zh.md looks like a binary file; skipped",
    ]
    for words in expected:
        assert any(w.startswith(words) for w in record.warnings), (words, record.warnings)


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig", "gb18030"])
def test_chinese_readmes_in_other_encodings(git_repo, encoding):
    record = harvest(git_repo, {"README.md": ZH.encode(encoding)})
    assert record.fields["name"] == "工具" and record.fields["language"] == "zh-Hans"


def test_utf16_metadata_files(git_repo):
    cff = "cff-version: 1.2.0\ntitle: Wide Tool\nlicense: MIT\n".encode("utf-16")
    record = harvest(git_repo, {"CITATION.cff": cff})
    assert record.fields["name"] == "Wide Tool" and record.fields["license"] == "MIT"


def test_huge_and_binary_metadata_files_are_skipped(git_repo):
    options = HarvestOptions(allow_local=True, max_file_bytes=4096)
    path = git_repo({"README.md": EN, "codemeta.json": '{"name": "' + "x" * 10_000 + '"}',
                     "package.json": b'{"name": "\x00"}'})
    record = get_harvester("git").harvest(str(path), options=options)
    assert record.fields["name"] == "Tool"
    assert "codemeta.json is larger than the 4 KB limit; skipped" in record.warnings
    assert "package.json looks like a binary file; skipped" in record.warnings


def test_metadata_symlinked_inside_is_read_and_outside_is_not(git_repo):
    path_files = {"meta/CITATION.cff": "cff-version: 1.2.0\ntitle: Linked\n"}
    record = harvest(git_repo, path_files, symlinks={"CITATION.cff": "meta/CITATION.cff",
                                                     "codemeta.json": "/etc/passwd"})
    assert record.fields["name"] == "Linked"
    assert "codemeta.json is a symbolic link to a file outside the repository; ignored" in record.warnings


def test_gpl_or_later_from_the_licence_notice_itself(git_repo):
    gpl = LICENSES.joinpath("GPL-3.0-only.txt").read_text()
    notice = ("This program is free software: you can redistribute it and/or modify it under the terms of the "
              "GNU General Public License as published by the Free Software Foundation, either version 3 of the "
              "License, or (at your option) any later version.\n\n")
    record = harvest(git_repo, {"LICENSE": notice + gpl})
    assert record.fields["license"] == "GPL-3.0-or-later"
