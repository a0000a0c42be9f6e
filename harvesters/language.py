"""Human-language tags: normalize what files call themselves, detect what prose is written in."""

from __future__ import annotations

import functools
import re
from itertools import islice

import langcodes

# Upper-case codes that are valid languages (Kanuri, Twi) but, in a file name such as
# README_KR.md or README_TW.md, nearly always mean the country (Korea, Taiwan).
_COUNTRY_FIRST = {"KR", "TW"}

# Prose shorter than this (in letters) says too little for a reliable guess.
_MIN_LETTERS = 20
# The identifier's normalized probability below which we would rather say nothing.
_MIN_CONFIDENCE = 0.5
# Language identification settles long before this (a few paragraphs); more text only costs time.
_MAX_CHARS = 6_000

# Every repetition below has an upper bound: on hostile input ("[[[[…", "<<<<…") an
# unbounded one makes each match attempt scan to the end of the text, which is quadratic.
_FENCE = re.compile(r"^ {0,3}(```|~~~).*?(^ {0,3}\1[ \t]*$|\Z)", re.S | re.M)
_HTML_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
_INDENTED_CODE = re.compile(r"^(?: {4}|\t).*$", re.M)
_INLINE_CODE = re.compile(r"`[^`\n]{0,500}`")
_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,1000}\)")
_LINK = re.compile(r"\[([^\]\n]{0,500})\]\([^)\n]{0,1000}\)")
_REF_LINK = re.compile(r"\[([^\]\n]{0,500})\]\[[^\]\n]{0,200}\]")
_URL = re.compile(r"\b(?:https?|ftp)://\S{1,2000}|\bwww\.\S{1,2000}|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_TAG = re.compile(r"<[^>\n]{0,1000}>")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}.*$", re.M)
_MARKUP = re.compile(r"[#>*_=|~\[\]()`-]+")


def normalize_tag(tag: str) -> str | None:
    """Return a normalized BCP-47 tag (zh-Hans, pt-BR; CN→zh-Hans, JP→ja), or None if invalid."""
    tag = tag.strip().replace("_", "-")
    if not tag or len(tag) > 35:
        return None
    if "-" not in tag and tag.upper() in _COUNTRY_FIRST:
        return _language_of_country(tag)
    try:
        language = langcodes.Language.get(tag)
    except (langcodes.LanguageTagError, ValueError):
        language = None
    # Private-use (x-…) and undetermined (und) tags name no language a reader could pick.
    if (
        language is not None
        and language.is_valid()
        and re.fullmatch(r"[a-z]{2,3}", language.language or "")
        and language.language != "und"
    ):
        return _script_over_region(language).to_tag()
    if "-" not in tag:
        return _language_of_country(tag)
    return None


def _language_of_country(code: str) -> str | None:
    # The CLDR likely-subtags table (bundled with langcodes) says which language a country
    # most likely means; the script is kept only where the language has more than one in
    # common use, so CN gives zh-Hans and TW zh-Hant but JP gives plain ja.
    likely = langcodes.LIKELY_SUBTAGS.get(f"und-{code.upper()}")
    if not likely:
        return None
    language = langcodes.Language.get(likely)
    return language.update_dict({"territory": None}).simplify_script().to_tag()


def _script_over_region(language: langcodes.Language) -> langcodes.Language:
    # For languages written in several scripts (Chinese above all) the script is what a
    # reader needs; zh-CN and zh-TW are really zh-Hans and zh-Hant, so say so, and the
    # registry's language facet does not split one written language over two tags.
    if language.script or not language.territory or language.language in langcodes.DEFAULT_SCRIPTS:
        return language
    script = language.maximize().script
    if not script:
        return language
    return language.update_dict({"territory": None, "script": script})


def prose_from_markdown(text: str) -> str:
    """Strip code, URLs, HTML and Markdown syntax from a document, leaving its prose."""
    text = _FENCE.sub(" ", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _INDENTED_CODE.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _TABLE_RULE.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def detect_language(text: str) -> str | None:
    """Return the BCP-47 tag of the language a document's prose is written in, or None."""
    prose = prose_from_markdown(text[: _MAX_CHARS * 2])[:_MAX_CHARS]
    if len(list(islice(filter(str.isalpha, prose), _MIN_LETTERS))) < _MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(prose)
    if confidence < _MIN_CONFIDENCE:
        return None
    if code == "zh":
        return _chinese_script(prose)
    return normalize_tag(code)


@functools.cache
def _identifier():
    # Imported lazily: loading the bundled model takes a moment and most callers of this
    # module only normalize tags.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _chinese_script(text: str) -> str:
    # GB2312 holds Simplified characters and Big5 Traditional ones; a character only one of
    # the two can encode is a vote for that script. Shared characters (的, 模型) don't vote.
    simplified = traditional = 0
    for char in text:
        if ord(char) < 0x3400:
            continue
        in_gb = _encodable(char, "gb2312")
        in_big5 = _encodable(char, "big5")
        simplified += in_gb and not in_big5
        traditional += in_big5 and not in_gb
    if simplified >= 3 and simplified >= 4 * traditional:
        return "zh-Hans"
    if traditional >= 3 and traditional >= 4 * simplified:
        return "zh-Hant"
    return "zh"


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
