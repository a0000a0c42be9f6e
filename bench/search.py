"""Search benchmark: N synthetic multilingual entries, a fixed query mix with facet counts, latencies.

    python bench/search.py --entries 100000 --backend sqlite --json out.json
    python bench/search.py --entries 100000 --backend postgres --json out.json \
        [--database-url postgresql://postgres@127.0.0.1/postgres]

Entries are written in bulk (not through the harvester: that would measure git), then the
index is built with the real `reindex` and every query goes through the real `list_entries`,
facet counts included. The first query, timed apart, reads the index into the process's
in-memory copy (`--database-only` turns the copy off). PostgreSQL runs in a fresh database
that is dropped afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from registry import create_app  # noqa: E402
from registry.db import get_engine, make_engine, upgrade_schema  # noqa: E402
from registry.facets import facet_values  # noqa: E402
from registry.models import Entry, FacetValue, Translation  # noqa: E402
from registry.search import backend_for, memory, reindex  # noqa: E402
from registry.services.listing import list_entries, parse_entry_query  # noqa: E402

# Small vocabularies per language; words are drawn with a Zipf-like skew, as in real text.
WORDS = {
    "en": ("model data dataset open language text speech recognition translation corpus training fine tuned "
           "transformer neural network classification sentiment analysis tokenizer embedding vision image "
           "audio benchmark evaluation open source small large fast efficient multilingual news tweets "
           "question answering summarization generation named entity tagging parser dialect accent voice "
           "low resource african asian indian arabic chinese swahili spanish annotated labelled cleaned "
           "pretrained checkpoint inference quantized mobile edge server api library toolkit pipeline "
           "research paper university community volunteers collected licensed public domain archive").split(),
    "es": ("modelo datos conjunto abierto lenguaje texto voz reconocimiento traducción corpus entrenamiento análisis "
           "sentimiento noticias español mexicano etiquetado morfológico clasificación resumen pregunta "
           "respuesta abierto pequeño rápido comunidad universidad investigación").split(),
    "sw": ("mfano data lugha wazi maandishi jamii hotuba utambuzi tafsiri hisia uchambuzi habari kiswahili "
           "chuo utafiti wazi ndogo haraka sauti maswali majibu mafunzo").split(),
    "pt": ("modelo dados linguagem aberto texto comunidade fala reconhecimento tradução análise notícias manchetes português "
           "brasileiro classificação pesquisa").split(),
    "ru": ("модель данные язык текст открытый сообщество речь распознавание перевод корпус обучение анализ "
           "тональность новости классификация исследование нейронная сеть").split(),
    "ar": ("نموذج بيانات لغة نص مفتوح مجتمع كلام التعرف ترجمة مجموعة تدريب تحليل المشاعر أخبار اللهجة "
           "العربية المصرية تصنيف بحث جامعة صوت أسئلة").split(),
    "hi": ("मॉडल डेटा भाषा पाठ खुला समुदाय वाक् पहचान अनुवाद संग्रह प्रशिक्षण विश्लेषण भावना समाचार "
           "हिन्दी देवनागरी वर्गीकरण अनुसंधान विश्वविद्यालय आवाज़").split(),
    "zh-Hans": ("模型 数据 数据集 语言 文本 开源 语音 识别 翻译 语料 训练 情感 分析 新闻 中文 普通话 方言 分类 "
                "摘要 问答 生成 轻量 高效 社区 大学 研究 图像 视觉 音频 评测 微调 推理 手机 机器翻译 "
                "自然语言处理 命名实体 分词 粤语 吴语").split(),
    "ja": ("モデル データ 言語 テキスト 公開 学習 音声 認識 翻訳 コーパス 感情 分析 ニュース 日本語 要約 分類 "
           "質問 回答 生成 軽量 研究 大学 形態素 解析").split(),
}
LANGUAGE_WEIGHTS = {"en": 40, "zh-Hans": 14, "es": 8, "sw": 6, "pt": 6, "ru": 6, "ar": 7, "hi": 7, "ja": 6}
TASKS = ["automatic-speech-recognition", "translation", "text-classification", "summarization",
         "token-classification", "question-answering", "text-generation", "image-to-text"]
LICENSES = ["MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "GPL-3.0-only", "MIT OR Apache-2.0", "CC-BY-SA-4.0"]
REGIONS = ["KE", "CN", "IN", "EG", "MX", "BR", "JP", "RU", "NG", "US", "FR", None]
FRAMEWORKS = ["pytorch", "tensorflow", "jax", "onnx", "transformers"]
TAGS = ["nlp", "asr", "low-resource", "benchmark", "tiny", "multilingual", "african-languages", "cjk", "ocr", "tts"]

QUERIES = [
    ("cjk-1", "模", {}), ("cjk-1", "语", {}), ("cjk-1", "ニ", {}),
    ("cjk-2", "模型", {}), ("cjk-2", "数据", {}), ("cjk-2", "语音", {}), ("cjk-2", "要約", {}),
    ("cjk-3+", "语音识别", {}), ("cjk-3+", "机器翻译", {}), ("cjk-3+", "自然语言处理", {}), ("cjk-3+", "ニュース要約", {}),
    ("word", "transformer", {}), ("word", "speech", {}), ("word", "hisia", {}), ("word", "traducción", {}),
    ("word", "нейронная", {}), ("word", "المشاعر", {}), ("word", "हिन्दी", {}), ("word", "volunteers", {}),
    ("words", "speech recognition swahili", {}), ("words", "open source toolkit", {}),
    ("prefix", "trans*", {}), ("prefix", "class*", {}), ("prefix", "summar*", {}),
    ("phrase", '"speech recognition"', {}), ("phrase", '"named entity"', {}),
    ("language-name", "kiswahili", {}), ("language-name", "中文", {}), ("language-name", "Arabic", {}),
    ("facets", "", {"language": ["sw"]}), ("facets", "model", {"kind": ["dataset"]}),
    ("facets", "", {"license": ["MIT"], "language": ["zh-Hans"]}),
    ("facets", "speech", {"task": ["automatic-speech-recognition"], "region": ["KE", "NG"]}),
    ("no-hits", "zzyzx", {}), ("no-hits", "qwertyuiop", {}), ("no-hits", "不存在", {}),
    ("typo", "transfomer", {}), ("typo", "swahli", {}), ("typo", "recogniton", {}),
    ("hostile", '"', {}), ("hostile", "(*) OR NEAR(a b, 2)", {}), ("hostile", "'; DROP TABLE entries; --", {}),
    ("hostile", "\\ ^ - AND", {}), ("hostile", "a" * 200, {}),
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
        slug=f"org{n % 5000}/entry-{n}", kind=rng.choice(["model", "model", "dataset", "project"]), name=name[:300],
        summary=_sentence(rng, lang, rng.randint(8, 20), topic),
        description="\n\n".join(_sentence(rng, lang, rng.randint(10, 30), topic) for _ in range(rng.randint(2, 6))),
        language=lang, languages=sorted(set(languages)), license=rng.choice(LICENSES), region=rng.choice(REGIONS),
        tasks=[TASKS[topic]] if rng.random() < 0.8 else rng.sample(TASKS, rng.randint(0, 2)), tags=rng.sample(TAGS, rng.randint(0, 3)),
        frameworks=rng.sample(FRAMEWORKS, rng.randint(0, 2)), authors=[{"name": f"Author {rng.randint(1, 20000)}"}],
        hidden=rng.random() < 0.01, updated_at=now - timedelta(days=rng.randint(0, 1500)))
    translation = None
    if rng.random() < 0.15:
        other = "en" if lang != "en" else rng.choice(["zh-Hans", "es", "sw", "ar", "hi"])
        translation = dict(lang=other, name=" ".join(_words(rng, other, 2, topic)),
                           summary=_sentence(rng, other, 12, topic), description=_sentence(rng, other, 30, topic),
                           origin="harvested")
    return entry, translation


def fill(app, count: int, seed: int) -> None:
    """Write ``count`` synthetic entries with their facet rows and translations, in bulk."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    engine = get_engine(app)
    batch = 2000
    for start in range(0, count, batch):
        with Session(engine) as session:
            entries, translations = [], []
            for n in range(start, min(start + batch, count)):
                fields, tr = make_entry(rng, n, now)
                entry = Entry(source_url=f"https://example.org/{fields['slug']}", revision=1, **fields)
                entries.append(entry)
                translations.append(tr)
            session.add_all(entries)
            session.flush()
            for entry, tr in zip(entries, translations):
                session.add_all(FacetValue(entry_id=entry.id, facet=f, value=v) for f, v in facet_values(entry))
                if tr:
                    session.add(Translation(entry_id=entry.id, **tr))
            session.commit()
        print(f"\r  wrote {min(start + batch, count)}/{count} entries", end="", file=sys.stderr)
    print(file=sys.stderr)


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
    held = sum(a.nbytes for seg in snapshot.segments for p in (seg.words, seg.pairs)
               for a in (p.keys, p.ptr, p.slots, p.freq))
    held += sum(seg.code_table.nbytes for seg in snapshot.segments)
    return {"in_memory": True, "copy_load_s": round(elapsed, 2), "copy_arrays_mib": round(held / 2 ** 20, 1),
            "peak_rss_mib_before_copy": before // 1024,
            "peak_rss_mib_after_copy": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def run_queries(app, rounds: int) -> dict:
    """Run the query mix ``rounds`` times (after one warm-up round); return latency statistics."""
    engine = get_engine(app)
    samples: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for round_no in range(rounds + 1):
        for category, q, filters in QUERIES:
            args = MultiDict([("q", q)] + [(f, v) for f, vs in filters.items() for v in vs])
            query = parse_entry_query(args)
            with app.app_context(), Session(engine) as session:
                started = time.perf_counter()
                page = list_entries(session, query=query)
                elapsed = (time.perf_counter() - started) * 1000
            if round_no:
                samples.setdefault(category, []).append(elapsed)
            totals[f"{category}: {q[:30]} {filters or ''}".strip()] = page.total
    everything = sorted(ms for values in samples.values() for ms in values)

    def pct(values, p):
        return round(values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))], 2)

    return {"p50_ms": pct(everything, 50), "p95_ms": pct(everything, 95), "p99_ms": pct(everything, 99),
            "mean_ms": round(statistics.fmean(everything), 2), "max_ms": round(everything[-1], 2),
            "queries_timed": len(everything),
            "by_category_p95_ms": {c: pct(sorted(v), 95) for c, v in samples.items()}, "result_totals": totals}


