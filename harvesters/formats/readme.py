"""The README: an entry's name, summary, description and language, and its translations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..language import detect_language, normalize_tag
from ..names import same_language
from ..record import LANG_AUTO, RANK_README
from .common import read_text
from .front_matter import split_front_matter
from .markdown_text import Block, blocks, letters

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

#: Default README names, most preferred first; matched case-insensitively at the root.
README_NAMES = ("readme.md", "readme.markdown", "readme.rst", "readme.txt", "readme")

# README_zh.md, README.zh-CN.md, README-ko.md, README_EN.md. The first subtag must be two
# letters: three-letter suffixes are far more often words (dev, old, new) than languages.
_TRANSLATION = re.compile(r"^readme[._-]([a-z]{2}(?:[-_][a-z0-9]{2,8})*)\.(?:md|markdown|rst|txt)$", re.I)
SUMMARY_LIMIT = 300
_TITLE_LIMIT = 200
# Title and summary sit near the top; there is no need to read a whole manual for them.
_PARSE_CHARS = 200_000
_MIN_SUMMARY_LETTERS = 20

# Section headings that name a part of a document, not the project. Sections in the first
# set still introduce the project, so their first paragraph may serve as the summary.
_ABOUT_SECTIONS = {
    "introduction",
    "intro",
    "overview",
    "about",
    "about this project",
    "about the project",
    "abstract",
    "summary",
    "description",
    "model description",
    "model summary",
    "model details",
    "model card",
    "dataset description",
    "dataset summary",
    "dataset card",
    "background",
    "what is this",
    "简介",
    "介绍",
    "项目简介",
    "项目介绍",
    "模型介绍",
    "概述",
    "概览",
    "簡介",
    "介紹",
    "項目簡介",
    "概要",
    "はじめに",
    "소개",
    "개요",
}
_OTHER_SECTIONS = {
    "table of contents",
    "contents",
    "toc",
    "readme",
    "news",
    "latest news",
    "updates",
    "update",
    "whats new",
    "features",
    "key features",
    "highlights",
    "installation",
    "install",
    "setup",
    "getting started",
    "quick start",
    "quickstart",
    "usage",
    "how to use",
    "requirements",
    "dependencies",
    "examples",
    "example",
    "demo",
    "documentation",
    "docs",
    "license",
    "licence",
    "citation",
    "cite",
    "citing",
    "acknowledgements",
    "acknowledgments",
    "acknowledgement",
    "contributing",
    "contributors",
    "contact",
    "faq",
    "changelog",
    "roadmap",
    "todo",
    "results",
    "benchmark",
    "benchmarks",
    "evaluation",
    "performance",
    "training",
    "inference",
    "deployment",
    "references",
    "related work",
    "related projects",
    "disclaimer",
    "notice",
    "announcement",
    "announcements",
    "目录",
    "目錄",
    "新闻",
    "更新",
    "更新日志",
    "最新动态",
    "安装",
    "安裝",
    "快速开始",
    "快速上手",
    "使用",
    "使用方法",
    "使用说明",
    "示例",
    "引用",
    "协议",
    "开源协议",
    "许可证",
    "致谢",
    "联系我们",
    "常见问题",
    "声明",
    "免责声明",
    "目次",
    "インストール",
    "使い方",
    "목차",
    "설치",
    "사용법",
}


def find_readme(names: Iterable[str]) -> str | None:
    """Return the default README among root file names, or None."""
    by_lower = {name.lower(): name for name in sorted(names, reverse=True)}
    return next((by_lower[n] for n in README_NAMES if n in by_lower), None)


def translation_tag(filename: str) -> str | None:
    """Return the language tag of a translated README's file name (README_zh.md → zh), or None."""
    match = _TRANSLATION.match(filename)
    return normalize_tag(match.group(1)) if match else None


def parse_readme(text: str, *, rst: bool = False) -> dict[str, Any]:
    """Return a README's title, summary, description (front matter removed), front matter, warnings."""
    meta, body, error = split_front_matter(text)
    title = summary = None
    seen_prose = False
    summary_allowed = True
    for block in blocks(body[:_PARSE_CHARS], rst=rst):
        if block.kind == "heading":
            section = _section_name(block.text)
            if title is None and not seen_prose and block.level <= 2 and _is_title(block, section):
                title = _clean_title(block.text)
                summary_allowed = True  # the project's own introduction follows its title
            elif section:
                summary_allowed = section not in _OTHER_SECTIONS
            continue
        if not _is_prose(block):
            continue
        seen_prose = True
        if summary is None and summary_allowed:
            summary = trim_summary(block.text)
        if summary is not None:
            break  # no title can follow: a title comes before the prose
    return {
        "title": title,
        "summary": summary,
        "description": body.strip(),
        "front_matter": meta,
        "warnings": [error] if error else [],
    }


