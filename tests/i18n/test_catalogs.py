"""The eight interface catalogs: complete, placeholders intact, compiled files current, glossary kept.

When this fails after you added or changed an interface string, update the catalogs:

    .venv/bin/pybabel extract -F registry/translations/babel.cfg -k _l -k lazy_gettext \\
        --no-location --sort-output --omit-header -o registry/translations/messages.pot .
    .venv/bin/pybabel update -i registry/translations/messages.pot -d registry/translations \\
        --no-location --no-fuzzy-matching
    # translate the new entries of every registry/translations/<lang>/LC_MESSAGES/messages.po
    # (use the words of registry/translations/GLOSSARY.md), then:
    .venv/bin/pybabel compile -d registry/translations
"""
from __future__ import annotations

import re
from configparser import ConfigParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from registry.extensions import UI_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "registry" / "translations"
LANGUAGES = sorted(UI_LANGUAGES)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]")


def _method_map() -> list[tuple[str, str]]:
    """The (pattern, method) pairs of babel.cfg: `[python: registry/**.py]` → ("registry/**.py", "python")."""
    parser = ConfigParser()
    parser.read(TRANSLATIONS / "babel.cfg")
    pairs = []
    for section in parser.sections():
        method, _, pattern = section.partition(":")
        pairs.append((pattern.strip(), method.strip()))
    return pairs


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple, str]:
    """Every interface string in the code now, keyed by (context, msgid): extracted like pybabel does."""
    found = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=_method_map(), keywords=KEYWORDS, strip_comment_tags=True):
        key = (context, message if isinstance(message, str) else tuple(message))
        found[key] = message
    return found


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _plain(value):
    # .po files give plural ids and strings as tuples, .mo files as lists.
    return value if isinstance(value, str) or value is None else tuple(value)


def _key(message) -> tuple:
    return (message.context, _plain(message.id))


def test_the_code_has_interface_strings(source_messages):
    # A broken babel.cfg would find nothing and make every other check pass vacuously.
    assert len(source_messages) > 300
    assert (None, "Skip to content") in source_messages and (None, "Start a community") in source_messages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_of_the_code_is_translated(lang, source_messages):
    catalog = _catalog(lang)
    entries = {_key(m): m for m in catalog if m.id}
    missing = [key[1] for key in source_messages if key not in entries]
    assert not missing, f"{lang}: {len(missing)} strings have no translation, e.g. {missing[:5]} (see this file's docstring)"
    untranslated = [key[1] for key, m in entries.items() if key in source_messages and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, (tuple, list)) else m.string))]
    assert not untranslated, f"{lang}: empty or fuzzy translations: {untranslated[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_plural_forms(lang):
    catalog = _catalog(lang)
    forms = get_plural(lang).num_plurals
    problems = []
    for m in catalog:
        if not m.id:
            continue
        plural = isinstance(m.id, (tuple, list))
        wanted = set(PLACEHOLDER.findall(m.id[1] if plural else m.id))
        strings = list(m.string) if plural else [m.string]
        if plural and len(strings) != forms:
            problems.append((m.id, f"{len(strings)} plural forms, {lang} has {forms}"))
        for n, text in enumerate(strings):
            got = set(PLACEHOLDER.findall(text or ""))
            if plural and lang == "ar" and n < 3:
                # Arabic's zero, one and two forms say the number in words (عضوان: two members).
                got, expected = got - {"%(num)d"}, wanted - {"%(num)d"}
            else:
                expected = wanted
            if got != expected:
                problems.append((m.id, text))
    assert not problems, problems[:5]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogs_match_their_sources(lang):
    mo_path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"
    assert mo_path.is_file(), f"compile the catalogs: pybabel compile -d registry/translations ({lang})"
    with open(mo_path, "rb") as fh:
        compiled = {_key(m): _plain(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m): _plain(m.string) for m in _catalog(lang) if m.id and not m.fuzzy}
    assert compiled == source, f"{lang}: messages.mo is older than messages.po: pybabel compile -d registry/translations"


def test_the_glossary_covers_every_interface_language():
    glossary = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8")
    header = next(line for line in glossary.splitlines() if line.startswith("| English"))
    for lang in LANGUAGES:
        assert lang == "en" or f"({lang}" in header, lang
    assert glossary.count("\n| ") > 30


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_validation_messages_exist_in_every_language(lang):
    """WTForms' own messages ("This field is required."): from WTForms, or ours where it has none."""
    from wtforms.i18n import messages_path

    shipped = Path(messages_path()) / lang / "LC_MESSAGES" / "wtforms.mo"
    ours = TRANSLATIONS / lang / "LC_MESSAGES" / "wtforms.po"
    if lang == "en" or shipped.is_file():
        assert not ours.exists() or lang in ("hi", "sw")
        return
    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        wanted = {_key(m) for m in read_po(fh) if m.id}
    with open(ours, "rb") as fh:
        catalog = {_key(m): _plain(m.string) for m in read_po(fh, locale=lang) if m.id}
    assert set(catalog) == wanted and all(catalog.values())
    with open(ours.with_suffix(".mo"), "rb") as fh:
        assert {_key(m): _plain(m.string) for m in read_mo(fh) if m.id} == catalog
