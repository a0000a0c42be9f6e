"""Search benchmark: N synthetic multilingual entries, a fixed query mix with facet counts, latencies.

    python bench/search.py --entries 100000 --backend sqlite --json out.json
    python bench/search.py --entries 100000 --backend postgres --json out.json \
        [--database-url postgresql://postgres@127.0.0.1/postgres]
    python bench/search.py --corpus readme --entries 100000 --keep /tmp/readme-100k.db --compare --json out.json
    python bench/search.py --corpus readme --keep /tmp/readme-100k.db --http --clients 4 --json out.json

Entries are written in bulk (not through the harvester: that would measure git), then the
index is built with the real `reindex` and every query goes through the real `list_entries`,
facet counts included. The first query, timed apart, reads the index into the process's
in-memory copy (`--database-only` turns the copy off). PostgreSQL runs in a fresh database
that is dropped afterwards.

Two corpora (`--corpus`), both generated sample data:
- `small` (the default, so that reports stay comparable with the earlier ones in bench/README.md):
  nine languages, short descriptions from a few hundred words, and its own mix of 45 queries;
- `readme` (bench/readme_corpus.py): ten languages, vocabularies of tens of thousands of words
  per language, README-sized descriptions (median about 2.7 KB, about 3 % over 10 KB), and a
  wider mix of about 100 queries that also takes the paths that walk every entry (rare and
  unused filter values, `sort=name`, `sort=updated` on frequent words, deep pages).

`--compare` runs every query of the mix on the in-memory copy and on the database alone, in
the same process, and lists each query whose total, facets or page differ. `--http` serves the
same database with gunicorn as `make serve` does (2 workers, the warming hook) and replays the
mix through `/api/v1/entries` with `--clients` concurrent clients. Every run reports its write
and `reindex` times, peak memory, the first query's load time and the index's size on disk.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from bench.measure import PeakSampler, machine
from registry import create_app
from registry.db import get_engine, make_engine, upgrade_schema
from registry.facets import facet_values
from registry.models import Entry, FacetValue, Translation
from registry.search import backend_for, bulk, memory, reindex
from registry.services.listing import list_entries, parse_entry_query

# Small vocabularies per language; words are drawn with a Zipf-like skew, as in real text.
WORDS = {
    lang: text.split()
    for lang, text in {
        "en": (
            "model data dataset open language text speech recognition translation corpus training fine tuned "
            "transformer neural network classification sentiment analysis tokenizer embedding vision image "
            "audio benchmark evaluation open source small large fast efficient multilingual news tweets "
            "question answering summarization generation named entity tagging parser dialect accent voice "
            "low resource african asian indian arabic chinese swahili spanish annotated labelled cleaned "
            "pretrained checkpoint inference quantized mobile edge server api library toolkit pipeline "
            "research paper university community volunteers collected licensed public domain archive"
        ),
        "es": (
            "modelo datos conjunto abierto lenguaje texto voz reconocimiento traducción corpus entrenamiento análisis "
            "sentimiento noticias español mexicano etiquetado morfológico clasificación resumen pregunta "
            "respuesta abierto pequeño rápido comunidad universidad investigación"
        ),
        "sw": (
            "mfano data lugha wazi maandishi jamii hotuba utambuzi tafsiri hisia uchambuzi habari kiswahili "
            "chuo utafiti wazi ndogo haraka sauti maswali majibu mafunzo"
        ),
        "pt": (
            "modelo dados linguagem aberto texto comunidade fala reconhecimento tradução análise notícias manchetes português "
            "brasileiro classificação pesquisa"
        ),
        "ru": (
            "модель данные язык текст открытый сообщество речь распознавание перевод корпус обучение анализ "
            "тональность новости классификация исследование нейронная сеть"
        ),
        "ar": (
            "نموذج بيانات لغة نص مفتوح مجتمع كلام التعرف ترجمة مجموعة تدريب تحليل المشاعر أخبار اللهجة "
            "العربية المصرية تصنيف بحث جامعة صوت أسئلة"
        ),
        "hi": (
            "मॉडल डेटा भाषा पाठ खुला समुदाय वाक् पहचान अनुवाद संग्रह प्रशिक्षण विश्लेषण भावना समाचार "
            "हिन्दी देवनागरी वर्गीकरण अनुसंधान विश्वविद्यालय आवाज़"
        ),
        "zh-Hans": (
            "模型 数据 数据集 语言 文本 开源 语音 识别 翻译 语料 训练 情感 分析 新闻 中文 普通话 方言 分类 "
            "摘要 问答 生成 轻量 高效 社区 大学 研究 图像 视觉 音频 评测 微调 推理 手机 机器翻译 "
            "自然语言处理 命名实体 分词 粤语 吴语"
        ),
        "ja": (
            "モデル データ 言語 テキスト 公開 学習 音声 認識 翻訳 コーパス 感情 分析 ニュース 日本語 要約 分類 "
            "質問 回答 生成 軽量 研究 大学 形態素 解析"
        ),
    }.items()
}
LANGUAGE_WEIGHTS = {"en": 40, "zh-Hans": 14, "es": 8, "sw": 6, "pt": 6, "ru": 6, "ar": 7, "hi": 7, "ja": 6}
TASKS = [
    "automatic-speech-recognition",
    "translation",
    "text-classification",
    "summarization",
    "token-classification",
    "question-answering",
    "text-generation",
    "image-to-text",
]
LICENSES = ["MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "GPL-3.0-only", "MIT OR Apache-2.0", "CC-BY-SA-4.0"]
REGIONS = ["KE", "CN", "IN", "EG", "MX", "BR", "JP", "RU", "NG", "US", "FR", None]
FRAMEWORKS = ["pytorch", "tensorflow", "jax", "onnx", "transformers"]
TAGS = ["nlp", "asr", "low-resource", "benchmark", "tiny", "multilingual", "african-languages", "cjk", "ocr", "tts"]

QUERIES = [
    ("cjk-1", "模", {}),
    ("cjk-1", "语", {}),
    ("cjk-1", "ニ", {}),
    ("cjk-2", "模型", {}),
    ("cjk-2", "数据", {}),
    ("cjk-2", "语音", {}),
    ("cjk-2", "要約", {}),
    ("cjk-3+", "语音识别", {}),
    ("cjk-3+", "机器翻译", {}),
    ("cjk-3+", "自然语言处理", {}),
    ("cjk-3+", "ニュース要約", {}),
    ("word", "transformer", {}),
    ("word", "speech", {}),
    ("word", "hisia", {}),
    ("word", "traducción", {}),
    ("word", "нейронная", {}),
    ("word", "المشاعر", {}),
    ("word", "हिन्दी", {}),
    ("word", "volunteers", {}),
    ("words", "speech recognition swahili", {}),
    ("words", "open source toolkit", {}),
    ("prefix", "trans*", {}),
    ("prefix", "class*", {}),
    ("prefix", "summar*", {}),
    ("phrase", '"speech recognition"', {}),
    ("phrase", '"named entity"', {}),
    ("language-name", "kiswahili", {}),
    ("language-name", "中文", {}),
    ("language-name", "Arabic", {}),
    ("facets", "", {"language": ["sw"]}),
    ("facets", "model", {"kind": ["dataset"]}),
    ("facets", "", {"license": ["MIT"], "language": ["zh-Hans"]}),
    ("facets", "speech", {"task": ["automatic-speech-recognition"], "region": ["KE", "NG"]}),
    ("no-hits", "zzyzx", {}),
    ("no-hits", "qwertyuiop", {}),
    ("no-hits", "不存在", {}),
    ("typo", "transfomer", {}),
    ("typo", "swahli", {}),
    ("typo", "recogniton", {}),
    ("hostile", '"', {}),
    ("hostile", "(*) OR NEAR(a b, 2)", {}),
    ("hostile", "'; DROP TABLE entries; --", {}),
    ("hostile", "\\ ^ - AND", {}),
    ("hostile", "a" * 200, {}),
    ("browse", "", {}),
]


#: Letters that pseudo-words of each script are made of: the long tail of a real vocabulary
#: (names, rare terms) that a few hundred real words alone would lack.
SYLLABLES = {
    "latin": [c + v for c in "bdfghklmnprstvwyz" for v in "aeiou"],
    "ru": [c + v for c in "бвгдзклмнпрстфхч" for v in "аеиоуыя"],
    "ar": list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
    "hi": [c + v for c in "कखगघचजटडतदनपबमयरलवसह" for v in ["", "ा", "ि", "ी", "ु", "े", "ो"]],
    "cjk": [chr(c) for c in range(0x4E00, 0x4E00 + 3000, 3)],
}
_TAIL = 4000


def _tail_word(lang: str, index: int) -> str:
    script = {"ru": "ru", "ar": "ar", "hi": "hi", "zh-Hans": "cjk", "ja": "cjk"}.get(lang, "latin")
    pieces = SYLLABLES[script]
    rng = random.Random(f"{lang}-{index}")  # the same index is the same word in every run
    return "".join(rng.choice(pieces) for _ in range(rng.randint(2, 4)))


#: Each language's list starts with this many generic words ("model", "data"…); the rest are
#: split into topics, and an entry draws its topical words from one topic, as real texts do.
_GENERIC = 6
_TOPICS = 6


def _words(rng: random.Random, lang: str, n: int, topic: int) -> list[str]:
    vocab = WORDS[lang]
    topical = vocab[_GENERIC:][topic::_TOPICS] or vocab
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.35:  # the generic head, Zipf-distributed
            out.append(vocab[min(int(rng.paretovariate(1.0)) - 1, _GENERIC - 1)])
        elif roll < 0.7:
            out.append(rng.choice(topical))
        elif roll < 0.75:  # a word from another topic now and then
            out.append(rng.choice(vocab))
        else:  # the long tail
            out.append(_tail_word(lang, min(int(rng.paretovariate(0.6)) - 1, _TAIL)))
    return out


def _sentence(rng: random.Random, lang: str, n: int, topic: int) -> str:
    sep = "" if lang in ("zh-Hans", "ja") else " "
    return sep.join(_words(rng, lang, n, topic)) + ("。" if not sep else ".")


def make_entry(rng: random.Random, n: int, now: datetime) -> tuple[dict, dict | None]:
    """Return one synthetic entry's columns, and a translation or None."""
    lang = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    sep = "" if lang in ("zh-Hans", "ja") else " "
    topic = rng.randrange(_TOPICS)
    name = sep.join(_words(rng, lang, rng.randint(2, 3), topic)) + f" {n}"
    languages = [lang] + rng.sample(["en", "sw", "zh-Hans", "ar", "hi", "es", "yo", "ha"], rng.randint(0, 2))
    entry = dict(
        slug=f"org{n % 5000}/entry-{n}",
        kind=rng.choice(["model", "model", "dataset", "project"]),
        name=name[:300],
        summary=_sentence(rng, lang, rng.randint(8, 20), topic),
        description="\n\n".join(_sentence(rng, lang, rng.randint(10, 30), topic) for _ in range(rng.randint(2, 6))),
        language=lang,
        languages=sorted(set(languages)),
        license=rng.choice(LICENSES),
        region=rng.choice(REGIONS),
        tasks=[TASKS[topic]] if rng.random() < 0.8 else rng.sample(TASKS, rng.randint(0, 2)),
        tags=rng.sample(TAGS, rng.randint(0, 3)),
        frameworks=rng.sample(FRAMEWORKS, rng.randint(0, 2)),
        authors=[{"name": f"Author {rng.randint(1, 20000)}"}],
        hidden=rng.random() < 0.01,
        updated_at=now - timedelta(days=rng.randint(0, 1500)),
    )
    translation = None
    if rng.random() < 0.15:
        other = "en" if lang != "en" else rng.choice(["zh-Hans", "es", "sw", "ar", "hi"])
        translation = dict(
            lang=other,
            name=" ".join(_words(rng, other, 2, topic)),
            summary=_sentence(rng, other, 12, topic),
            description=_sentence(rng, other, 30, topic),
            origin="harvested",
        )
    return entry, translation


