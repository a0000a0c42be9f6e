import pytest

from harvesters.formats.readme import SUMMARY_LIMIT, find_readme, parse_readme, translation_tag, trim_summary

BADGES = """\
[![Build](https://img.shields.io/badge/build-passing-green.svg)](https://ci.example.org) [![PyPI](https://img.shields.io/pypi/v/toolkit.svg)](https://pypi.org/project/toolkit)

# ToolKit

ToolKit turns noisy field recordings into clean transcripts. It runs on an ordinary laptop.

## Installation

Run the following command to install it from the package index.
"""

HTML_HEADER = """\
<div align="center">
<img src="resources/logo.png" width="300">

# ChatGLM-6B

<p align="center">
🤗 <a href="https://huggingface.co/THUDM/chatglm-6b" target="_blank">HF Repo</a> • 🐦 <a href="https://twitter.com/thukeg" target="_blank">Twitter</a> • 📃 <a href="https://arxiv.org/abs/2103.10360" target="_blank">[GLM@ACL 22]</a>
</p>
</div>

[English](README_en.md) | [简体中文](README.md)

## 介绍

ChatGLM-6B 是一个开源的、支持中英双语的对话语言模型，基于 [General Language Model (GLM)](https://github.com/THUDM/GLM) 架构，具有 62 亿参数。
"""


def test_title_and_summary_skip_badges_and_stop_at_sections():
    parsed = parse_readme(BADGES)
    assert parsed["title"] == "ToolKit"
    assert parsed["summary"] == ("ToolKit turns noisy field recordings into clean transcripts. "
                                 "It runs on an ordinary laptop.")
    assert parsed["description"] == BADGES.strip()


def test_html_rows_language_switcher_and_intro_section():
    parsed = parse_readme(HTML_HEADER)
    assert parsed["title"] == "ChatGLM-6B"
    assert parsed["summary"] == ("ChatGLM-6B 是一个开源的、支持中英双语的对话语言模型，"
                                 "基于 General Language Model (GLM) 架构，具有 62 亿参数。")


def test_html_heading_and_html_paragraph():
    text = ('<h1 align="center">Swahili Speech</h1>\n\n<p align="center"><img src="demo.gif"></p>\n\n'
            '<p>A speech recognition model for Kiswahili, trained on <b>radio</b> broadcasts.</p>\n')
    parsed = parse_readme(text)
    assert parsed["title"] == "Swahili Speech"
    assert parsed["summary"] == "A speech recognition model for Kiswahili, trained on radio broadcasts."


@pytest.mark.parametrize("heading", [
    "Introduction", "Table of Contents", "1. Overview", "📖 简介", "About", "Installation",
])
def test_section_headings_are_not_titles(heading):
    parsed = parse_readme(f"## {heading}\n\nThis project collects open speech data for low-resource languages.\n")
    assert parsed["title"] is None


@pytest.mark.parametrize("heading", ["Introduction", "1. Overview", "📖 简介", "About"])
def test_introductory_sections_give_the_summary(heading):
    parsed = parse_readme(f"## {heading}\n\nThis project collects open speech data for low-resource languages.\n")
    assert parsed["summary"] == "This project collects open speech data for low-resource languages."


def test_image_only_and_emoji_headings_are_skipped_and_titles_trimmed():
    text = "# ![logo](logo.png)\n\n# 🚀 FastChat:\n\nAn open platform for training and serving chat models.\n"
    assert parse_readme(text)["title"] == "FastChat"


def test_title_after_a_table_of_contents():
    text = "## Table of Contents\n\n- [Usage](#usage)\n\n# MyProj\n\nMyProj indexes field recordings by speaker.\n"
    parsed = parse_readme(text)
    assert (parsed["title"], parsed["summary"]) == ("MyProj", "MyProj indexes field recordings by speaker.")


def test_setext_heading_and_rst():
    assert parse_readme("My Tool\n=======\n\nA tool that does one thing and does it well.\n")["title"] == "My Tool"
    rst = ("=========\nRST Tool\n=========\n\n.. image:: https://badge.svg\n\n"
           "RST Tool reads `documents <https://x.org>`_ written in ``reStructuredText`` quickly.\n")
    parsed = parse_readme(rst, rst=True)
    assert parsed["title"] == "RST Tool"
    assert parsed["summary"] == "RST Tool reads documents written in reStructuredText quickly."


