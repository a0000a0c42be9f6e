"""An entry's field list is written once, and agrees with the harvesters' and the edit shape's."""
from __future__ import annotations

import harvesters
from registry.schemas import EDITABLE_FIELDS, ENTRY_FIELDS, LIST_FIELDS, TEXT_FIELDS, EntryPatch


def test_the_entry_fields_are_the_harvesters_fields():
    assert ENTRY_FIELDS == harvesters.ENTRY_FIELDS


def test_the_patch_shape_takes_exactly_the_editable_fields():
    assert set(EntryPatch.model_fields) - {"base_revision", "reason"} == set(EDITABLE_FIELDS)


def test_list_and_text_fields_are_editable_fields():
    assert set(LIST_FIELDS) <= set(EDITABLE_FIELDS) and set(TEXT_FIELDS) <= set(EDITABLE_FIELDS)