def fill(app, count: int, seed: int, corpus: str = "small") -> dict:
    """Write ``count`` synthetic entries with their facet rows and translations, in bulk.

    ``corpus`` is "small" (make_entry above) or "readme" (bench/readme_corpus.py). Returns
    figures about what was written (sizes of the descriptions).
    """
    rng = random.Random(seed)
    now = datetime.now(UTC)
    if corpus == "readme":
        from bench.readme_corpus import ReadmeCorpus

        make = ReadmeCorpus(seed, now).entry
    else:

        def make(n):
            return make_entry(rng, n, now)

    engine = get_engine(app)
    batch = 2000
    sizes = []
    translated = 0
    started = time.perf_counter()
    for start in range(0, count, batch):
        with Session(engine) as session:
            entries, translations = [], []
            for n in range(start, min(start + batch, count)):
                fields, tr = make(n)
                sizes.append(len(fields["description"].encode()))
                entry = Entry(source_url=f"https://example.org/{fields['slug']}", revision=1, **fields)
                entries.append(entry)
                translations.append(tr)
            session.add_all(entries)
            session.flush()
            for entry, tr in zip(entries, translations, strict=False):
                session.add_all(FacetValue(entry_id=entry.id, facet=f, value=v) for f, v in facet_values(entry))
                if tr:
                    translated += 1
                    session.add(Translation(entry_id=entry.id, **tr))
            session.commit()
        done = min(start + batch, count)
        rate = done / max(1e-9, time.perf_counter() - started)
        print(f"\r  wrote {done}/{count} entries ({rate:.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)
    sizes.sort()
    if not sizes:
        return {}
    return {
        "corpus": corpus,
        "seed": seed,
        "description_bytes_median": sizes[len(sizes) // 2],
        "description_bytes_p99": sizes[min(len(sizes) - 1, int(0.99 * len(sizes)))],
        "description_bytes_max": sizes[-1],
        "description_mib_total": round(sum(sizes) / 2**20, 1),
        "description_share_10k_to_50k": round(sum(10_000 <= n <= 50_000 for n in sizes) / len(sizes), 4),
        "translations": translated,
    }


def load_copy(app) -> dict:
    """Time the first ranked query, which reads the whole index into the process's in-memory copy."""
    engine = get_engine(app)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with app.app_context(), Session(engine) as session:
        started = time.perf_counter()
        list_entries(session, query=parse_entry_query(MultiDict([("q", "model")])))
        elapsed = time.perf_counter() - started
    index = memory._INDEXES.get(engine)
    if index is None:
        return {"in_memory": False}
    snapshot = index.snapshot
    held = sum(
        a.nbytes for seg in snapshot.segments for p in (seg.words, seg.pairs) for a in (p.keys, p.ptr, p.slots, p.freq)
    )
    held += sum(seg.code_table.nbytes for seg in snapshot.segments)
    return {
        "in_memory": True,
        "copy_load_s": round(elapsed, 2),
        "copy_arrays_mib": round(held / 2**20, 1),
        "peak_rss_mib_before_copy": before // 1024,
        "peak_rss_mib_after_copy": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


Mix = list[tuple[str, str, list[tuple[str, str]]]]


def small_mix() -> Mix:
    """The small corpus's 45 queries as (class, report key, request arguments)."""
    return [
        (
            category,
            f"{category}: {q[:30]} {filters or ''}".strip(),
            [("q", q)] + [(f, v) for f, vs in filters.items() for v in vs],
        )
        for category, q, filters in QUERIES
    ]


def readme_mix(entries: int, seed: int) -> Mix:
    """The README corpus's query mix (its words come from the corpus's own vocabularies)."""
    from bench.readme_corpus import ReadmeCorpus

    corpus = ReadmeCorpus(seed, datetime.now(UTC))
    return [
        (category, f"{category}: {'&'.join(f'{k}={v}' for k, v in args)[:90]}", args)
        for category, args in corpus.queries(entries)
    ]


def _pct(values: list[float], p: float) -> float:
    return round(values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))], 2)