def test_summary_is_plain_text():
    text = ("# Lib\n\nA **fast** [YAML](https://yaml.org) parser for `Python`, with _no_ dependencies; "
            "see <https://lib.example.org> &amp; enjoy.\n")
    assert parse_readme(text)["summary"] == ("A fast YAML parser for Python, with no dependencies; "
                                             "see https://lib.example.org & enjoy.")


def test_code_quotes_lists_and_installation_sections_are_not_summaries():
    text = ("# Tool\n\n> [!NOTE]\n> This repository moved somewhere else entirely, see the new one.\n\n"
            "```\nthis is a code block with plenty of letters in it\n```\n\n"
            "- a list item that is long enough to look like prose\n\n"
            "## Installation\n\nRun the following command to install the tool from the package index.\n")
    parsed = parse_readme(text)
    assert parsed["title"] == "Tool"
    assert parsed["summary"] is None


def test_no_heading_gives_no_title():
    assert parse_readme("Just some prose about the project and what it does for people.\n")["title"] is None
    assert parse_readme("")["title"] is None


def test_front_matter_is_parsed_and_stripped():
    text = ("---\nlicense: mit\npipeline_tag: text-classification\n---\n"
            "# Sentiment\n\nA sentiment classifier for tweets in Hausa.\n")
    parsed = parse_readme(text)
    assert parsed["front_matter"] == {"license": "mit", "pipeline_tag": "text-classification"}
    assert parsed["title"] == "Sentiment"
    assert parsed["description"].startswith("# Sentiment")


def test_broken_front_matter_is_a_warning():
    parsed = parse_readme("---\nkey: [unclosed\n---\n# Title\n\nSome prose that is long enough here.\n")
    assert parsed["title"] == "Title"
    assert parsed["front_matter"] == {}
    assert parsed["warnings"] and "front matter" in parsed["warnings"][0]


def test_long_summary_is_cut_at_a_sentence():
    sentence = "This sentence describes one more feature of the toolkit in plain words. "
    summary = parse_readme("# T\n\n" + sentence * 10)["summary"]
    assert len(summary) <= SUMMARY_LIMIT
    assert summary.endswith("words.")


def test_trim_summary_falls_back_to_a_word_boundary():
    text = "word " * 100
    trimmed = trim_summary(text.strip())
    assert len(trimmed) <= SUMMARY_LIMIT and trimmed.endswith("word…")
    cjk = "模" * 400
    assert trim_summary(cjk) == "模" * (SUMMARY_LIMIT - 1) + "…"


def test_find_readme_prefers_markdown_and_ignores_case():
    assert find_readme(["setup.py", "readme.rst", "Readme.MD"]) == "Readme.MD"
    assert find_readme(["README.txt", "README"]) == "README.txt"
    assert find_readme(["README_zh.md", "docs"]) is None


@pytest.mark.parametrize("name, tag", [
    ("README_zh.md", "zh"),
    ("README.zh-CN.md", "zh-Hans"),
    ("README_zh_TW.md", "zh-Hant"),
    ("README-ko.md", "ko"),
    ("README.ja.md", "ja"),
    ("README_EN.md", "en"),
    ("README_CN.md", "zh-Hans"),
    ("README_JP.md", "ja"),
    ("README_KR.md", "ko"),
    ("README_TW.md", "zh-Hant"),
    ("readme.pt-br.md", "pt-BR"),
    ("README_AR.rst", "ar"),
])
def test_translation_tags(name, tag):
    assert translation_tag(name) == tag


@pytest.mark.parametrize("name", [
    "README.md", "README.dev.md", "README_old.md", "README-v2.md", "README.backup.md", "README_XX.md",
    "CONTRIBUTING_zh.md", "README_zh.png", "README_zh",
])
def test_translation_tag_rejections(name):
    assert translation_tag(name) is None
