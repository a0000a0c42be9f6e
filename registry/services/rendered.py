"""Descriptions rendered once, when written: every flush that adds or changes an entry's description or a
translation's stores its safe HTML beside it, so that pages show it without rendering Markdown again.

The listener covers every write path at once (harvests, edits, accepted proposals, reverts, imports), as
they all go through the ORM. What has no stored rendering, or one by an older renderer, is rendered when
shown (`html_of`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain

from markupsafe import Markup
from sqlalchemy import and_, bindparam, delete, event, insert, literal, tuple_
from sqlalchemy.orm import Session, attributes
from sqlmodel import col, select

from ..models import Entry, RenderedText, Translation
from ..rendering import RENDERER_VERSION, render_markdown

_ORIGINAL = ""
#: Entry ids per DELETE statement (a bulk write flushes thousands at once).
_CHUNK = 500


def _key(obj) -> tuple[int, str] | None:
    if isinstance(obj, Entry):
        return (obj.id, _ORIGINAL) if obj.id is not None else None
    if isinstance(obj, Translation):
        return (obj.entry_id, obj.lang) if obj.entry_id is not None else None
    return None


#: A session whose info holds this key leaves rendering for later (a bulk load: `render_missing` after it).
RENDER_LATER = "render_later"


@event.listens_for(Session, "after_flush")
def _store_renderings(session: Session, _context) -> None:
    if session.info.get(RENDER_LATER):
        return
    written: dict[tuple[int, str], str] = {}
    gone: set[tuple[int, str]] = set()
    for obj in chain(session.new, session.dirty):
        key = _key(obj)
        if key is None:
            continue
        if obj in session.new or attributes.get_history(obj, "description").has_changes():
            written[key] = obj.description or ""
        elif isinstance(obj, Translation) and attributes.get_history(obj, "lang").has_changes():
            written[key] = obj.description or ""
            gone.update((obj.entry_id, old) for old in attributes.get_history(obj, "lang").deleted)
    for obj in session.deleted:
        key = _key(obj)
        if key is not None:
            gone.add(key)
    stale = gone | set(written)
    if not stale:
        return
    table = RenderedText.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    by_lang: dict[str, list[int]] = defaultdict(list)
    for entry_id, lang in stale:
        by_lang[lang].append(entry_id)
    for lang, ids in by_lang.items():
        for start in range(0, len(ids), _CHUNK):
            conn.execute(delete(table).where(table.c.lang == lang, table.c.entry_id.in_(ids[start : start + _CHUNK])))
    rows = [
        {"entry_id": e, "lang": lang, "html": str(render_markdown(text)), "renderer": RENDERER_VERSION}
        for (e, lang), text in written.items()
        if text
    ]
    if rows:
        conn.execute(insert(table), rows)


_TRANSLATIONS = (
    select(Translation, RenderedText.html)
    .where(col(Translation.entry_id) == bindparam("entry_id"))
    .outerjoin(
        RenderedText,
        and_(
            col(RenderedText.entry_id) == Translation.entry_id,
            col(RenderedText.lang) == Translation.lang,
            col(RenderedText.renderer) == RENDERER_VERSION,
        ),
    )
)


def translations_rendered(session, *, entry_id: int) -> tuple[dict[str, Translation], dict[str, str]]:
    """Return an entry's translations by tag, and the stored rendering of each description that has one."""
    translations, html = {}, {}
    for translation, stored in session.exec(_TRANSLATIONS, params={"entry_id": entry_id}):
        translations[translation.lang] = translation
        if stored is not None:
            html[translation.lang] = stored
    return translations, html


def html_of(text: str, stored: str | None) -> Markup:
    """Return a description as safe HTML: its stored rendering when there is one, else rendered now."""
    return Markup(stored) if stored is not None else render_markdown(text)


def render_missing(session, *, batch_size: int = 200, progress=None) -> int:
    """Render and store every description that has no rendering by this renderer; return how many.

    After a bulk load (which leaves rendering for later) or a change of renderer. Reads in batches
    by entry id, so memory stays bounded whatever the registry's size.
    """
    table = RenderedText.__table__  # type: ignore[attr-defined]
    done = 0
    for model, key in ((Entry, Entry.id), (Translation, Translation.entry_id)):
        lang = col(Translation.lang) if model is Translation else literal(_ORIGINAL)
        entry_id = col(key)
        rendered = select(RenderedText.entry_id).where(
            col(RenderedText.entry_id) == entry_id,
            col(RenderedText.lang) == lang,
            col(RenderedText.renderer) == RENDERER_VERSION,
        )
        after = (0, "")
        while True:
            rows = session.exec(
                select(entry_id, lang, col(model.description))
                .where(col(model.description) != "", ~rendered.exists(), tuple_(entry_id, lang) > tuple_(*after))
                .order_by(entry_id, lang)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            keys = [(e, str(tag)) for e, tag, _text in rows]
            for tag in {tag for _e, tag in keys}:
                ids = [e for e, t in keys if t == tag]
                session.execute(delete(table).where(table.c.lang == tag, table.c.entry_id.in_(ids)))
            session.execute(
                insert(table),
                [
                    {"entry_id": e, "lang": str(tag), "html": str(render_markdown(text)), "renderer": RENDERER_VERSION}
                    for e, tag, text in rows
                ],
            )
            after = keys[-1]
            done += len(rows)
            if progress:
                progress(len(rows))
    return done