def _latencies(samples: dict[str, list[float]]) -> dict:
    everything = sorted(ms for values in samples.values() for ms in values)
    return {
        "p50_ms": _pct(everything, 50),
        "p95_ms": _pct(everything, 95),
        "p99_ms": _pct(everything, 99),
        "mean_ms": round(statistics.fmean(everything), 2),
        "max_ms": round(everything[-1], 2),
        "queries_timed": len(everything),
    }


def _by_category(samples: dict[str, list[float]]) -> dict:
    return {f"by_category_p{p}_ms": {c: _pct(sorted(v), p) for c, v in samples.items()} for p in (50, 95, 99)}


def _ask(app, args: list[tuple[str, str]]):
    engine = get_engine(app)
    query = parse_entry_query(MultiDict(args))
    with app.app_context(), Session(engine) as session:
        started = time.perf_counter()
        page = list_entries(session, query=query)
        return page, (time.perf_counter() - started) * 1000


def run_queries(app, rounds: int, mix: Mix | None = None) -> dict:
    """Run the query mix ``rounds`` times (after one warm-up round); return latency statistics."""
    mix = small_mix() if mix is None else mix
    samples: dict[str, list[float]] = {}
    by_query: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for round_no in range(rounds + 1):
        for category, key, args in mix:
            page, elapsed = _ask(app, args)
            if round_no:
                samples.setdefault(category, []).append(elapsed)
                by_query.setdefault(key, []).append(elapsed)
            totals[key] = page.total
    by_cat = _by_category(samples)
    slowest = sorted(by_query.items(), key=lambda kv: -max(kv[1]))[:15]
    return {
        **_latencies(samples),
        "by_category_p95_ms": by_cat["by_category_p95_ms"],
        "result_totals": totals,
        "by_category_p50_ms": by_cat["by_category_p50_ms"],
        "by_category_p99_ms": by_cat["by_category_p99_ms"],
        "slowest_queries_ms": {k: [round(min(v), 2), round(max(v), 2)] for k, v in slowest},
    }


