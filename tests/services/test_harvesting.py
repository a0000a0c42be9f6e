"""Applying harvests: upsert, outcomes, revisions, provenance, failures that keep data."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from harvesters import HarvestedRecord, Outcome
from registry.db import get_engine, write_session
from registry.models import Entry, FacetValue, HarvestRun, Revision, Source
from registry.services.harvesting import apply_record
from tests.helpers import harvest_options, harvest_source, source_row

MIT = """MIT License

Copyright (c) 2026 Sample Lab

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

README = """# Tiny Tagger

A sample part-of-speech tagger for Yoruba text, written for the registry's own tests and
trained on a small hand-made corpus of proverbs and news sentences.

## Usage

```python
print("hello")
```
"""


def _harvest(app, path):
    return harvest_source(app, source=str(path), kind="git", options=harvest_options(app, operator=True))


def _entries(app):
    with Session(get_engine(app)) as s:
        return s.exec(select(Entry)).all()


def _count(app, model):
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_first_harvest_creates_entry_with_fields_and_provenance(app, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": MIT}, name="sample-lab/tiny-tagger")
    result = _harvest(app, repo)
    assert result.outcome is Outcome.CREATED
    assert result.slug == "sample-lab/tiny-tagger"
    [entry] = _entries(app)
    assert entry.name == "Tiny Tagger"
    assert entry.summary.startswith("A sample part-of-speech tagger for Yoruba text")
    assert entry.license == "MIT"
    assert entry.language == "en"
    assert entry.revision == 1
    head = __import__("git").Repo(repo).head.commit.hexsha
    assert entry.provenance["license"] == {"origin": "LICENSE", "commit": head}
    assert entry.provenance["name"]["origin"] == "README.md"
    assert entry.head_commit == head
    assert _count(app, Revision) == 1


def test_second_harvest_is_unchanged_and_writes_no_revision(app, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": MIT})
    assert _harvest(app, repo).outcome is Outcome.CREATED
    again = _harvest(app, repo)
    assert again.outcome is Outcome.UNCHANGED
    assert len(_entries(app)) == 1
    assert _entries(app)[0].revision == 1
    assert _count(app, Revision) == 1
    with Session(get_engine(app)) as s:
        outcomes = [r.outcome for r in s.exec(select(HarvestRun).order_by(HarvestRun.id))]
    assert outcomes == ["created", "unchanged"]


def test_new_commit_updates_changed_fields_only(app, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": MIT})
    _harvest(app, repo)
    git_repo({"README.md": README.replace("# Tiny Tagger", "# Tiny Tagger Two")}, message="rename")
    result = _harvest(app, repo)
    assert result.outcome is Outcome.UPDATED
    assert "name" in result.changes and "license" not in result.changes
    [entry] = _entries(app)
    assert entry.name == "Tiny Tagger Two" and entry.revision == 2
    with Session(get_engine(app)) as s:
        snaps = [r.snapshot["name"] for r in s.exec(select(Revision).order_by(Revision.number))]
    assert snaps == ["Tiny Tagger", "Tiny Tagger Two"]


def test_person_edit_is_never_overwritten_by_a_harvest(app, git_repo):
    repo = git_repo({"README.md": README})
    _harvest(app, repo)
    with write_session(app) as s:
        entry = s.exec(select(Entry)).one()
        entry.summary = "Curated summary."
        entry.provenance = {**entry.provenance, "summary": {"edited_by": "amina"}}
        s.add(entry)
    git_repo({"README.md": README.replace("A sample part-of-speech", "An updated part-of-speech")}, message="more")
    _harvest(app, repo)
    [entry] = _entries(app)
    assert entry.summary == "Curated summary."
    assert entry.provenance["summary"] == {"edited_by": "amina"}


def test_not_a_repository_writes_nothing(app, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "README.md").write_text("# Not a repo\n")
    result = _harvest(app, folder)
    assert result.outcome is Outcome.FAILED
    assert "not a git repository" in result.error
    assert _count(app, Entry) == 0 and _count(app, Source) == 0 and _count(app, HarvestRun) == 0


def test_failure_of_a_known_source_keeps_last_good_data(app, git_repo):
    import shutil

    repo = git_repo({"README.md": README, "LICENSE": MIT})
    _harvest(app, repo)
    shutil.rmtree(repo / ".git")
    result = _harvest(app, repo)
    assert result.outcome is Outcome.FAILED
    [entry] = _entries(app)
    assert entry.name == "Tiny Tagger" and entry.license == "MIT" and entry.revision == 1
    with Session(get_engine(app)) as s:
        src = s.exec(select(Source)).one()
        runs = s.exec(select(HarvestRun).order_by(HarvestRun.id)).all()
    assert src.consecutive_failures == 1 and "not a git repository" in src.last_error
    assert runs[-1].outcome == "failed" and runs[-1].error


def test_taken_slug_gets_a_suffix(app, git_repo, tmp_path):
    first = git_repo({"README.md": README}, name="acme/tool")
    _harvest(app, first)
    rec = HarvestedRecord(source_url="https://gitee.com/acme/tool", source_kind="git", slug_hint="acme/tool",
                          commit="a" * 40)
    rec.set("name", "Tool", origin="README.md")
    with write_session(app) as s:
        r1 = apply_record(s, record=rec, src=source_row(s, "https://gitee.com/acme/tool"))
    rec2 = HarvestedRecord(source_url="https://gitee.com/acme/tool2", source_kind="git", slug_hint="acme/tool",
                           commit="b" * 40)
    rec2.set("name", "Tool", origin="README.md")
    with write_session(app) as s:
        r2 = apply_record(s, record=rec2, src=source_row(s, "https://gitee.com/acme/tool2"))
    assert (r1.slug, r2.slug) == ("acme/tool-gitee", "acme/tool-2")


def test_facets_follow_licence_expressions(app):
    rec = HarvestedRecord(source_url="https://example.org/a/b", source_kind="git", slug_hint="a/b")
    rec.set("name", "B", origin="README.md")
    rec.set("license", "MIT OR Apache-2.0", origin="LICENSE")
    rec.set("languages", ["sw", "en"], origin="README.md")
    with write_session(app) as s:
        apply_record(s, record=rec, src=source_row(s, "https://example.org/a/b"))
    with Session(get_engine(app)) as s:
        rows = {(f.facet, f.value) for f in s.exec(select(FacetValue))}
    assert {("license", "MIT"), ("license", "Apache-2.0"), ("language", "sw"), ("language", "en"),
            ("kind", "project")} <= rows


def test_relation_to_unregistered_target_is_linked_when_it_arrives(app):
    child = HarvestedRecord(source_url="https://example.org/x/child", source_kind="git", slug_hint="x/child")
    child.set("name", "Child", origin="README.md")
    child.relations.append({"type": "fine-tuned-from", "target": "x/parent"})
    parent = HarvestedRecord(source_url="https://example.org/x/parent", source_kind="git", slug_hint="x/parent")
    parent.set("name", "Parent", origin="README.md")
    with write_session(app) as s:
        apply_record(s, record=child, src=source_row(s, child.source_url))
    with app.app_context():
        from registry.db import read_session
        from registry.services.entries import get_entry
        assert get_entry(read_session(), slug="x/child", actor=None).relations[0].resolved_slug is None
    with write_session(app) as s:
        apply_record(s, record=parent, src=source_row(s, parent.source_url))
    with app.app_context():
        from registry.db import read_session
        from registry.services.entries import get_entry
        rel = get_entry(read_session(), slug="x/child", actor=None).relations[0]
    assert (rel.type, rel.target, rel.resolved_slug) == ("fine-tuned-from", "x/parent", "x/parent")


def test_harvested_text_is_trimmed_as_an_import_trims_it(app):
    """A summary with trailing spaces, or tags padded and repeated, are stored as an import stores them."""
    rec = HarvestedRecord(source_url="https://example.org/pad/ded", source_kind="git", slug_hint="pad/ded")
    rec.set("name", "  Padded Tagger ", origin="README.md")
    rec.set("summary", "A tagger for Yoruba.   \n", origin="README.md")
    rec.set("tags", [" pos ", "pos", "  ", "yoruba"], origin="README.md")
    with write_session(app) as s:
        apply_record(s, record=rec, src=source_row(s, rec.source_url))
    with Session(get_engine(app)) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "pad/ded")).one()
    assert (entry.name, entry.summary, entry.tags) == ("Padded Tagger", "A tagger for Yoruba.", ["pos", "yoruba"])
    # The same record again changes nothing: what is stored is what the harvest gives.
    with write_session(app) as s:
        again = apply_record(s, record=rec, src=source_row(s, rec.source_url))
    assert again.outcome is Outcome.UNCHANGED
