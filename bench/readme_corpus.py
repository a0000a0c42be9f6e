"""GENERATED SAMPLE DATA for bench/search.py --corpus readme: registry entries with README-sized texts.

Nothing here is a real model, dataset or project. The generator aims at the shape of a real
registry of hub and forge entries, not its content:

- ten languages in five scripts (en, es, pt, fr, sw in Latin; ru in Cyrillic; ar; hi in
  Devanagari; zh-Hans and ja written without spaces), English the most frequent;
- per language a vocabulary of tens of thousands of words: a head of real words (function words
  and the field's terms) followed by generated pseudo-words, drawn with a Zipf-Mandelbrot law,
  so most tokens are common words and there is a long tail of words seen a handful of times;
  each entry also repeats a few topical words of its own, as real texts do;
- descriptions shaped like READMEs (headings, prose, a code block, a metrics table, links, a
  citation), log-normal in size: median about 2.7 KB (UTF-8), about 3 % between 10 and 50 KB;
- names, summaries, kinds, licences (a few very rare), tasks, tags, languages, frameworks and
  regions with skewed distributions, 10 % with a translation, 1 % hidden.

Everything is derived from the seed: the same seed gives the same corpus and the same query mix.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import numpy as np

LANGS = ("en", "es", "pt", "fr", "sw", "ru", "ar", "hi", "zh-Hans", "ja")
LANG_WEIGHTS = (46, 6, 5, 6, 4, 6, 6, 6, 9, 6)
UNSPACED = {"zh-Hans", "ja"}
VOCAB_SIZE = {"en": 80_000, "zh-Hans": 40_000}
DEFAULT_VOCAB = 40_000
ZIPF_S, ZIPF_Q = 1.05, 2.7
# The README size law's parameters (bytes): chosen so that the written texts' median is about
# 2.7 KB and about 3 % of them are over 10 KB (the template's fixed parts come on top).
README_MEDIAN, README_SIGMA = 2400, 0.70

# The head of each vocabulary: real words, most frequent first (function words, then the field's terms).
HEAD = {
    "en": "the of and to a in is for this with on that model data by are be from as it an or can you we at "
    "use using trained dataset language text training evaluation results performance task model's fine_tuned "
    "speech_recognition named_entity_recognition machine_translation question_answering language_model speech "
    "recognition translation corpus transformer neural network classification sentiment analysis "
    "tokenizer embedding vision image audio benchmark open source small large fast efficient multilingual "
    "news tweets question answering summarization generation named entity tagging parser dialect accent voice "
    "low resource african asian indian arabic chinese swahili spanish annotated labelled cleaned pretrained "
    "checkpoint inference quantized mobile edge server api library toolkit pipeline research paper university "
    "community volunteers collected licensed public domain archive accuracy score test validation split "
    "examples sentences tokens hours speakers recordings license citation usage limitations bias",
    "es": "de la que el en y los del se las por un para con una es al lo como más modelo_de_lenguaje modelo datos conjunto "
    "lenguaje texto voz reconocimiento traducción corpus entrenamiento análisis sentimiento noticias español "
    "mexicano etiquetado clasificación resumen pregunta respuesta abierto pequeño rápido comunidad "
    "universidad investigación evaluación resultados",
    "pt": "de a o que e do da em um para com não uma os no se na por mais reconhecimento_de_fala modelo dados linguagem aberto texto "
    "comunidade fala reconhecimento tradução análise notícias português brasileiro classificação pesquisa "
    "treinamento avaliação resultados conjunto",
    "fr": "de la le et les des en un une du est que pour dans qui sur par pas au avec analyse_des_sentiments modèle données langue "
    "texte ouvert communauté parole reconnaissance traduction corpus entraînement analyse sentiments "
    "actualités français classification résumé question réponse recherche évaluation résultats",
    "sw": "na ya wa kwa la za katika ni cha kama hii huu mfano data lugha wazi maandishi jamii hotuba utambuzi "
    "tafsiri hisia uchambuzi habari kiswahili chuo utafiti ndogo haraka sauti maswali majibu mafunzo tathmini "
    "matokeo",
    "ru": "и в не на с что по как это для из к от модель данные язык текст открытый сообщество речь "
    "распознавание перевод корпус обучение анализ тональность новости классификация исследование нейронная "
    "сеть оценка результаты набор",
    "ar": "في من على إلى أن هذا التي مع عن هذه نموذج بيانات لغة نص مفتوح مجتمع كلام التعرف ترجمة مجموعة "
    "تدريب تحليل المشاعر أخبار اللهجة العربية المصرية تصنيف بحث جامعة صوت أسئلة تقييم نتائج",
    "hi": "के है में की और को से का एक यह पर मॉडल डेटा भाषा पाठ खुला समुदाय वाक् पहचान अनुवाद संग्रह "
    "प्रशिक्षण विश्लेषण भावना समाचार हिन्दी देवनागरी वर्गीकरण अनुसंधान विश्वविद्यालय आवाज़ मूल्यांकन परिणाम",
    "zh-Hans": "的 是 在 了 和 有 我们 这个 使用 可以 一个 语音识别 模型 数据 数据集 语言 文本 开源 语音 识别 翻译 语料 "
    "训练 情感 分析 新闻 中文 普通话 方言 分类 摘要 问答 生成 轻量 高效 社区 大学 研究 图像 视觉 音频 评测 "
    "微调 推理 手机 机器翻译 自然语言处理 命名实体 分词 粤语 吴语 结果 评估",
    "ja": "の に は を た が で て と し れ さ ある いる この ニュース要約 モデル データ 言語 テキスト 公開 学習 音声 認識 "
    "翻訳 コーパス 感情 分析 ニュース 日本語 要約 分類 質問 回答 生成 軽量 研究 大学 形態素 解析 評価 結果",
}
HEADINGS = {
    "en": ("Model description", "Usage", "Training data", "Evaluation", "Limitations", "Citation"),
    "es": ("Descripción", "Uso", "Datos de entrenamiento", "Evaluación", "Limitaciones", "Cita"),
    "pt": ("Descrição", "Uso", "Dados de treinamento", "Avaliação", "Limitações", "Citação"),
    "fr": ("Description", "Utilisation", "Données d'entraînement", "Évaluation", "Limites", "Citation"),
    "sw": ("Maelezo", "Matumizi", "Data ya mafunzo", "Tathmini", "Mapungufu", "Marejeo"),
    "ru": ("Описание", "Использование", "Данные для обучения", "Оценка", "Ограничения", "Цитирование"),
    "ar": ("الوصف", "الاستخدام", "بيانات التدريب", "التقييم", "القيود", "الاستشهاد"),
    "hi": ("विवरण", "उपयोग", "प्रशिक्षण डेटा", "मूल्यांकन", "सीमाएँ", "उद्धरण"),
    "zh-Hans": ("模型简介", "使用方法", "训练数据", "评测结果", "局限性", "引用"),
    "ja": ("モデル概要", "使い方", "学習データ", "評価", "制限事項", "引用"),
}
END = {"zh-Hans": "。", "ja": "。", "ar": ".", "hi": "।"}

# Letters that generated words of each language are made of: (onsets, vowels, codas).
_LATIN = {
    "en": (
        "b c d f g h k l m n p r s t v w br cl cr dr fl gr pl pr sh st str th tr",
        "a e i o u ea ee oo ou ai",
        "n r s t l ck ng st nt rd",
    ),
    "es": ("b c d f g j l m n p r s t v z br cr pr tr ll ch", "a e i o u á é ó ia ue", "n s r l"),
    "pt": ("b c d f g j l m n p r s t v z br pr tr lh nh ch", "a e i o u ã õ é ê ó ei ou", "s r m l"),
    "fr": ("b c d f g j l m n p r s t v br cr pr tr ch", "a e i o u é è ê ou ai eu oi", "n r s t l x"),
    "sw": ("b ch d f g h j k l m n p s t w y z mb nd ng ny sh", "a e i o u", ""),
    "ru": ("б в г д ж з к л м н п р с т ф х ц ч ш щ ст пр кр тр", "а е и о у ы я ю э", "й н р с т л к"),
    "ar": ("ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي", "ا و ي", "ة"),
    "hi": ("क ख ग घ च छ ज झ ट ठ ड ढ त थ द ध न प फ ब भ म य र ल व श ष स ह", "ा ि ी ु ू े ै ो ौ", "ं ्"),
}
# The Han characters generated Chinese and Japanese words are made of (drawn with a skew, as real text's).
_HAN = list(
    dict.fromkeys(
        "".join(HEAD["zh-Hans"].split() + HEAD["ja"].split()) + "".join(chr(c) for c in range(0x4E00, 0x4E00 + 6000, 2))
    )
)
_HAN = [c for c in _HAN if "\u4e00" <= c <= "\u9fff"]
_KATAKANA = [chr(c) for c in range(0x30A2, 0x30F3) if chr(c) not in "ァィゥェォッャュョヮヰヱ"]
_HIRAGANA_TAIL = list("のにはをがでとしたてもるれい")


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _split("amina wei juan sofia kwame priya ivan fatima kenji lucas thandiwe omar maria chen anya tunde")
ORGS = 4000
BASES = _split("bert roberta xlm-roberta t5 mt5 whisper wav2vec2 gpt2 llama mistral bloom distilbert deberta electra")
SIZES = ["tiny", "small", "base", "medium", "large", "xl", "7b", "13b"]
TASKS = (
    ("text-classification", 14),
    ("translation", 10),
    ("automatic-speech-recognition", 9),
    ("text-generation", 12),
    ("token-classification", 7),
    ("question-answering", 6),
    ("summarization", 5),
    ("fill-mask", 6),
    ("sentence-similarity", 4),
    ("text-to-speech", 3),
    ("image-classification", 4),
    ("image-to-text", 2),
    ("object-detection", 2),
    ("feature-extraction", 3),
    ("zero-shot-classification", 1),
    ("audio-classification", 1),
    ("table-question-answering", 0.3),
    ("visual-question-answering", 0.5),
    ("text-to-image", 1),
)
# SPDX ids with their weights: a few licences used by one entry in tens of thousands.
LICENSES = (
    ("MIT", 30),
    ("Apache-2.0", 34),
    ("CC-BY-4.0", 10),
    ("CC-BY-SA-4.0", 4),
    ("CC-BY-NC-4.0", 4),
    ("CC0-1.0", 3),
    ("GPL-3.0-only", 3),
    ("BSD-3-Clause", 2),
    ("MIT OR Apache-2.0", 1.5),
    ("CC-BY-NC-SA-4.0", 2),
    ("AGPL-3.0-only", 0.6),
    ("LGPL-3.0-only", 0.4),
    ("MPL-2.0", 0.4),
    ("Unlicense", 0.5),
    ("BSD-2-Clause", 0.4),
    ("OFL-1.1", 0.05),
    ("EUPL-1.2", 0.03),
    ("Artistic-2.0", 0.01),
    ("Zlib", 0.005),
)
RARE_LICENSE = "Zlib"
FRAMEWORKS = (
    ("pytorch", 50),
    ("transformers", 40),
    ("tensorflow", 10),
    ("jax", 4),
    ("onnx", 5),
    ("gguf", 3),
    ("keras", 3),
    ("paddlepaddle", 0.5),
)
REGIONS = (
    ("US", 10),
    ("CN", 6),
    ("IN", 5),
    ("KE", 2),
    ("NG", 2),
    ("BR", 3),
    ("FR", 3),
    ("RU", 2),
    ("EG", 2),
    ("JP", 3),
    ("MX", 1.5),
    ("TZ", 1),
    ("ES", 2),
    ("PT", 0.5),
    ("SN", 0.3),
    (None, 40),
)
EXTRA_LANGS = _split("en fr es de zh-Hans ar hi sw yo ha ig am zu xh pt ru ja ko id vi tr")
TAGS = (
    "nlp",
    "asr",
    "low-resource",
    "benchmark",
    "multilingual",
    "african-languages",
    "cjk",
    "ocr",
    "tts",
    "lora",
    "quantized",
    "onnx",
    "safetensors",
    "gguf",
    "instruction-tuned",
    "chat",
    "code",
    "medical",
    "legal",
    "finance",
    "education",
    "news",
    "social-media",
    "speech",
    "vision",
    "dialect",
    "religious-texts",
    "wikipedia",
)
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "sw": "Swahili",
    "ru": "Russian",
    "ar": "Arabic",
    "hi": "Hindi",
    "zh-Hans": "Chinese",
    "ja": "Japanese",
}
METRICS = ("accuracy", "f1", "wer", "cer", "bleu", "chrf", "rouge-l", "exact-match", "perplexity")


def _han(rng: random.Random) -> str:
    # Log-uniform over the pool: the probability of the k-th character falls as 1/k, as in real text.
    return _HAN[int(len(_HAN) ** rng.random()) - 1]


def _weighted(pairs):
    values, weights = zip(*pairs, strict=False)
    return list(values), list(weights)


class Vocabulary:
    """One language's words, most frequent first, and a sampler of Zipf-distributed word ranks."""

    def __init__(self, lang: str, seed: int):
        self.lang = lang
        size = VOCAB_SIZE.get(lang, DEFAULT_VOCAB)
        head = [w.replace("_", " ") for w in HEAD[lang].split()]  # a few set phrases are one "word"
        rng = random.Random(f"{seed}-vocab-{lang}")
        seen = set(head)
        words = list(head)
        while len(words) < size:
            word = self._make(rng)
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        ranks = np.arange(1, size + 1, dtype=np.float64)
        weights = 1.0 / (ranks + ZIPF_Q) ** ZIPF_S
        self.cdf = np.cumsum(weights / weights.sum())
        self.cdf[-1] = 1.0
        self.probability = weights / weights.sum()

    def _make(self, rng: random.Random) -> str:
        lang = self.lang
        if lang == "zh-Hans":
            return "".join(_han(rng) for _ in range(rng.choice((1, 2, 2, 2, 3, 4))))
        if lang == "ja":
            if rng.random() < 0.4:  # a loan word in katakana
                return "".join(rng.choice(_KATAKANA) for _ in range(rng.randint(2, 6)))
            stem = "".join(_han(rng) for _ in range(rng.choice((1, 2, 2))))
            return stem + (rng.choice(_HIRAGANA_TAIL) if rng.random() < 0.3 else "")
        onsets, vowels, codas = (part.split() for part in _LATIN[lang])
        syllables = rng.choices((1, 2, 3, 4, 5), weights=(8, 30, 34, 20, 8))[0]
        word = ""
        for _i in range(syllables):
            word += rng.choice(onsets) + rng.choice(vowels)
            if codas and rng.random() < 0.25:
                word += rng.choice(codas)
        return word

    def draw(self, gen: np.random.Generator, n: int) -> np.ndarray:
        return np.searchsorted(self.cdf, gen.random(n), side="right")

    def rank_seen(self, entries: int, share: float, tokens_per_entry: float, times: float) -> int:
        """Return the rank of a word expected about ``times`` times in a corpus of that many entries."""
        expected = self.probability * entries * share * tokens_per_entry
        below = np.flatnonzero(expected <= times)
        return int(below[0]) if below.size else len(self.words) - 1