def deeper_pages(mix: Mix, pages: int) -> Mix:
    """Return the mix's text queries again as pages 1..``pages`` of 100 results (for --compare: more ranks compared)."""
    more: Mix = []
    for category, key, args in mix:
        if any(k == "q" and v for k, v in args) and not any(k in ("page", "per_page") for k, _ in args):
            more += [
                (category, f"{key} per_page=100 page={n}", [*args, ("per_page", "100"), ("page", str(n))])
                for n in range(1, pages + 1)
            ]
    return more


def compare_paths(app, mix: Mix, timed: int | None = None) -> dict:
    """Run every query on the in-memory copy and on the database alone; list those whose answers differ.

    The copy is switched per engine (registry/search/memory.py: ``enable`` and ``_ENABLED``), so
    both paths read the same database in the same process. Each query is asked once on each path
    (after the timed rounds, so both are warm) and its total, facet counts, page (slugs in
    order), and whether it was widened are compared. Latencies are reported over the first
    ``timed`` queries (the mix itself; those after it are deeper_pages).
    """
    engine = get_engine(app)
    if engine not in memory._ENABLED:
        return {"error": "the in-memory copy is off (--database-only): nothing to compare"}
    differ, unordered, times, per_query = [], [], {"memory": {}, "database": {}}, {}
    order_counts = engine.dialect.name == "sqlite"  # the copy ranks as FTS5 does; PostgreSQL ranks otherwise
    try:
        for category, key, args in mix:
            answers = {}
            for path in ("memory", "database"):
                if path == "memory":
                    memory.enable(engine)
                else:
                    memory._ENABLED.discard(engine)
                page, elapsed = _ask(app, args)
                if timed is None or len(per_query) < timed:
                    times[path].setdefault(category, []).append(elapsed)
                answers[path] = (page.total, page.facets, [item.slug for item in page.items], page.relaxed, elapsed)
            (m_total, m_facets, m_page, m_relaxed, m_ms), (d_total, d_facets, d_page, d_relaxed, d_ms) = (
                answers["memory"],
                answers["database"],
            )
            per_query[key] = [round(m_ms, 2), round(d_ms, 2)]
            found = {}
            if m_total != d_total:
                found["total"] = {"memory": m_total, "database": d_total}
            if m_facets != d_facets:
                pairs = {(f, v) for facets in (m_facets, d_facets) for f, values in facets.items() for v in values}
                found["facets"] = {
                    f"{f}={v}": {"memory": m_facets.get(f, {}).get(v), "database": d_facets.get(f, {}).get(v)}
                    for f, v in sorted(pairs)
                    if m_facets.get(f, {}).get(v) != d_facets.get(f, {}).get(v)
                }
            if m_page != d_page:
                first = next(
                    (i for i, (a, b) in enumerate(zip(m_page, d_page, strict=False)) if a != b),
                    min(len(m_page), len(d_page)),
                )
                found["page_order" if sorted(m_page) == sorted(d_page) else "page_contents"] = {
                    "first_difference_at": first,
                    "memory": m_page,
                    "database": d_page,
                }
            if m_relaxed != d_relaxed:
                found["relaxed"] = {"memory": m_relaxed, "database": d_relaxed}
            if found and not order_counts and set(found) <= {"page_order", "page_contents"}:
                unordered.append(
                    {
                        "class": category,
                        "key": key,
                        "first_difference_at": min(v["first_difference_at"] for v in found.values()),
                    }
                )
            elif found:
                differ.append({"class": category, "key": key, "args": args, **found})
    finally:
        memory.enable(engine)
    result = {"queries": len(mix), "differing": len(differ), "differences": differ, "order_compared": order_counts}
    if not order_counts:
        # PostgreSQL ranks with ts_rank, the copy with BM25: only totals and facets must agree there.
        result["page_only_differences"] = unordered
    for path, samples in times.items():
        result[path] = {**_latencies(samples), **_by_category(samples)}
    result["per_query_ms_memory_database"] = per_query
    return result


