"""Query parsing, tokens, language names and snippets, without a database."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.search import languages
from registry.search.languages import find_language
from registry.search.postgres import tsquery_literal
from registry.search.query import LANGUAGE_MARK, Clause, one_typo_away, parse_query
from registry.search.snippets import highlight, plain_text
from registry.search.sqlite import match_expression
from registry.search.text import MAX_TOKEN_CHARS, TOKEN, fold, tokens


def test_tokens_fold_case_and_accents_and_split_unspaced_scripts():
    assert tokens("Café Über-Transformer") == ["cafe", "uber", "transformer"]
    assert tokens("语音识别 GPT4中文") == ["语", "音", "识", "别", "gpt4", "中", "文"]
    assert tokens("هِنْدِيّ أحمد") == ["هندي", "احمد"]            # vowel marks dropped, hamza alef folded
    assert tokens("हिन्दी ओसीआर") == ["हिन्दी", "ओसीआर"]               # Indic vowel signs stay in the word
    assert tokens("ＡＢＣ") == ["abc"]


_MIXED = st.one_of(st.characters(max_codepoint=127), st.sampled_from(
    "\n\n\u00e9\u0301\u0308\u00b4\u2014\u00a0\ufb01\uff21\uff02\u2474\u4e2d\u6587\u30c6\u064e\u0623\u0928\u093f"
    "\u0130\u00df\u03a3\u0399\u0345\ue000"), st.characters())


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_MIXED, max_size=160))
def test_ascii_lines_get_the_same_tokens_as_the_unicode_path(text):
    # ASCII lines take a shortcut (lower case, runs of letters and digits); a word indexed one
    # way and queried the other would never be found.
    general = [m.group() for m in TOKEN.finditer(fold(text)) if len(m.group()) <= MAX_TOKEN_CHARS]
    assert tokens(text) == general


def test_parse_words_phrases_prefixes_exclusions_and_or():
    q = parse_query('speech "tiny model" trans* -noise hisia OR sentiment')
    assert [g.clauses for g in q.groups] == [
        [Clause(("speech",))], [Clause(("tiny", "model"))], [Clause(("trans",), prefix=True)],
        [Clause(("hisia",)), Clause(("sentiment",))]]
    assert q.excluded == [Clause(("noise",))]


def test_cjk_word_becomes_a_phrase_of_characters():
    assert parse_query("语音识别").groups[0].clauses == [Clause(("语", "音", "识", "别"))]
    assert parse_query("模*").groups[0].clauses == [Clause(("模",))]  # no prefix on one character


def test_language_names_in_any_script():
    for name, code in [("Chinese", "zh"), ("中文", "zh"), ("kiswahili", "sw"), ("العربية", "ar"),
                       ("हिन्दी", "hi"), ("español", "es"), ("Japanisch", "ja")]:
        assert code in find_language([" ".join(tokens(name))]), name
    group = parse_query("modern standard arabic corpus").groups[0]
    assert group.languages == {"ar"}
    assert Clause((LANGUAGE_MARK + "ar",)) in group.clauses
    assert parse_query('"chinese"').groups[0].languages == frozenset()  # quoted: only the word


def test_query_literals_quote_everything():
    q = parse_query('a"b \'c\' d\\e')
    assert match_expression(q) == '("a b") AND ("c") AND ("d e")'
    for text in ['"', "'", "\\", "a'b", 'x"y']:
        parsed = parse_query(text)
        for tok in [t for g in parsed.groups for c in g.clauses for t in c.tokens]:
            assert "'" not in tok and '"' not in tok and "\\" not in tok
    assert tsquery_literal(parse_query("o'brien")) == "(('o' <-> 'brien'))"


def test_one_typo_away():
    candidates = one_typo_away("swahli")
    assert "swahili" in candidates and "swhali" in candidates and "swahl" in candidates
    assert one_typo_away("abcd") == []


def test_highlight_marks_words_and_keeps_text_plain():
    snippet = highlight("A <b>tiny</b> transformer for Swahili", ["transformer"])
    assert ("transformer", True) in snippet.segments
    assert "".join(t for t, _ in snippet.segments) == "A <b>tiny</b> transformer for Swahili"
    cjk = highlight("轻量级的中文语音识别模型", ["语", "音"])
    assert ("语音", True) in cjk.segments
    assert highlight("nothing here", ["absent"]) is None
    assert plain_text("# Title\n\n[link text](https://x.example) and `code`") == "Title link text and code"


@pytest.mark.slow
def test_the_shipped_language_names_are_those_babel_gives_today(tmp_path):
    # Built from every CLDR locale (a few seconds): a Babel upgrade or a change to how names are
    # folded into keys must come with the file written again (python -m registry.search.languages).
    built = languages.build_language_names()
    assert languages.read_table() == built, "registry/search/data/language-names.tsv is stale"
    languages.write_table(built, tmp_path / "names.tsv")
    assert (tmp_path / "names.tsv").read_text(encoding="utf-8") == languages.TABLE.read_text(encoding="utf-8")
