"""Merge what every file claims into one record: the best claim wins, disagreements become warnings.

Explicit metadata (cards, CITATION.cff, codemeta, datapackage, Croissant, JSON-LD) beats package
manifests, which beat README heuristics (see ``RANK_*``). Text keeps its language: the entry's
name, summary and description are all in the README's language; text in another language
becomes that language's translation, never part of the record's own text.
"""

from __future__ import annotations

from collections import defaultdict

from .names import countries_named, languages_named, same_language, text_language
from .record import LANG_AUTO, LANG_NEUTRAL, RANK_DEFAULT, RANK_LICENSE_TEXT, RANK_MANIFEST, Claim, HarvestedRecord
from .spdx import NOASSERTION, refines

TEXT_FIELDS = ("name", "summary", "description")
_UNION_FIELDS = ("tags", "frameworks")
# Facts on which two files should agree; a disagreement is worth a maintainer's look.
_CHECKED_FIELDS = ("kind", "version")
#: Keywords and tags that name a task, and the Hugging Face task id each one is.
TASK_KEYWORDS = {
    "asr": "automatic-speech-recognition",
    "speech-recognition": "automatic-speech-recognition",
    "automatic-speech-recognition": "automatic-speech-recognition",
    "speech-to-text": "automatic-speech-recognition",
    "machine-translation": "translation",
    "translation": "translation",
    "summarization": "summarization",
    "text-summarization": "summarization",
    "sentiment-analysis": "text-classification",
    "text-classification": "text-classification",
    "dialect-identification": "text-classification",
    "language-identification": "text-classification",
    "ocr": "image-to-text",
    "image-to-text": "image-to-text",
    "named-entity-recognition": "token-classification",
    "ner": "token-classification",
    "part-of-speech-tagging": "token-classification",
    "pos-tagging": "token-classification",
    "token-classification": "token-classification",
    "question-answering": "question-answering",
    "text-generation": "text-generation",
    "language-modeling": "text-generation",
    "text-to-speech": "text-to-speech",
    "tts": "text-to-speech",
    "speech-synthesis": "text-to-speech",
    "image-classification": "image-classification",
    "object-detection": "object-detection",
    "fill-mask": "fill-mask",
    "sentence-similarity": "sentence-similarity",
    "feature-extraction": "feature-extraction",
    "zero-shot-classification": "zero-shot-classification",
}


def _ordered(claims: list[Claim]) -> list[Claim]:
    # Highest rank first; among equals the earlier reader (FORMAT_READERS order) wins.
    return [c for _, c in sorted(enumerate(claims), key=lambda pair: (-pair[1].rank, pair[0]))]


def _origins(claims: list[Claim]) -> str:
    return ", ".join(dict.fromkeys(c.origin for c in claims))


def settle(record: HarvestedRecord, *, fallback_name: str) -> None:
    """Turn the record's claims into fields, translations and warnings."""
    by_field: dict[str, list[Claim]] = defaultdict(list)
    for claim in _ordered(record.claims):
        by_field[claim.name].append(claim)
    primary = _settle_text(record, by_field)
    for name in ("kind", "version", "homepage", "region", "authors", "citation"):
        _settle_scalar(record, name, by_field.get(name, []))
    _settle_license(record, by_field.get("license", []))
    for name in _UNION_FIELDS:
        claims = by_field.get(name, [])
        if claims:
            values = list(dict.fromkeys(v for c in claims for v in c.value))
            record.set(name, values, origin=_origins(claims))
    _settle_tasks(record, by_field.get("tasks", []), by_field.get("tags", []))
    _settle_languages(record, by_field, primary)
    _infer_region(record, by_field.get("tags", []), primary)
    if "name" not in record.fields:
        record.set("name", fallback_name, origin="source", inferred=True)
    if "kind" not in record.fields:
        record.set("kind", "project", origin="default", inferred=True)
    for translation in record.translations.values():
        translation["name"] = translation.get("name") or record.fields["name"]