class ReadmeCorpus:
    """The generator: ``entry(n)`` returns one entry's columns and a translation or None."""

    def __init__(self, seed: int, now: datetime):
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        self.gen = np.random.default_rng(seed)
        self.vocab = {lang: Vocabulary(lang, seed) for lang in LANGS}
        self.bytes_per_token = {lang: self._bytes_per_token(lang) for lang in LANGS}
        self.tasks, self.task_weights = _weighted(TASKS)
        self.licenses, self.license_weights = _weighted(LICENSES)
        self.frameworks, self.framework_weights = _weighted(FRAMEWORKS)
        self.regions, self.region_weights = _weighted(REGIONS)

    def _bytes_per_token(self, lang: str) -> float:
        vocab = self.vocab[lang]
        sample = vocab.draw(np.random.default_rng(0), 4000)
        sep = 0 if lang in UNSPACED else 1
        return sum(len(vocab.words[i].encode()) + sep for i in sample) / len(sample)

    # -- text -----------------------------------------------------------------------------------
    def _tokens(self, lang: str, n: int, topical: np.ndarray) -> list[str]:
        vocab, gen = self.vocab[lang], self.gen
        ranks = vocab.draw(gen, n)
        mask = gen.random(n) < 0.12  # the entry's own topical words come back again and again
        ranks[mask] = topical[gen.integers(0, len(topical), int(mask.sum()))]
        words = vocab.words
        out = [words[r] for r in ranks]
        if lang != "en":  # technical English terms inside other languages' READMEs
            english = self.vocab["en"].words
            for i in np.flatnonzero(gen.random(n) < 0.04):
                out[int(i)] = english[int(gen.integers(20, 2000))]
        return out

    def _prose(self, lang: str, n: int, topical: np.ndarray) -> str:
        """Return about ``n`` tokens of paragraphs."""
        words = self._tokens(lang, n, topical)
        rng = self.rng
        sep = "" if lang in UNSPACED else " "
        end = END.get(lang, ".")
        paragraphs, sentences, i = [], [], 0
        while i < len(words):
            k = rng.randint(6, 24)
            chunk = words[i : i + k]
            if lang in UNSPACED:  # Latin words inside Chinese or Japanese text keep spaces around them
                text = "".join(f" {w} " if w.isascii() else w for w in chunk).strip()
            else:
                text = sep.join(chunk)
                text = text[:1].upper() + text[1:]
            sentences.append(text + end)
            i += k
            if len(sentences) >= rng.randint(2, 6) or i >= len(words):
                paragraphs.append(("" if lang in UNSPACED else " ").join(sentences))
                sentences = []
        return "\n\n".join(paragraphs)

    def _readme(self, e: dict, lang: str, target_bytes: int, topical: np.ndarray) -> str:
        rng = self.rng
        heads = HEADINGS[lang]
        slug = e["slug"]
        if e["kind"] == "model":
            code = (
                f"```bash\npip install {rng.choice(('transformers', 'torch', 'sentencepiece', 'onnxruntime'))}"
                f"=={rng.randint(1, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}\n```\n\n```python\n"
                f"from transformers import AutoModel, AutoTokenizer\n\n"
                f'tokenizer = AutoTokenizer.from_pretrained("{slug}")\n'
                f'model = AutoModel.from_pretrained("{slug}")\n'
                f'inputs = tokenizer("...", return_tensors="pt")\noutputs = model(**inputs)\n```'
            )
        elif e["kind"] == "dataset":
            code = (
                f'```python\nfrom datasets import load_dataset\n\nds = load_dataset("{slug}", '
                f'split="{rng.choice(("train", "test", "validation"))}")\nprint(ds[0])\n```'
            )
        else:
            code = f"```bash\ngit clone https://example.org/{slug}.git\ncd {slug.split('/')[-1][:30]}\nmake\n```"
        metrics = "\n".join(
            f"| {rng.choice(METRICS)} | {rng.choice(('test', 'validation', 'dev'))} | {rng.uniform(0.1, 99):.2f} |"
            for _ in range(rng.randint(2, 6))
        )
        table = f"| metric | split | value |\n|---|---|---|\n{metrics}"
        year = rng.randint(2018, 2026)
        author = rng.choice(FIRST_NAMES)
        cite = (
            f"```bibtex\n@inproceedings{{{author}{year}{rng.randint(1, 999)},\n  title = {{{e['name']}}},\n"
            f"  author = {{{author.title()} and others}},\n  year = {{{year}}},\n"
            f"  url = {{https://example.org/{slug}}}\n}}\n```"
        )
        fixed = len(code) + len(table) + len(cite) + 200
        tokens = max(30, int((target_bytes - fixed) / self.bytes_per_token[lang]))
        shares = (0.4, 0.25, 0.2, 0.15)
        prose = [self._prose(lang, max(5, int(tokens * s)), topical) for s in shares]
        badge = (
            (
                f"[![license](https://img.shields.io/badge/license-{e['license'].split()[0]}-blue)]"
                f"(https://example.org/{slug}/LICENSE)\n\n"
            )
            if rng.random() < 0.3
            else ""
        )
        paper = (
            f"[arXiv:{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}]"
            f"(https://arxiv.org/abs/{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d})\n\n"
            if rng.random() < 0.5
            else ""
        )
        return (
            f"# {e['name']}\n\n{badge}{e['summary']}\n\n## {heads[0]}\n\n{prose[0]}\n\n## {heads[1]}\n\n{code}\n\n"
            f"## {heads[2]}\n\n{prose[1]}\n\n{paper}## {heads[3]}\n\n{table}\n\n{prose[2]}\n\n"
            f"## {heads[4]}\n\n{prose[3]}\n\n## {heads[5]}\n\n{cite}\n"
        )

    # -- entries --------------------------------------------------------------------------------
    def entry(self, n: int) -> tuple[dict, dict | None]:
        rng, gen = self.rng, self.gen
        lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
        vocab = self.vocab[lang]
        topical = gen.integers(40, 4000, 20)
        kind = rng.choices(("model", "dataset", "project"), weights=(60, 30, 10))[0]
        task = rng.choices(self.tasks, weights=self.task_weights)[0]
        org = f"org{int(rng.paretovariate(0.7)) % ORGS}"
        if lang == "en" or rng.random() < 0.6:
            name = (
                f"{rng.choice(BASES)}-{rng.choice(SIZES)}-{LANGUAGE_NAMES[lang].lower()}-{task.split('-')[0]}"
                if kind == "model"
                else f"{LANGUAGE_NAMES[lang]} {' '.join(vocab.words[r] for r in topical[:2])} {kind}"
            )
        else:
            sep = "" if lang in UNSPACED else " "
            name = sep.join(vocab.words[int(r)] for r in topical[: rng.randint(2, 4)])
        name = f"{name} {n}"
        slug = f"{org}/{'-'.join(name.lower().split())[:60]}-{n}"
        summary_words = self._tokens(lang, rng.randint(8, 25), topical)
        sep = "" if lang in UNSPACED else " "
        summary = sep.join(summary_words) + END.get(lang, ".")
        languages = {lang} | set(rng.sample(EXTRA_LANGS, rng.choices((0, 1, 2, 5), weights=(70, 20, 7, 3))[0]))
        target = int(min(50_000, max(150, rng.lognormvariate(math.log(README_MEDIAN), README_SIGMA))))
        e = dict(
            slug=slug,
            kind=kind,
            name=name[:300],
            summary=summary,
            language=lang,
            languages=sorted(languages),
            license=rng.choices(self.licenses, weights=self.license_weights)[0],
            region=rng.choices(self.regions, weights=self.region_weights)[0],
            tasks=[task] + ([rng.choices(self.tasks, weights=self.task_weights)[0]] if rng.random() < 0.15 else []),
            tags=rng.sample(TAGS, rng.choices((0, 1, 2, 3, 6), weights=(20, 30, 25, 15, 10))[0]),
            frameworks=sorted(
                {
                    rng.choices(self.frameworks, weights=self.framework_weights)[0]
                    for _ in range(rng.choices((0, 1, 2, 3), weights=(30, 40, 20, 10))[0])
                }
            ),
            authors=[{"name": f"{rng.choice(FIRST_NAMES).title()} {rng.randint(1, 50000)}"}],
            hidden=rng.random() < 0.01,
            updated_at=self.now - timedelta(days=rng.randint(0, 1500), seconds=rng.randint(0, 86399)),
        )
        e["tasks"] = sorted(set(e["tasks"]))
        e["description"] = self._readme(e, lang, target, topical)
        translation = None
        if rng.random() < 0.10:
            other = "en" if lang != "en" else rng.choice(("es", "fr", "zh-Hans", "pt", "sw"))
            topical_other = gen.integers(40, 4000, 20)
            other_sep = "" if other in UNSPACED else " "
            translation = dict(
                lang=other,
                name=other_sep.join(self.vocab[other].words[int(r)] for r in topical_other[:3]),
                summary=other_sep.join(self._tokens(other, 15, topical_other)) + END.get(other, "."),
                description=self._prose(other, int(min(target, 6000) / self.bytes_per_token[other]), topical_other),
                origin="harvested",
            )
        return e, translation

    # -- the query mix ---------------------------------------------------------------------------
    def queries(self, entries: int) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the query mix: (class, request arguments) pairs; words taken from this corpus's vocabularies."""
        share = dict(zip(LANGS, (w / sum(LANG_WEIGHTS) for w in LANG_WEIGHTS), strict=False))
        tokens = {lang: 2700 / self.bytes_per_token[lang] for lang in LANGS}

        def word(lang: str, times: float) -> str:
            return self.vocab[lang].words[self.vocab[lang].rank_seen(entries, share[lang], tokens[lang], times)]

        def mid(lang: str) -> str:
            return self.vocab[lang].words[len(HEAD[lang].split()) + 200]

        def q(text: str, **more) -> list[tuple[str, str]]:
            args = [("q", text)] if text else []
            for key, value in more.items():
                for v in value if isinstance(value, list) else [value]:
                    args.append((key, str(v)))
            return args

        mix = []
        mix += [("word-frequent", q(w)) for w in ("model", "the", "data", "модель", "的")]
        mix += [
            ("word", q(w))
            for w in (
                "transformer",
                "speech",
                "hisia",
                "traducción",
                "нейронная",
                "المشاعر",
                "हिन्दी",
                "volunteers",
                "entraînement",
            )
        ]
        mix += [("word-mid", q(mid(lang))) for lang in ("en", "es", "fr", "sw", "ru", "ar", "hi")]
        mix += [("word-rare", q(word(lang, 30))) for lang in ("en", "pt", "ru", "hi")]
        mix += [("word-rare", q(word(lang, 3))) for lang in ("en", "fr", "ar")]
        mix += [
            ("words", q(t))
            for t in (
                "speech recognition swahili",
                "open source toolkit",
                "modelo de lenguaje",
                "analyse des sentiments",
                f"{mid('en')} {word('en', 300)}",
            )
        ]
        mix += [
            ("phrase", q(t))
            for t in ('"speech recognition"', '"named entity"', '"reconhecimento de fala"', '"fine tuned"')
        ]
        mix += [("prefix", q(t)) for t in ("trans*", "class*", "summar*", "mod*")]
        mix += [("cjk-1", q(t)) for t in ("模", "语", "ニ")]
        mix += [("cjk-2", q(t)) for t in ("模型", "数据", "语音", "要約")]
        mix += [("cjk-3+", q(t)) for t in ("语音识别", "机器翻译", "自然语言处理", "ニュース要約")]
        mix += [("language-name", q(t)) for t in ("kiswahili", "中文", "Arabic", "français")]
        mix += [("typo", q(t)) for t in ("transfomer", "swahli", "recogniton", "clasification")]
        mix += [("no-hits", q(t)) for t in ("zzyzx", "qwertyuiop", "𠀋𠀌")]
        mix += [
            ("hostile", q(t))
            for t in ('"', "(*) OR NEAR(a b, 2)", "'; DROP TABLE entries; --", "\\ ^ - AND", "a" * 200)
        ]
        mix += [
            ("filter", q("", kind="dataset")),
            ("filter", q("model", license="MIT")),
            ("filter", q("", language="sw")),
            ("filter", q("model", task="translation")),
            ("filter", q("speech", region=["KE", "NG"])),
            ("filter", q("", framework="jax")),
            ("filter", q("", license="Apache-2.0", language="zh-Hans")),
            ("filter", q("data", kind="model", framework="pytorch", task="text-classification")),
        ]
        mix += [
            ("filter-rare", q("", language="xx")),
            ("filter-rare", q("model", language="xx")),
            ("filter-rare", q("", license=RARE_LICENSE)),
            ("filter-rare", q("data", license=RARE_LICENSE)),
            ("filter-rare", q("", region="ZZ", kind="project")),
        ]
        mix += [
            ("sort-name", q("", sort="name")),
            ("sort-name", q("model", sort="name")),
            ("sort-name", q("", language="sw", sort="name")),
        ]
        mix += [("sort-updated", q(t, sort="updated")) for t in ("model", "the", "data")]
        mix += [("sort-relevance", q("speech", sort="relevance")), ("sort-relevance", q("", sort="relevance"))]
        mix += [
            ("deep-page", q("model", page=50)),
            ("deep-page", q("", page=50)),
            ("deep-page", q("data", sort="updated", page=50)),
            ("deep-page", q("", language="en", page=50)),
            ("deep-page", q("the", sort="name", page=50)),
            ("deep-page", q("speech", per_page=100, page=5)),
        ]
        mix += [("browse", q("")), ("browse", q("", per_page=100))]
        return mix
