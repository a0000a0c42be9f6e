"""Coverage: how many entries there are for each language, region and kind, and which languages have none."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import langcodes
from babel.localedata import locale_identifiers
from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import ENTRY_KINDS, Community, Entry, FacetValue

#: How many of the most spoken languages the gap list considers.
REFERENCE_LANGUAGES = 80
#: Kinds that make a language "covered": a project alone does not give people a model to use.
COVERING_KINDS = ("model", "dataset")


@dataclass
class Row:
    """One bar of a chart: a facet value with its count per entry kind."""

    value: str
    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass
class Gap:
    """A language with no model or dataset yet."""

    tag: str
    speakers: int
    projects: int = 0
    communities: int = 0


@dataclass
class CoverageReport:
    by_kind: dict[str, int]
    by_language: list[Row]
    by_region: list[Row]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def _visible_ids():
    return select(Entry.id).where(col(Entry.hidden) == False, col(Entry.deleted_at).is_(None))  # noqa: E712


def _rows(session: Session, facet: str) -> list[Row]:
    counts = session.exec(
        select(FacetValue.value, Entry.kind, func.count())
        .join(Entry, col(Entry.id) == FacetValue.entry_id)
        .where(col(FacetValue.facet) == facet, col(FacetValue.entry_id).in_(_visible_ids()))
        .group_by(FacetValue.value, Entry.kind)
    ).all()
    rows: dict[str, Row] = {}
    for value, kind, n in counts:
        rows.setdefault(value, Row(value=value, by_kind={k: 0 for k in ENTRY_KINDS})).by_kind[kind] = n
    return sorted(rows.values(), key=lambda r: (-r.total, r.value))


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


@functools.lru_cache(maxsize=1)
def most_spoken_languages(limit: int = REFERENCE_LANGUAGES) -> tuple[tuple[str, int], ...]:
    """Return (tag, speakers) of the most spoken languages, from the CLDR data bundled with langcodes."""
    candidates = {ident.split("_")[0] for ident in locale_identifiers()}
    speakers = []
    for code in sorted(candidates):
        try:
            language = langcodes.Language.get(code)
            population = language.speaking_population()
        except (LookupError, ValueError, langcodes.LanguageTagError):
            continue
        if language.language == code and population:
            speakers.append((code, int(population)))
    speakers.sort(key=lambda pair: -pair[1])
    return tuple(speakers[:limit])


def _speakers(tag: str) -> int:
    try:
        return int(langcodes.Language.get(tag).speaking_population())
    except (LookupError, ValueError, langcodes.LanguageTagError):
        return 0


def coverage_report(session: Session) -> CoverageReport:
    """Count visible entries by kind, language and region, and list the languages with no model or dataset."""
    by_kind = {k: 0 for k in ENTRY_KINDS}
    for kind, n in session.exec(
        select(Entry.kind, func.count()).where(col(Entry.id).in_(_visible_ids())).group_by(Entry.kind)
    ).all():
        by_kind[kind] = n
    by_language = _rows(session, "language")
    report = CoverageReport(by_kind=by_kind, by_language=by_language, by_region=_rows(session, "region"))

    covered = {_primary(r.value) for r in by_language if any(r.by_kind.get(k) for k in COVERING_KINDS)}
    projects: dict[str, int] = {}
    for row in by_language:
        projects[_primary(row.value)] = projects.get(_primary(row.value), 0) + row.by_kind.get("project", 0)
    communities: dict[str, int] = {}
    for languages in session.exec(select(Community.languages)).all():
        for tag in {_primary(t) for t in languages or []}:
            communities[tag] = communities.get(tag, 0) + 1
    wanted = dict(most_spoken_languages())
    # Languages a community works with, or that only projects support, are gaps someone cares about already.
    for tag in set(projects) | set(communities):
        wanted.setdefault(tag, _speakers(tag))
    report.gaps = sorted(
        (
            Gap(tag=tag, speakers=n, projects=projects.get(tag, 0), communities=communities.get(tag, 0))
            for tag, n in wanted.items()
            if tag not in covered
        ),
        key=lambda g: (-(g.communities > 0), -g.speakers, g.tag),
    )
    return report
