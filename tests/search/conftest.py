"""Fixtures for search tests: a small multilingual registry built through the real apply path."""
from __future__ import annotations

import pytest

from registry.db import read_session
from registry.services.listing import EntryQuery, list_entries
from tests.helpers import add_entry

#: Entries whose right answer is obvious to a reader of the language; each has decoys nearby.
MULTILINGUAL = {
    "beijing/mandarin-asr": dict(kind="model", name="普通话语音识别", language="zh-Hans", languages=["zh-Hans"],
                                 summary="轻量级的中文语音识别模型，适合在手机上运行。",
                                 description="# 普通话语音识别\n\n基于 Conformer 的语音识别模型，支持实时转写。",
                                 tasks=["automatic-speech-recognition"], license="Apache-2.0", region="CN"),
    "shanghai/zh-sentiment": dict(kind="dataset", name="中文情感分析数据集", language="zh-Hans", languages=["zh-Hans"],
                                  summary="电商评论的情感标注数据，共十万条。",
                                  description="数据来自公开评论，标注为正面、负面和中性。", tasks=["text-classification"],
                                  license="CC-BY-4.0", region="CN"),
    "tokyo/summarizer": dict(kind="model", name="日本語ニュース要約", language="ja", languages=["ja"],
                             summary="ニュース記事を三文に要約するモデルです。", tasks=["summarization"], license="MIT",
                             region="JP"),
    "cairo/dialect-id": dict(kind="model", name="تحديد اللهجات العربية", language="ar", languages=["ar"],
                             summary="نموذج للتعرف على اللهجة العربية من النص: المصرية والشامية والخليجية.",
                             tasks=["text-classification"], license="MIT", region="EG"),
    "pune/hindi-ocr": dict(kind="project", name="हिन्दी ओसीआर टूलकिट", language="hi", languages=["hi"],
                           summary="देवनागरी लिपि में छपे दस्तावेज़ों से पाठ निकालने का उपकरण।",
                           tasks=["image-to-text"], license="GPL-3.0-only", region="IN"),
    "nairobi/sw-sentiment": dict(kind="model", name="Uchambuzi wa Hisia", language="sw", languages=["sw"],
                                 summary="Mfano wa kuchambua hisia katika tweets za Kiswahili.",
                                 tasks=["text-classification"], license="Apache-2.0", region="KE"),
    "mexico/etiquetador": dict(kind="project", name="Etiquetador morfológico", language="es", languages=["es"],
                               summary="Etiquetado de categorías gramaticales para el español de México.",
                               tasks=["token-classification"], license="MIT", region="MX"),
    "acme/transformer-tiny": dict(kind="model", name="Transformer Tiny", language="en", languages=["en"],
                                  summary="A small transformer language model for English text generation.",
                                  tasks=["text-generation"], tags=["transformer", "small"], license="MIT",
                                  frameworks=["pytorch"]),
    "acme/speech-corpus": dict(kind="dataset", name="Speech Corpus", language="en", languages=["en", "sw"],
                               summary="Read speech recordings in English and Swahili with transcripts.",
                               tasks=["automatic-speech-recognition"], license="CC0-1.0", region="KE"),
    "acme/model-zoo": dict(kind="project", name="Model Zoo", language="en", languages=["en"],
                           summary="A list of models: 中文, العربية, हिन्दी and more, for comparison.",
                           license="MIT"),
}


@pytest.fixture
def multilingual(app):
    """A registry holding MULTILINGUAL, plus an English entry with a Chinese translation."""
    for slug, fields in MULTILINGUAL.items():
        add_entry(app, slug, **fields)
    add_entry(app, "lab/reader", kind="model", name="Document Reader", language="en", languages=["en"],
              summary="Reads scanned forms.", translations={
                  "zh-Hans": {"name": "文档阅读器", "summary": "读取扫描的表格。", "description": "", "origin": "README_zh.md"}})
    return app


def search(app, q="", **kw):
    """Run list_entries in an app context and return the page."""
    with app.app_context():
        return list_entries(read_session(), query=EntryQuery(q=q, **kw))


def slugs(app, q="", **kw):
    """Return the slugs of the first page of results, best first."""
    return [item.slug for item in search(app, q, **kw).items]
