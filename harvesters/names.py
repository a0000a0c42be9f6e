"""Languages and countries named in words ("hindi", "Swahili tweets", "saudi-arabia"), and the
language a short text is written in, judged against the README's.

Names come from the CLDR and Wikidata data that langcodes (language_data) and Babel bundle,
never from a hand-written list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import langcodes
import regex
from babel import Locale, UnknownLocaleError

from .language import detect_language, normalize_tag

# A language named in prose must have this many speakers: names of small languages are
# too often ordinary words ("Even", "Bench"), and a model for them says so in its metadata.
_MIN_SPEAKERS = 1_000_000
# Shorter words are too often something else ("Dan", "Lao", "Ga", "Yi").
_MIN_NAME_LETTERS = 4
# Two-letter tags that in a keyword list nearly always mean something else:
# machine translation, machine learning, computer vision, information technology.
_AMBIGUOUS_CODES = {"mt", "ml", "cv", "it"}
_LATIN = regex.compile(r"^[\p{Latin}\p{M}' ’]+$")
_WORD = regex.compile(r"[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)?")
# Scripts a language tag's script may be written with (Japanese mixes three, Korean two).
_SCRIPT_GROUPS = {"Hans": ("Hani",), "Hant": ("Hani",), "Jpan": ("Hani", "Hira", "Kana"), "Kore": ("Hang", "Hani")}
# Below this many letters a text is a title or a name: its language is judged by its script.
_SHORT_TEXT = 80


def split_words(text: str) -> list[str]:
    """Return the words of a text or a tag (``saudi-arabia`` → ``saudi``, ``arabia``)."""
    return _WORD.findall(text[:5000])


def languages_named(texts: Iterable[str], *, prose: bool, text_language: str | None = None) -> list[str]:
    """Return the BCP-47 tags of languages named in texts, in order of first mention.

    In ``prose`` (a title, a summary) names must be written as names: capitalized when they are
    English names. Keywords and tags may also be bare codes (``sw``, ``yue``).
    """
    found: list[str] = []
    for text in texts:
        if not prose:
            code = _code(text.strip())
            if code:
                found.append(code)
                continue
        words = split_words(text)
        i = 0
        while i < len(words):
            pair = f"{words[i]} {words[i + 1]}" if i + 1 < len(words) else None
            tag = _language_name(pair, prose=prose, text_language=text_language) if pair else None
            if tag:
                found.append(tag)
                i += 2
                continue
            tag = _language_name(words[i], prose=prose, text_language=text_language)
            if tag:
                found.append(tag)
            i += 1
    return list(dict.fromkeys(found))


def _code(text: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", text) or text.lower() in _AMBIGUOUS_CODES:
        return None
    tag = normalize_tag(text) if text.islower() or "-" in text or "_" in text else None
    if tag is None:
        return None
    language = langcodes.Language.get(tag)
    # Three-letter codes collide with abbreviations (asr, nlp): only widely spoken ones count.
    if len(language.language or "") == 3 and language.speaking_population() < _MIN_SPEAKERS:
        return None
    return tag


@functools.lru_cache(maxsize=4096)
def _language_name(word: str, *, prose: bool, text_language: str | None) -> str | None:
    latin = bool(_LATIN.match(word))
    if latin and sum(ch.isalpha() for ch in word) < _MIN_NAME_LETTERS:
        return None
    try:
        language = langcodes.find(word)
    except LookupError:
        return None
    if language.language in (None, "und", "mul", "zxx") or not language.is_valid():
        return None
    english = language.display_name("en")
    names = {english.casefold(), language.autonym().casefold()}
    if text_language:
        names.add(language.display_name(text_language).casefold())
    if latin and word.casefold() not in names:
        # langcodes also matches old and alternative names ("Java" → Javanese), which in Latin
        # script are too often ordinary words. Names in other scripts (हिंदी) are names.
        return None
    if prose and word.casefold() == english.casefold() and word[0].islower() and _capitalizes(text_language):
        return None  # "polish the output" is not about Polish
    if language.speaking_population() < _MIN_SPEAKERS:
        return None
    return normalize_tag(language.simplify_script().to_tag())


def _capitalizes(text_language: str | None) -> bool:
    # English writes language names with a capital letter; French or Spanish do not.
    return text_language is None or text_language.split("-")[0] in ("en", "de")


@functools.lru_cache(maxsize=64)
def _territory_names(locale: str) -> dict[str, str]:
    try:
        territories = Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        return {}
    return {
        name.casefold(): code
        for code, name in territories.items()
        if re.fullmatch(r"[A-Z]{2}", code) and code not in ("EU", "EZ", "UN", "ZZ", "QO", "XA", "XB")
    }


def countries_named(texts: Iterable[str], *, text_language: str | None = None) -> list[str]:
    """Return ISO 3166 codes of countries named in keywords or tags (``kenya``, ``saudi-arabia``)."""
    locales = ["en"] + ([text_language] if text_language and text_language != "en" else [])
    found: list[str] = []
    for text in texts:
        phrase = " ".join(split_words(text)).casefold()
        for locale in locales:
            code = _territory_names(locale).get(phrase)
            if code:
                found.append(code)
                break
    return list(dict.fromkeys(found))


def same_language(a: str, b: str) -> bool:
    """Tell whether two tags name one written language (``pt`` and ``pt-BR`` do; ``zh-Hans`` and ``zh-Hant`` don't)."""
    try:
        return langcodes.tag_distance(a, b) < 10
    except (langcodes.LanguageTagError, ValueError):
        return a.lower() == b.lower()


@functools.lru_cache(maxsize=256)
def _script_pattern(tag: str) -> regex.Pattern[str] | None:
    try:
        script = langcodes.Language.get(tag).maximize().script
    except (langcodes.LanguageTagError, ValueError):
        return None
    if not script:
        return None
    scripts = _SCRIPT_GROUPS.get(script, (script,))
    try:
        return regex.compile("|".join(rf"\p{{sc={s}}}" for s in scripts))
    except regex.error:
        return None


def written_in_script_of(text: str, tag: str) -> bool:
    """Tell whether most letters of a text are in the script a language is written in."""
    pattern = _script_pattern(tag)
    letters = sum(ch.isalpha() for ch in text)
    if pattern is None or letters == 0:
        return False
    return len(pattern.findall(text)) >= 0.6 * letters


def text_language(text: str, *, primary: str | None) -> str | None:
    """Return the language a metadata text is in, preferring ``primary`` (the README's) when it fits.

    Titles and other short texts say too little for language identification; they are taken to
    be in the README's language when written in its script. None means "cannot tell".
    """
    if primary is None:
        return detect_language(text)
    same_script = written_in_script_of(text, primary)
    if sum(ch.isalpha() for ch in text) < _SHORT_TEXT:
        return primary if same_script else detect_language(text)
    detected = detect_language(text)
    if detected is None:
        return primary if same_script else None
    return primary if same_language(detected, primary) else detected
