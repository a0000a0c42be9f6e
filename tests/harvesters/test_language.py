import pytest

from harvesters.language import detect_language, normalize_tag, prose_from_markdown

PARAGRAPHS = {
    "en": ("This repository contains the code and weights for a small sentiment analysis model trained on "
           "product reviews. It is released so that researchers can reproduce our results."),
    "zh-Hans": ("ChatGLM-6B 是一个开源的、支持中英双语的对话语言模型，基于 General Language Model (GLM) 架构，"
                "具有 62 亿参数。结合模型量化技术，用户可以在消费级的显卡上进行本地部署。"),
    "zh-Hant": ("這是一個開源的、支援中英雙語的對話語言模型，基於通用語言模型架構，具有六十二億參數。"
                "結合模型量化技術，使用者可以在消費級的顯示卡上進行本地部署。"),
    "ar": ("يحتوي هذا المستودع على نموذج لغوي مفتوح المصدر لمعالجة اللغة العربية، تم تدريبه على مجموعة كبيرة "
           "من النصوص الإخبارية والأدبية. يمكن استخدامه لتصنيف النصوص والإجابة عن الأسئلة."),
    "sw": ("Hifadhi hii ina mkusanyiko wa data wa sentensi za Kiswahili zilizokusanywa kutoka kwenye magazeti "
           "na redio. Lengo letu ni kusaidia watafiti kujenga mifumo ya kutafsiri na kutambua sauti."),
    "es": ("Este repositorio contiene un modelo de lenguaje entrenado con textos en español de América Latina. "
           "Lo publicamos para que otros investigadores puedan reproducir nuestros resultados."),
    "hi": ("यह रिपॉजिटरी हिंदी भाषा के लिए एक खुला भाषा मॉडल प्रदान करती है, जिसे समाचार लेखों और विकिपीडिया के पाठ "
           "पर प्रशिक्षित किया गया है। इसका उपयोग पाठ वर्गीकरण के लिए किया जा सकता है।"),
}


@pytest.mark.parametrize("tag", sorted(PARAGRAPHS))
def test_detect_language(tag):
    assert detect_language(PARAGRAPHS[tag]) == tag


def test_detection_ignores_code_urls_and_markup():
    text = ("# Modelo\n\n[![badge](https://img.shields.io/x.svg)](https://ci.example.org)\n\n"
            "```python\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained('org/model')\n"
            "print(model.config)\n```\n\n" + PARAGRAPHS["es"] + "\n\nVisit https://example.org/docs/getting-started.\n")
    assert detect_language(text) == "es"
    assert "AutoModel" not in prose_from_markdown(text)


def test_detection_reads_past_kilobytes_of_badges_and_tables():
    # Many READMEs open with rows of badge links or a wide table before their first sentence.
    badges = "".join(f'<a href="https://ci.example.org/{n}"><img src="https://img.shields.io/b{n}.svg"></a>\n'
                     for n in range(90))
    table = "| a | b | c |\n|---|---|---|\n" + "".join(f"| {n} | {n * 2} | {n * 3} |\n" for n in range(250))
    for opening in (badges, table):
        assert len(opening) > 4500  # more than the first 2,500 characters of prose would see
        assert detect_language(opening + "\n" + PARAGRAPHS["sw"] * 3) == "sw"


@pytest.mark.parametrize("text", ["", "ok", "# T\n\n```\nimport torch\nmodel = load('x')\n```\n", "12345 67890 !!"])
def test_too_little_prose_gives_none(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("raw, tag", [
    ("en", "en"), ("EN", "en"), ("pt-br", "pt-BR"), ("pt_BR", "pt-BR"), ("zh-hans", "zh-Hans"),
    ("zh-cn", "zh-Hans"), ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh", "zh"), ("sr-latn-rs", "sr-Latn-RS"),
    ("iw", "he"), ("es-419", "es-419"), ("ja-JP", "ja-JP"),
    ("CN", "zh-Hans"), ("TW", "zh-Hant"), ("JP", "ja"), ("KR", "ko"), ("cn", "zh-Hans"), ("UA", "uk"),
])
def test_normalize_tag(raw, tag):
    assert normalize_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "xx", "und", "x-private", "not a tag", "q", "123", "a" * 40])
def test_normalize_tag_rejects_invalid(raw):
    assert normalize_tag(raw) is None
