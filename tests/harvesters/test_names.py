"""Language and country names found in words, from CLDR and language_data, not hand lists."""
from harvesters.names import countries_named, languages_named, same_language, text_language


def test_languages_named_in_keywords():
    assert languages_named(["hindi", "Marathi", "chinese-dialects", "sw", "yue", "mt", "ml", "nlp", "asr"],
                           prose=False) == ["hi", "mr", "zh", "sw", "yue"]


def test_languages_named_in_prose():
    assert languages_named(["Swahili tweets from Kenya, with English and Sheng"], prose=True,
                           text_language="en") == ["sw", "en"]
    assert languages_named(["clavier pour écrire le wolof et le français"], prose=True,
                           text_language="fr") == ["wo", "fr"]
    assert languages_named(["Written in Python and Java; we polish the output"], prose=True,
                           text_language="en") == []
    assert languages_named(["Moroccan Arabic speech"], prose=True, text_language="en") == ["ary"]
    assert languages_named(["कोड हिंदी में"], prose=True, text_language="hi") == ["hi"]


def test_countries_named():
    assert countries_named(["kenya", "saudi-arabia", "Sénégal", "japanese"], text_language="fr") == ["KE", "SA", "SN"]


def test_same_language_and_text_language():
    assert same_language("pt", "pt-BR") and not same_language("zh-Hans", "zh-Hant")
    assert text_language("Tiny Tweets (sample)", primary="en") == "en"
    assert text_language("吴语语料库", primary="zh-Hans") == "zh-Hans"
    english = "A sample corpus of Swahili tweets labelled for sentiment by two annotators, written for tests."
    assert text_language(english, primary="ar") == "en"
    assert text_language(english, primary="en") == "en"
    assert text_language("x", primary=None) is None