#: gunicorn's config for --http: make serve's hooks (the index read before a worker takes
#: requests), plus a line per worker in READY once it is ready, to time each worker's start.
GUNICORN_CONFIG = """
import os, time
from registry.gunicorn_hooks import *  # noqa: F403 (make serve's settings: preload_app, when_ready)
from registry.gunicorn_hooks import post_worker_init as _warm

def post_worker_init(worker):
    _warm(worker)
    with open({ready!r}, "a") as f:
        f.write(f"{{os.getpid()}} {{time.time()}}\\n")
"""


def _worker_memory(pid: int) -> dict:
    """Return a process's private memory (Private_Clean + Private_Dirty), resident and peak resident, MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Private_Clean", "Private_Dirty", "Pss"):
            found[name] = int(rest.split()[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            found["VmHWM"] = int(line.split()[1])
    return {
        "pid": pid,
        "private_mib": round((found["Private_Clean"] + found["Private_Dirty"]) / 1024, 1),
        "rss_mib": round(found["Rss"] / 1024, 1),
        "pss_mib": round(found["Pss"] / 1024, 1),
        "peak_rss_mib": round(found.get("VmHWM", 0) / 1024, 1),
    }


def _replay(port: int, requests: list[tuple[str, str]], out: list) -> None:
    """One client: send the requests in order on one connection (reopened when the server closes it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    for category, path in requests:
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            conn.close()
        out.append((category, (time.perf_counter() - started) * 1000, status, time.perf_counter()))
    conn.close()


def _replace_one(arbiter: int, children: list[int], ready: Path, port: int, path: str) -> dict:
    """Kill one worker (SIGKILL, as a crash would) and time its replacement: forked by the arbiter,
    its ready line written once it has opened the index and answered a search; then every worker
    answers again."""
    lines = len(ready.read_text().splitlines())
    killed = time.time()
    os.kill(children[0], signal.SIGKILL)
    found: dict = {}
    while time.time() - killed < 120:
        new = ready.read_text().splitlines()[lines:]
        if new:
            found["ready_after_kill_s"] = round(float(new[0].split()[1]) - killed, 3)
            break
        time.sleep(0.01)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
        answer.read()
    found["answered_after_kill_s"] = round(time.time() - killed, 3)
    print(f"  a killed worker's replacement was ready after {found.get('ready_after_kill_s')} s", file=sys.stderr)
    return found


def run_http(
    url: str, mix: Mix, *, clients: int, rounds: int, workers: int, timeout: int | None, start_limit: float, seed: int
) -> dict:
    """Serve the database with gunicorn as `make serve` does and replay the mix through /api/v1/entries."""
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-http-"))
    ready = tmp / "ready"
    config = tmp / "gunicorn_conf.py"
    config.write_text(GUNICORN_CONFIG.format(ready=str(ready)))
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_SECRET_KEY": "bench",
        "REGISTRY_INSTANCE_PATH": str(tmp / "instance"),
        "PYTHONPATH": str(root),
    }
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "-c",
        str(config),
    ]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    command.append("registry:create_app()")
    paths = [(category, "/api/v1/entries?" + urlencode(args)) for category, _, args in mix]
    # Closed in the finally below, once gunicorn has stopped writing to them.
    log, access = open(tmp / "gunicorn.log", "w"), open(tmp / "access.log", "w")  # noqa: SIM115
    started = time.time()
    server = subprocess.Popen(command, cwd=root, env=env, stdout=access, stderr=log, start_new_session=True)
    result: dict = {
        "gunicorn_workers": workers,
        "clients": clients,
        "rounds": rounds,
        "gunicorn_timeout_s": timeout if timeout is not None else "default (30)",
        "command": " ".join(command[1:]),
    }
    try:
        first = None
        while first is None and time.time() - started < start_limit and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{paths[0][1]}", timeout=5) as r:
                    r.read()
                first = time.time() - started
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
            if (tmp / "gunicorn.log").read_text(errors="replace").count("WORKER TIMEOUT") >= 2 * workers:
                break  # the workers are killed while they read the index, and started again, for ever
        result["first_search_answered_s"] = round(first, 2) if first is not None else None
        if first is None:
            result["error"] = f"no search answered within {round(time.time() - started)} s"
            return result
        # Every worker ready (its hook wrote its line), or the limit.
        while time.time() - started < start_limit:
            lines = ready.read_text().splitlines() if ready.exists() else []
            if len(lines) >= workers:
                break
            time.sleep(0.2)
        lines = ready.read_text().splitlines() if ready.exists() else []
        result["workers_ready_s"] = sorted(round(float(line.split()[1]) - started, 2) for line in lines)
        print(
            f"  first search answered after {first:.1f} s; workers ready at {result['workers_ready_s']} s",
            file=sys.stderr,
        )
        # A warm-up pass, one client: each worker meets each query at least once, most likely.
        warm: list = []
        _replay(port, paths * max(1, workers), warm)
        result["warmup_s"] = round(sum(ms for _, ms, _, _ in warm) / 1000, 2)
        rng = random.Random(seed)
        plans = []
        for _ in range(clients):
            plan = []
            for _ in range(rounds):
                order = paths[:]
                rng.shuffle(order)
                plan += order
            plans.append(plan)
        outs: list[list] = [[] for _ in range(clients)]
        threads = [
            threading.Thread(target=_replay, args=(port, plan, out)) for plan, out in zip(plans, outs, strict=False)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        samples: dict[str, list[float]] = {}
        errors: dict[str, int] = {}
        for out in outs:
            for category, ms, status, _ in out:
                samples.setdefault(category, []).append(ms)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
        done = sum(len(out) for out in outs)
        result.update(
            {
                **_latencies(samples),
                **_by_category(samples),
                "requests": done,
                "wall_s": round(wall, 2),
                "requests_per_s": round(done / wall, 1),
                "errors": errors,
            }
        )
        children = [
            int(p)
            for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        ]
        result["worker_memory_after_run"] = [_worker_memory(pid) for pid in children]
        result["arbiter_memory"] = _worker_memory(server.pid)
        result["replaced_worker"] = _replace_one(server.pid, children, ready, port, paths[0][1])
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
        access.close()
        text = (tmp / "gunicorn.log").read_text(errors="replace")
        result["worker_timeouts"] = text.count("WORKER TIMEOUT")
        result["workers_booted"] = text.count("Booting worker")
        result["gunicorn_log_tail"] = text.splitlines()[-15:]
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def index_size_bytes(session: Session) -> int | None:
    """Return the size on disk of the search index's tables (and their indexes), or None when unknown."""
    try:
        if session.get_bind().dialect.name == "sqlite":
            found = session.execute(sa.text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'")).scalar_one()
        else:
            found = session.execute(
                sa.text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relname LIKE 'search%' "
                    "AND n.nspname = current_schema()"
                )
            ).scalar_one()
    except sa.exc.DBAPIError:
        session.rollback()
        return None
    return int(found) if found is not None else None  # PostgreSQL's sum() is a numeric


def _peak_rss_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--corpus",
        choices=["small", "readme"],
        default="small",
        help="small: the short synthetic entries of the earlier reports (default); readme: ten "
        "languages, README-sized descriptions, the wider query mix (bench/readme_corpus.py)",
    )
    parser.add_argument("--json", dest="out", help="write the result here")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1/postgres",
        help="PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of the query mix")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--database-only",
        action="store_true",
        help="answer from the database, without the in-memory copy (SEARCH_IN_MEMORY off)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="SQLite only: build the database in this file, or reuse it if it "
        "is already there (the timing of an index build is then not measured again)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="run every query on the in-memory copy and on the database alone; list the differences",
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="serve the database with gunicorn as `make serve` does and replay the mix through "
        "/api/v1/entries (the in-process timings are then skipped, unless --compare is given)",
    )
    parser.add_argument(
        "--compare-pages",
        type=int,
        default=3,
        help="--compare: also compare pages 1..N of 100 results of every text query (0: only the mix)",
    )
    parser.add_argument("--clients", type=int, default=4, help="--http: concurrent clients")
    parser.add_argument(
        "--workers", type=int, default=2, help="--http: gunicorn workers (make serve: 2 on this machine)"
    )
    parser.add_argument(
        "--gunicorn-timeout",
        type=int,
        default=None,
        help="--http: gunicorn's --timeout (default: gunicorn's own, as make serve; 0 turns it off)",
    )
    parser.add_argument("--start-limit", type=float, default=900, help="--http: seconds to wait for the first answer")
    args = parser.parse_args()
    if args.keep and args.backend != "sqlite":
        parser.error("--keep works with the SQLite backend only")

    tmp = tempfile.TemporaryDirectory(prefix="search-bench-")
    admin, db_name = None, None
    if args.backend == "postgres":
        db_name = f"registry_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.database_url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{db_name}"')
        url = sa.engine.make_url(args.database_url).set(database=db_name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{args.keep or Path(tmp.name) / 'bench.db'}"
    reuse = args.backend == "sqlite" and args.keep is not None and args.keep.exists()
    meta_file = args.keep.with_name(args.keep.name + ".meta.json") if args.keep else None
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp.name,
            "SEARCH_IN_MEMORY": not args.database_only,
        }
    )
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        upgrade_schema(app)
        index_build_s, write_s, written, build_peak, build_peak_all = None, None, {}, None, None
        if reuse:
            with Session(get_engine(app)) as session:
                indexed = session.execute(sa.text("SELECT count(*) FROM search_meta")).scalar_one()
                args.entries = session.execute(sa.text("SELECT count(*) FROM entries")).scalar_one()
            if not indexed:
                sys.exit(f"{args.keep} has no indexed entries (an earlier run stopped early?): remove it")
            earlier = json.loads(meta_file.read_text()) if meta_file and meta_file.exists() else {"corpus": "small"}
            if earlier.get("corpus", "small") != args.corpus or earlier.get("seed", args.seed) != args.seed:
                sys.exit(
                    f"{args.keep} holds the {earlier.get('corpus')} corpus of seed {earlier.get('seed')}: "
                    f"ask for the same, or remove it"
                )
            written = earlier
            print(
                f"Reusing {args.keep}: {indexed} indexed entries, built by an earlier run (its index rows "
                f"are that run's indexer); querying…",
                file=sys.stderr,
            )
        else:
            print(f"Writing {args.entries} entries ({args.backend}, {args.corpus} corpus)…", file=sys.stderr)
            started = time.perf_counter()
            written = fill(app, args.entries, args.seed, args.corpus)
            write_s = round(time.perf_counter() - started, 2)
            print(f"Wrote them in {write_s} s; indexing…", file=sys.stderr)
            started = time.perf_counter()
            with PeakSampler() as sampler, Session(get_engine(app)) as session:
                indexed = reindex(session, progress=_progress(args.entries), processes=bulk.processes_for(args.entries))
                session.commit()
            index_build_s = round(time.perf_counter() - started, 2)
            build_peak, build_peak_all = sampler.peak, sampler.peak_with_workers
            print(file=sys.stderr)
            if args.backend == "postgres":
                # What autovacuum does after a bulk load: statistics, and the visibility map that
                # lets counting read the narrow index of facet codes alone (index-only scans).
                with get_engine(app).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            else:
                with get_engine(
                    app
                ).begin() as conn:  # committed: statistics written in a rolled-back transaction vanish
                    conn.exec_driver_sql("ANALYZE")
            print(f"Indexed {indexed} entries in {index_build_s} s; querying…", file=sys.stderr)
            if meta_file:
                meta_file.write_text(
                    json.dumps(
                        {
                            **written,
                            "write_s": write_s,
                            "index_build_s": index_build_s,
                            "index_build_peak_rss_mib": build_peak,
                            "index_build_peak_rss_with_workers_mib": build_peak_all,
                        }
                    )
                    + "\n"
                )
        mix = small_mix() if args.corpus == "small" else readme_mix(args.entries, args.seed)
        result = {
            "backend": args.backend,
            "corpus": args.corpus,
            "entries": args.entries,
            "indexed": indexed,
            "index_build_s": index_build_s,
            "reused_database": reuse,
            "write_s": write_s,
            "written": written,
            "index_build_peak_rss_mib": build_peak,
            "index_build_peak_rss_with_workers_mib": build_peak_all,
            "peak_rss_mib_after_build": _peak_rss_mib(),
            "queries_in_mix": len(mix),
        }
        if not args.http or args.compare:
            with PeakSampler() as sampler:
                result.update(load_copy(app))
            result["copy_load_peak_rss_mib"] = sampler.peak
            result.update(run_queries(app, args.rounds, mix))
        if args.compare:
            print("Comparing the in-memory copy with the database alone…", file=sys.stderr)
            compared = mix + deeper_pages(mix, args.compare_pages)
            result["compare"] = compare_paths(app, compared, timed=len(mix))
            print(f"  {result['compare'].get('differing')} of {len(compared)} queries differ", file=sys.stderr)
        with Session(get_engine(app)) as session:
            result["db_bytes"] = backend_for(session).size_bytes(session)
            result["index_bytes"] = index_size_bytes(session)
        if args.backend == "sqlite":
            result["sqlite_version"] = sqlite3.sqlite_version
        if args.http:
            get_engine(app).dispose()
            print(f"Serving with gunicorn ({args.workers} workers), {args.clients} clients…", file=sys.stderr)
            result["http"] = run_http(
                url,
                mix,
                clients=args.clients,
                rounds=args.rounds,
                workers=args.workers,
                timeout=args.gunicorn_timeout,
                start_limit=args.start_limit,
                seed=args.seed,
            )
        result["peak_rss_mib"] = _peak_rss_mib()
        result["machine"] = machine()
        result["load_average_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews latencies
        result["load_average_before"] = load_before
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(text)
    finally:
        get_engine(app).dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            admin.dispose()
        tmp.cleanup()


def _progress(total: int):
    done = 0
    started = time.perf_counter()

    def report(n: int) -> None:
        nonlocal done
        done += n
        rate = done / max(1e-9, time.perf_counter() - started)
        print(f"\r  indexed {done}/{total} entries ({rate:.0f}/s)", end="", file=sys.stderr)

    return report


if __name__ == "__main__":
    main()