def machine() -> dict:
    """Describe the machine: CPU count and model, memory."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return {"nproc": os.cpu_count(), "cpu": model, "ram_mib": mem, "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", dest="out", help="write the result here")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/postgres",
                        help="PostgreSQL server to create the benchmark database on")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of the query mix")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-only", action="store_true",
                        help="answer from the database, without the in-memory copy (SEARCH_IN_MEMORY off)")
    parser.add_argument("--keep", type=Path, help="SQLite only: build the database in this file, or reuse it if it "
                        "is already there (the timing of an index build is then not measured again)")
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
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp.name,
                      "SEARCH_IN_MEMORY": not args.database_only})
    try:
        upgrade_schema(app)
        index_build_s = None
        if reuse:
            with Session(get_engine(app)) as session:
                indexed = session.execute(sa.text("SELECT count(*) FROM search_meta")).scalar_one()
                args.entries = session.execute(sa.text("SELECT count(*) FROM entries")).scalar_one()
            if not indexed:
                sys.exit(f"{args.keep} has no indexed entries (an earlier run stopped early?): remove it")
            print(f"Reusing {args.keep}: {indexed} indexed entries, built by an earlier run (its index rows "
                  f"are that run's indexer); querying…", file=sys.stderr)
        else:
            print(f"Writing {args.entries} entries ({args.backend})…", file=sys.stderr)
            fill(app, args.entries, args.seed)
            started = time.perf_counter()
            with Session(get_engine(app)) as session:
                indexed = reindex(session)
                session.commit()
            index_build_s = round(time.perf_counter() - started, 2)
            if args.backend == "postgres":
                # What autovacuum does after a bulk load: statistics, and the visibility map that
                # lets counting read the narrow index of facet codes alone (index-only scans).
                with get_engine(app).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            else:
                with get_engine(app).begin() as conn:  # committed: statistics written in a rolled-back transaction vanish
                    conn.exec_driver_sql("ANALYZE")
            print(f"Indexed {indexed} entries in {index_build_s} s; querying…", file=sys.stderr)
        result = {"backend": args.backend, "entries": args.entries, "indexed": indexed,
                  "index_build_s": index_build_s, "reused_database": reuse, **load_copy(app),
                  **run_queries(app, args.rounds)}
        with Session(get_engine(app)) as session:
            result["db_bytes"] = backend_for(session).size_bytes(session)
        if args.backend == "sqlite":
            result["sqlite_version"] = sqlite3.sqlite_version
        result["machine"] = machine()
        result["load_average_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews latencies
        text = json.dumps(result, indent=2, ensure_ascii=False)
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


if __name__ == "__main__":
    main()
