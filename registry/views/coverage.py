"""The coverage page: server-rendered SVG bar charts of entries by language, region and kind, and the gaps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_compact_decimal, format_decimal
from flask import Blueprint, render_template, url_for
from flask_babel import get_locale

from ..db import read_session
from ..models import ENTRY_KINDS
from ..services.coverage import Row, coverage_report
from .collections import kind_label
from .filters import text_direction

bp = Blueprint("coverage", __name__)

#: Bars shown per chart; the table under each chart lists every value.
MAX_BARS = 25
BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, COUNT_WIDTH = 22, 6, 190, 420, 60


@dataclass
class Segment:
    kind: str
    x: float
    width: float
    count: int


@dataclass
class Bar:
    label: str
    href: str
    y: float
    total: int
    shown_total: str
    segments: list[Segment]
    label_x: float
    count_x: float


def _locale() -> str:
    return str(get_locale() or "en")


def number(n: int) -> str:
    """Format a count for the reader's locale."""
    return format_decimal(n, locale=_locale())


def _region_name(code: str) -> str:
    try:
        return Locale.parse(_locale()).territories.get(code.upper(), code)
    except (ValueError, UnknownLocaleError):
        return code


def _language_name(tag: str) -> str:
    try:
        return Locale.parse(tag, sep="-").get_display_name(_locale()) or tag
    except (ValueError, UnknownLocaleError):
        from .languages import autonym

        return autonym(tag)


def _chart(rows: list[Row], *, facet: str, label, rtl: bool) -> dict:
    """Lay out a stacked horizontal bar chart; in right-to-left locales the bars grow leftwards."""
    more = max(0, len(rows) - MAX_BARS)
    rows = rows[:MAX_BARS]
    top = max((r.total for r in rows), default=1) or 1
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    bars = []
    for n, row in enumerate(rows):
        y = n * (BAR_HEIGHT + GAP)
        offset, segments = 0.0, []
        for kind in ENTRY_KINDS:
            count = row.by_kind.get(kind, 0)
            if not count:
                continue
            w = BAR_WIDTH * count / top
            x = (width - LABEL_WIDTH - offset - w) if rtl else (LABEL_WIDTH + offset)
            segments.append(Segment(kind=kind, x=round(x, 1), width=round(w, 1), count=count))
            offset += w
        end = LABEL_WIDTH + offset + 6
        query: dict[str, Any] = {facet: row.value}
        bars.append(
            Bar(
                label=label(row.value),
                href=url_for("pages.entries", **query),
                y=y,
                total=row.total,
                shown_total=number(row.total),
                segments=segments,
                label_x=(width - LABEL_WIDTH + 8) if rtl else (LABEL_WIDTH - 8),
                count_x=(width - end) if rtl else end,
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(1, len(rows)) * (BAR_HEIGHT + GAP),
        "label": label,
        "more": more,
    }


@bp.get("/coverage")
def coverage():
    report = coverage_report(read_session())
    rtl = text_direction(_locale()) == "rtl"
    kinds = [Row(value=kind, by_kind={kind: report.by_kind.get(kind, 0)}) for kind in ENTRY_KINDS]
    return render_template(
        "coverage.html",
        report=report,
        rtl=rtl,
        number=number,
        compact=lambda n: format_compact_decimal(n, locale=_locale(), fraction_digits=1),
        by_language=_chart(report.by_language, facet="language", label=_language_name, rtl=rtl),
        by_region=_chart(report.by_region, facet="region", label=_region_name, rtl=rtl),
        by_kind=_chart(kinds, facet="kind", label=kind_label, rtl=rtl),
        language_name=_language_name,
        region_name=_region_name,
        bar_height=BAR_HEIGHT,
    )
