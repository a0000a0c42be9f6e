"""What is indexed for an entry: its text in every accepted language, as tokens per weighted field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..facets import facet_values
from ..models import Entry, Translation
from .query import LANGUAGE_MARK, MIN_SUBSTRING_CHARS
from .text import is_segmented, key, tokens

#: Fields in order of weight: a word in the name counts most, one deep in the README least.
FIELDS = ("name", "tags", "langs", "summary", "description")
#: bm25 weight of each field, in FIELDS order: name > tags > languages > summary > description.
FIELD_WEIGHTS = (10.0, 5.0, 4.0, 3.0, 1.0)
#: Ranking's small freshness bonus (up to +25 %) halves after this many seconds (180 days).
FRESHNESS_SECONDS = 180 * 86400.0
#: Tokens indexed per field: a 2 MiB README must not make one entry cost as much as thousands.
MAX_FIELD_TOKENS = {"name": 400, "tags": 1000, "langs": 100, "summary": 2000, "description": 12000}
#: Vocabulary kept for typo and substring expansion: long enough to be a word, short enough to be typed.
MAX_TERM_CHARS = 32


@dataclass
class SearchDocument:
    """One entry's index row: space-joined tokens per field, exact-name keys and a ranking boost."""

    entry_id: int
    fields: dict[str, list[str]]
    name_keys: str
    facets: str
    boost: float
    updated_epoch: float
    terms: set[str] = field(default_factory=set)

    def text(self, name: str) -> str:
        if isinstance(self.fields, _JoinedFields):
            return self.fields.texts[name]
        return " ".join(self.fields[name])

    def row(self) -> dict[str, object]:
        """Return the document as one string per field and what the index keeps beside the text: the
        form in which it travels between processes and waits in the staging table (staging.py)."""
        return {
            "entry_id": self.entry_id,
            **{name: self.text(name) for name in FIELDS},
            "name_keys": self.name_keys,
            "facets": self.facets,
            "boost": self.boost,
            "updated_epoch": self.updated_epoch,
            "terms": " ".join(self.terms),
        }

    def __reduce__(self):
        # Sent between processes (bulk.py) as one string per field: a batch's token lists
        # unpickled as objects cost more than building them did.
        return (document_from_row, (self.row(),))


class _JoinedFields(dict):
    """A document's fields as received from another process: split into tokens only when read."""

    def __init__(self, texts: dict[str, str]):
        super().__init__()
        self.texts = texts

    def __missing__(self, name: str) -> list[str]:
        self[name] = self.texts[name].split()
        return self[name]


def document_from_row(row) -> SearchDocument:
    """Return the document of a ``SearchDocument.row()`` (a mapping, or a database row with those names)."""
    fields = _JoinedFields({name: row[name] for name in FIELDS})
    return SearchDocument(
        row["entry_id"],
        fields,
        row["name_keys"],
        row["facets"],
        row["boost"],
        row["updated_epoch"],
        set(row["terms"].split()),
    )


#: Separators of the facets column: between rows, and between a facet and its value.
FACET_SEP, PAIR_SEP = "\x1f", "\x1e"


def encode_facets(rows: set[tuple[str, str]]) -> str:
    """Return an entry's facet rows as one string, so counting them needs no join."""
    return FACET_SEP.join(f"{facet}{PAIR_SEP}{value}" for facet, value in sorted(rows))


def accepted(translation: Translation) -> bool:
    """Tell whether a translation is public: harvested or a maintainer's, or reviewed when contributed."""
    return translation.origin != "community" or bool(translation.reviewed_by)


def is_searchable(entry: Entry) -> bool:
    """Tell whether an entry belongs in the index at all (hidden and deleted ones never do)."""
    return not entry.hidden and entry.deleted_at is None


def _author_names(authors) -> list[str]:
    return [a.get("name", "") if isinstance(a, dict) else str(a) for a in authors or []]


def _completeness(entry: Entry) -> float:
    present = [entry.summary, entry.description, entry.license, entry.languages, entry.tasks, entry.tags]
    return sum(1 for value in present if value) / len(present)


def _epoch(value: datetime | None) -> float:
    if value is None:
        return 0.0
    if value.tzinfo is None:  # SQLite hands back naive UTC datetimes
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def build_document(entry: Entry, translations: list[Translation]) -> SearchDocument:
    """Build the index row of an entry from the entry and its accepted translations."""
    assert entry.id is not None  # only stored entries are indexed
    shown = [t for t in translations if accepted(t)]
    texts = {
        "name": [entry.name] + [t.name for t in shown],
        "tags": list(entry.tags)
        + list(entry.tasks)
        + list(entry.frameworks)
        + _author_names(entry.authors)
        + [entry.slug],
        "summary": [entry.summary] + [t.summary for t in shown],
        "description": [entry.description] + [t.description for t in shown],
    }
    fields: dict[str, list[str]] = {}
    for name, values in texts.items():
        toks: list[str] = []
        for value in values:
            toks += tokens(value, limit=MAX_FIELD_TOKENS[name] - len(toks))
            if len(toks) >= MAX_FIELD_TOKENS[name]:
                break
        fields[name] = toks
    languages = list(entry.languages) or ([entry.language] if entry.language else [])
    codes = sorted({str(tag).split("-")[0].lower() for tag in languages if tag})
    fields["langs"] = [LANGUAGE_MARK + code for code in codes][: MAX_FIELD_TOKENS["langs"]]
    names = [entry.name] + [t.name for t in shown] + [entry.slug, entry.slug.split("/")[-1]]
    name_keys = "|" + "|".join(dict.fromkeys(k for k in map(key, names) if k)) + "|"
    distinct = set().union(*(fields[name] for name in ("name", "tags", "summary", "description")))
    terms = {
        tok
        for tok in distinct
        if MIN_SUBSTRING_CHARS <= len(tok) <= MAX_TERM_CHARS
        and not tok.isdigit()
        and (tok.isascii() or not is_segmented(tok))  # (no ASCII token is of a script without spaces)
    }
    return SearchDocument(
        entry_id=entry.id,
        fields={name: fields[name] for name in FIELDS},
        name_keys=name_keys,
        facets=encode_facets(facet_values(entry)),
        boost=1.0 + 0.2 * _completeness(entry),
        updated_epoch=_epoch(entry.updated_at),
        terms=terms,
    )
