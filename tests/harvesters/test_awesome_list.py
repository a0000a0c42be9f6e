"""The list harvester: Markdown awesome-lists into groups of items, repositories recognised."""
from __future__ import annotations

import pytest

from harvesters import HarvestOptions, UnsafeSource, get_harvester
from harvesters.awesome_list import parse_list, repository_url

LIST = """# Awesome Français [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)

> Une liste de ressources pour le traitement automatique du français.

## Sommaire
- [Modèles](#modèles)

## Modèles
- [CamemBERT mini](https://github.com/Acme/CamemBERT-Mini/tree/main) - Un modèle **léger** pour le français_canadien.
- [Corpus](https://huggingface.co/datasets/org/corpus-fr): des phrases
  sur deux lignes.
  - [Sous-projet](https://gitlab.com/group/sub/project/-/tree/main) imbriqué
- [Doublon](https://github.com/acme/camembert-mini) encore une fois

### Parole
1. [Article](https://example.org/article.pdf) — un article
- du texte sans lien
```
- [Dans du code](https://github.com/x/y)
```
<!-- - [Commenté](https://github.com/hidden/item) -->

## Licence
- [CC0](https://creativecommons.org/publicdomain/zero/1.0/)
"""


def test_sections_become_groups_and_items_keep_their_notes():
    parsed = parse_list(LIST, base_url="https://github.com/me/awesome-fr")
    assert parsed.title == "Awesome Français"
    assert parsed.description == "Une liste de ressources pour le traitement automatique du français."
    assert parsed.language == "fr"
    assert [g.title for g in parsed.groups] == ["Modèles", "Modèles › Parole"]
    assert [(i.title, i.repository, i.note) for i in parsed.groups[0].items] == [
        ("CamemBERT mini", "https://github.com/acme/camembert-mini", "Un modèle léger pour le français_canadien."),
        ("Corpus", "https://huggingface.co/datasets/org/corpus-fr", "des phrases sur deux lignes."),
        ("Sous-projet", "https://gitlab.com/group/sub/project", "imbriqué")]
    assert [(i.url, i.repository) for i in parsed.groups[1].items] == [("https://example.org/article.pdf", None)]
    assert parsed.warnings == ["https://github.com/acme/camembert-mini is listed more than once; kept the first"]


@pytest.mark.parametrize("url, repo", [
    ("https://github.com/THUDM/ChatGLM-6B", "https://github.com/thudm/chatglm-6b"),
    ("https://www.github.com/a/b.git", "https://github.com/a/b"),
    ("https://github.com/topics/nlp", None),
    ("https://github.com/only-owner", None),
    ("https://huggingface.co/Org/Model", "https://huggingface.co/Org/Model"),
    ("https://example.org/a/b", None),
    ("ftp://github.com/a/b", None),
])
def test_repository_urls_are_recognised_on_the_forges(url, repo):
    assert repository_url(url) == repo


def test_relative_links_point_into_the_list_repository_and_hostile_input_is_safe():
    parsed = parse_list("## Tools\n- [Guide](docs/guide.md) - how to\n- [x](javascript:alert(1))\n",
                        base_url="https://github.com/me/list")
    assert [i.url for i in parsed.items] == ["https://github.com/me/list/blob/HEAD/docs/guide.md"]
    assert parse_list("[" * 50_000 + "\n- " + "(" * 50_000).items == []


def test_a_local_markdown_file_is_for_the_operator_only(tmp_path):
    path = tmp_path / "list.md"
    path.write_text("## A\n- [One](https://github.com/a/one)\n", encoding="utf-8")
    harvester = get_harvester("list")
    with pytest.raises(UnsafeSource):
        harvester.harvest(str(path), options=HarvestOptions())
    parsed = harvester.harvest(str(path), options=HarvestOptions(allow_local=True))
    assert parsed.title == "list" and parsed.commit.startswith("sha256:") and len(parsed.items) == 1
    assert len(parsed.commit) <= 64  # it is stored where a commit id goes (VARCHAR(64) on PostgreSQL)
    assert harvester.head(str(path), options=HarvestOptions(allow_local=True)) == parsed.commit