def trim_summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Shorten prose to at most ``limit`` characters, at a sentence end or else a word break."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|[。！？]", head)]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]].strip()
    space = head.rfind(" ", 0, limit - 1)
    cut = head[:space] if space >= limit // 3 else head[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def _section_name(text: str) -> str:
    # "1. Introduction", "📖 Table of Contents" and "What's new?" should all match the set.
    return " ".join("".join(ch if ch.isalpha() or ch.isspace() else " " for ch in text.lower()).split())


def _is_title(block: Block, section: str) -> bool:
    if letters(block.text) == 0 and not any(ch.isdigit() for ch in block.text):
        return False  # only an image, a badge or an emoji
    if section in _ABOUT_SECTIONS or section in _OTHER_SECTIONS:
        return False
    return not _is_navigation(block.text)


def _is_prose(block: Block) -> bool:
    count = letters(block.text)
    if count < _MIN_SUMMARY_LETTERS or block.link_letters > count / 2:
        return False
    if block.text.startswith("[!"):  # a GitHub call-out marker left over from a quote
        return False
    return not _is_navigation(block.text)


def _is_navigation(text: str) -> bool:
    # "Paper | Demo | Discord" and "English · 简体中文" rows: several short parts.
    parts = [p for p in re.split(r"\s*[|｜]\s*|\s[·•]\s", text) if p.strip()]
    if len(parts) >= 3:
        return sum(len(p) for p in parts) / len(parts) < 30
    return len(parts) == 2 and max(len(p) for p in parts) < 20


def _clean_title(text: str) -> str:
    # Emoji and decorations around a title ("🚀 FastChat:") are not part of the name.
    start, end = 0, len(text)
    while start < end and not (text[start].isalnum() or text[start] in "([\"'“"):
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ")]\"'”!?+"):
        end -= 1
    return text[start:end][:_TITLE_LIMIT].strip()


def find_translations(paths: Iterable[str], *, default: str | None) -> list[tuple[str, str]]:
    """Return (path, tag) of translated READMEs: ``README_zh.md`` at the root, ``docs/zh/README.md``."""
    found = []
    for path in sorted(paths):
        if path == default:
            continue
        parts = path.split("/")
        if len(parts) == 1:
            tag = translation_tag(path)
        elif len(parts) == 3 and parts[0].lower() == "docs" and parts[2].lower() in README_NAMES:
            tag = _folder_tag(parts[1])
        else:
            tag = None
        if tag:
            found.append((path, tag))
    return found


def _folder_tag(folder: str) -> str | None:
    # docs/zh/, docs/zh-CN/, docs/pt_BR/: the same rule as file suffixes (two letters first).
    if not re.fullmatch(r"[a-z]{2}(?:[-_][a-z0-9]{2,8})*", folder, re.I):
        return None
    return normalize_tag(folder)


def read_readme(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Offer name, summary, description and language from the README, and its translations."""
    names = checkout.root_files()
    default = find_readme(names)
    language = None
    if default is not None:
        text = read_text(checkout, default, record)
        if text is not None:
            language = _offer_default(record, default, text)
    docs = [p for p in checkout.list_files(max_depth=2) if p.lower().startswith("docs/")]
    seen: dict[str, str] = {}
    for path, tag in find_translations(names + docs, default=default):
        if language and same_language(tag, language):
            continue
        same = next((t for t in seen if same_language(t, tag)), None)
        if same is not None:
            record.warnings.append(f"{path} and {seen[same]} are both {same} translations; kept {seen[same]}")
            continue
        text = read_text(checkout, path, record)
        if text is None:
            continue
        seen[tag] = path
        parsed = parse_readme(text, rst=path.lower().endswith(".rst"))
        for field, value in (
            ("name", parsed["title"]),
            ("summary", parsed["summary"]),
            ("description", parsed["description"]),
        ):
            record.offer(field, value, origin=path, rank=RANK_README, lang=tag)


def _offer_default(record: HarvestedRecord, name: str, text: str) -> str | None:
    parsed = parse_readme(text, rst=name.lower().endswith(".rst"))
    record.warnings.extend(f"{name}: {warning}" for warning in parsed["warnings"])
    language = detect_language(parsed["description"])
    if language:
        language = regional_variant(language, parsed["description"])
        record.offer("language", language, origin=name, rank=RANK_README)
    lang = language or LANG_AUTO
    for field in ("title", "summary", "description"):
        record.offer("name" if field == "title" else field, parsed[field], origin=name, rank=RANK_README, lang=lang)
    return language


def regional_variant(language: str, text: str) -> str:
    """Refine a detected language with the region its README names as a tag (``pt`` → ``pt-BR``).

    Language identification tells Portuguese from Spanish, not Brazilian from European
    Portuguese; a README that writes ``pt-BR`` about itself says which.
    """
    if "-" in language:
        return language
    regions = set(re.findall(rf"(?<![\w-]){re.escape(language)}[-_]([A-Z]{{2}})(?![\w-])", text[:_PARSE_CHARS]))
    if len(regions) != 1:
        return language
    return normalize_tag(f"{language}-{regions.pop()}") or language
