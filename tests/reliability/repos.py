"""Real git repositories whose every file says which generation it is, so a half-applied harvest shows.

Each commit rewrites a repository as "generation g": the model card's first paragraph (the
summary), its body (the description), the English translation, the tags, the licence and the
languages all carry g. An entry harvested from generation g must show g everywhere — in its
fields, its translation, its latest revision, its facet rows and its search row — or the
harvest was applied only in part.

Used by the test processes and by the harvester processes they start (plain functions, no pytest).
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

AUTHOR_ENV = {"GIT_AUTHOR_NAME": "Sample Author", "GIT_AUTHOR_EMAIL": "sample@example.org",
              "GIT_COMMITTER_NAME": "Sample Author", "GIT_COMMITTER_EMAIL": "sample@example.org",
              "GIT_AUTHOR_DATE": "1769940000 +0000", "GIT_COMMITTER_DATE": "1769940000 +0000",
              "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
_LICENSES = ("mit", "apache-2.0", "cc-by-4.0")
_LANGUAGES = (["sw"], ["sw", "yo"], ["ha"])
GENERATION = re.compile(r"\bgeneration (\d+)\b")


def files_for(name: str, generation: int, *, extra_files: int = 0) -> dict[str, str]:
    """The files of repository ``name`` at ``generation``."""
    g = generation
    langs = _LANGUAGES[g % len(_LANGUAGES)]
    card = "\n".join([
        "---", "language:", *[f"- {lang}" for lang in langs], f"license: {_LICENSES[g % len(_LICENSES)]}",
        "pipeline_tag: text-classification", "library_name: transformers", "tags:", f"- gen{g}", "- reliability",
        f"base_model: lab/base-{name}", "datasets:", f"- lab/data-{name}", "---", "",
        f"# Model {name}", "",
        f"Classifier {name} at generation {g}: it sorts short messages by sentiment.", "",
        "## Training", "",
        f"Trained at generation {g} on messages in {', '.join(langs)}. " + "More words about the data. " * 20, "",
    ])
    files = {
        "README.md": card,
        "README.fr.md": f"# Modèle {name}\n\nClassifieur {name} à la generation {g} : il trie les messages.\n",
        "LICENSE": "MIT License\n\nPermission is hereby granted, free of charge, to any person.\n",
    }
    for n in range(extra_files):
        files[f"data/part-{n:04d}.txt"] = f"sample line {n}\n"
    return files


def _git(path: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, **AUTHOR_ENV}
    return subprocess.run(["git", *args], cwd=path, env=env, input=stdin, capture_output=True, text=True,
                          check=True).stdout.strip()


def write_generation(path: Path, generation: int, *, extra_files: int = 0) -> str:
    """Commit generation ``generation`` of the repository at ``path`` (made when missing); return the commit id."""
    fresh = not (path / ".git").exists()
    if fresh:
        path.mkdir(parents=True, exist_ok=True)
        _git(path, "init", "-q", "-b", "main")
    for rel, content in files_for(path.name, generation, extra_files=extra_files if fresh else 0).items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--allow-empty", "-m", f"generation {generation}")
    return _git(path, "rev-parse", "HEAD")


def generation_of(text: str | None) -> int | None:
    """Return the generation a text mentions, or None."""
    found = {int(g) for g in GENERATION.findall(text or "")}
    assert len(found) <= 1, f"a text mixes generations {sorted(found)}: {text!r}"
    return found.pop() if found else None