def _settle_text(record: HarvestedRecord, by_field: dict[str, list[Claim]]) -> str | None:
    language = by_field.get("language", [])
    primary = language[0].value if language else None
    texts = [c for name in TEXT_FIELDS for c in by_field.get(name, [])]
    if primary is None:
        primary, origin = _language_of_best_text(texts)
        if primary:
            record.set("language", primary, origin=origin)
    else:
        record.set("language", primary, origin=language[0].origin, inferred=language[0].inferred)
    group_langs = _group_languages(texts, primary)
    mine: dict[str, list[Claim]] = defaultdict(list)
    others: dict[str, dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for claim in texts:
        lang = group_langs.get(claim.origin) if claim.lang == LANG_AUTO else claim.lang
        if (
            lang == LANG_NEUTRAL
            or (lang is None and primary is None)
            or (lang and primary and same_language(lang, primary))
        ):
            mine[claim.name].append(claim)
        elif lang:
            key = next((k for k in others if same_language(k, lang)), lang)
            others[key][claim.name].append(claim)
    for name in TEXT_FIELDS:
        if mine.get(name):
            best = mine[name][0]
            record.set(name, best.value, origin=best.origin, inferred=best.inferred)
    for lang, fields in others.items():
        chosen = {name: fields[name][0] for name in TEXT_FIELDS if fields.get(name)}
        if not (chosen.get("summary") or chosen.get("description")):
            continue  # a title alone is not a translation
        order = [chosen[n] for n in ("description", "summary", "name") if n in chosen]
        record.translations[lang] = {name: chosen[name].value if name in chosen else None for name in TEXT_FIELDS}
        record.translations[lang]["origin"] = _origins(order)
    return primary


def _language_of_best_text(texts: list[Claim]) -> tuple[str | None, str]:
    for claim in texts:
        if claim.lang == LANG_AUTO:
            sample = "\n".join(str(c.value) for c in texts if c.origin == claim.origin and c.lang == LANG_AUTO)
            found = text_language(sample, primary=None)
            if found:
                return found, claim.origin
    return None, ""


def _group_languages(texts: list[Claim], primary: str | None) -> dict[str, str | None]:
    groups: dict[str, list[str]] = defaultdict(list)
    for claim in texts:
        if claim.lang == LANG_AUTO:
            groups[claim.origin].append(str(claim.value))
    # One file's texts are in one language: judge them together, longest first.
    return {
        origin: text_language("\n".join(sorted(values, key=len, reverse=True))[:20_000], primary=primary)
        for origin, values in groups.items()
    }


def _settle_scalar(record: HarvestedRecord, name: str, claims: list[Claim]) -> None:
    if not claims:
        return
    best = claims[0]
    record.set(name, best.value, origin=best.origin, inferred=best.inferred)
    if name in _CHECKED_FIELDS:
        stated = [c for c in claims if not c.inferred and c.rank >= RANK_MANIFEST]
        for other in stated[1:]:
            if str(other.value).strip().lower() != str(best.value).strip().lower():
                record.warnings.append(
                    f"{name}: {best.origin} says {best.value} but {other.origin} says {other.value}; kept {best.value}"
                )


def _settle_license(record: HarvestedRecord, claims: list[Claim]) -> None:
    if not claims:
        return
    texts = [c for c in claims if c.rank == RANK_LICENSE_TEXT]
    stated = [c for c in claims if c.rank < RANK_LICENSE_TEXT and c.value != NOASSERTION]
    for other in stated[1:]:
        if other.value != stated[0].value and not refines(other.value, stated[0].value):
            record.warnings.append(
                f"license: {stated[0].origin} says {stated[0].value} but {other.origin} says "
                f"{other.value}; kept {stated[0].value}"
            )
    if not texts:
        best = stated[0] if stated else claims[0]
        record.set("license", best.value, origin=best.origin, inferred=best.inferred)
        return
    found = texts[0]
    meta = stated[0] if stated else None
    if meta is None or meta.value == found.value:
        record.set("license", found.value, origin=found.origin)
    elif found.value == NOASSERTION:
        # The file could not be recognised; the metadata's statement is the best we have.
        record.set("license", meta.value, origin=meta.origin)
    elif refines(found.value, meta.value):
        # "-only" or "-or-later" (or a dual licence) is for the project's metadata to say.
        record.set("license", meta.value, origin=f"{meta.origin}, {found.origin}")
    else:
        record.warnings.append(
            f"license: {found.origin} holds {found.value} but {meta.origin} says "
            f"{meta.value}; kept {found.value}, the licence text"
        )
        record.set("license", found.value, origin=found.origin)


def _settle_tasks(record: HarvestedRecord, claims: list[Claim], tag_claims: list[Claim]) -> None:
    stated = [c for c in claims if not c.inferred]
    if stated:
        record.set("tasks", list(dict.fromkeys(v for c in stated for v in c.value)), origin=_origins(stated))
        return
    found, origins = [], []
    for claim in tag_claims:
        for value in claim.value:
            if value in TASK_KEYWORDS:
                found.append(TASK_KEYWORDS[value])
                origins.append(claim.origin)
    if found:
        record.set("tasks", list(dict.fromkeys(found)), origin=", ".join(dict.fromkeys(origins)), inferred=True)


def _settle_languages(record: HarvestedRecord, by_field: dict[str, list[Claim]], primary: str | None) -> None:
    stated = [c for c in by_field.get("languages", []) if not c.inferred and c.rank > RANK_DEFAULT]
    if stated:
        values = list(dict.fromkeys(v for c in stated for v in c.value))
        record.set("languages", values, origin=_origins(stated))
        return
    # Nothing states them: the README's own language, and languages named in the title,
    # the summary, the tags and the keywords (each marked inferred).
    found: list[str] = []
    origins: list[str] = []
    if primary:
        found.append(primary)
        origins.append(record.provenance.get("language", {}).get("origin", ""))
    for name in ("name", "summary"):
        value = record.fields.get(name)
        if isinstance(value, str):
            named = languages_named([value], prose=True, text_language=primary)
            if named:
                found += named
                origins.append(record.provenance[name]["origin"])
    for claim in by_field.get("tags", []):
        named = languages_named(claim.value, prose=False, text_language=primary)
        if named:
            found += named
            origins.append(claim.origin)
    values = _dedupe_languages(found)
    if values:
        record.set("languages", values, origin=", ".join(dict.fromkeys(o for o in origins if o)), inferred=True)


def _dedupe_languages(tags: list[str]) -> list[str]:
    kept: list[str] = []
    for tag in tags:
        if not any(same_language(tag, k) for k in kept):
            kept.append(tag)
    return kept


def _infer_region(record: HarvestedRecord, tag_claims: list[Claim], primary: str | None) -> None:
    if "region" in record.fields:
        return
    found: dict[str, str] = {}
    for claim in tag_claims:
        for code in countries_named(claim.value, text_language=primary):
            found.setdefault(code, claim.origin)
    # One country named is a region; several (Kenya and Tanzania) is not one we can name.
    if len(found) == 1:
        code, origin = next(iter(found.items()))
        record.set("region", code, origin=origin, inferred=True)
