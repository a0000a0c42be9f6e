"""text repair: NUL and lone surrogates already stored are replaced by U+FFFD

Before the request boundary refused them (registry/inputs.py), text with a lone UTF-16
surrogate or NUL could be stored: in JSON columns on both databases (a proposal's changes, a
revision's snapshot; PostgreSQL's json type keeps the escapes as sent) and, for NUL, in text
columns on SQLite. Such a row made every page showing it answer 500, and copying it into a text
column failed on PostgreSQL. Every text and JSON column of every table (the search tables
excepted: they are rebuilt from the rows) is scanned for candidates in SQL, and each candidate
value is repaired in Python. Repairing is not undone by a downgrade.

Revision ID: 0013
Revises: 0001
Create Date: 2026-12-07
"""

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = None

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_SKIPPED = ("alembic_version",)
# PostgreSQL: a json value whose text holds a \u0000 or surrogate escape (a valid pair is a
# candidate too; Python decides). Text columns there cannot hold either.
_PG_JSON = r"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})"


def clean(value: Any) -> Any:
    """Return a text or JSON value with NUL and lone surrogates replaced by U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def _candidates(bind: sa.Connection, name: str, column: str, is_json: bool) -> str | None:
    quoted = bind.dialect.identifier_preparer.quote(column)
    if bind.dialect.name == "postgresql":
        return f"CAST({quoted} AS TEXT) ~ :pattern" if is_json else None
    if is_json:
        return f"({quoted} LIKE '%\\u0000%' OR {quoted} LIKE '%\\ud%' OR instr({quoted}, char(0)) > 0)"
    return f"instr({quoted}, char(0)) > 0"


def repair(bind: sa.Connection) -> dict[str, int]:
    """Repair every stored value holding NUL or a lone surrogate; return the rows changed per table."""
    inspector = sa.inspect(bind)
    changed: dict[str, int] = {}
    for name in inspector.get_table_names():
        if name in _SKIPPED or name.startswith("search_"):
            continue
        keys = inspector.get_pk_constraint(name)["constrained_columns"]
        if not keys:
            continue
        for info in inspector.get_columns(name):
            if not isinstance(info["type"], sa.String | sa.Text | sa.JSON):
                continue
            is_json = isinstance(info["type"], sa.JSON)
            where = _candidates(bind, name, info["name"], is_json)
            if where is None:
                continue
            value_type = sa.JSON() if is_json else sa.Text()
            table = sa.table(name, *(sa.column(k) for k in keys), sa.column(info["name"], value_type))
            # JSON is read as its text and parsed here: the application's engine repairs JSON as it
            # reads it, which would hide what needs writing.
            value = sa.cast(table.c[info["name"]], sa.Text()) if is_json else table.c[info["name"]]
            query = sa.select(*(table.c[k] for k in keys), value).where(sa.text(where))
            params = {"pattern": _PG_JSON} if bind.dialect.name == "postgresql" else {}
            for row in bind.execute(query, params).all():
                stored = json.loads(row[-1]) if is_json and row[-1] is not None else row[-1]
                fixed = clean(stored)
                if fixed == stored:
                    continue
                match = sa.and_(*(table.c[k] == row[i] for i, k in enumerate(keys)))
                bind.execute(sa.update(table).where(match).values({info["name"]: fixed}))
                changed[name] = changed.get(name, 0) + 1
    return changed


def upgrade() -> None:
    repair(op.get_bind())


def downgrade() -> None:
    pass  # the replaced characters are not put back
