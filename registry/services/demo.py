"""The demo: sample repositories turned into real git repositories and harvested for real."""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from harvesters import HarvestOptions

from ..db import Sessions
from .pipeline import HarvestResult, run_source
from .communities import load_sample_communities
from .users import create_user, generate_password, user_exists

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
# Fixed identity and dates: building the sample repositories twice gives the same commits,
# so a second `demo` finds every source unchanged.
_SAMPLE_DATE = "1768478400 +0000"  # 2026-01-15 12:00 UTC, in git's own format


@dataclass
class DemoReport:
    results: list[HarvestResult] = field(default_factory=list)
    new_users: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, password


def sample_repositories() -> list[Path]:
    """Return the bundled sample source folders (``repos/<namespace>/<name>``)."""
    root = SAMPLE_DATA / "repos"
    return sorted(p for p in root.glob("*/*") if p.is_dir())


def build_demo_repository(sample: Path, dest: Path) -> Path:
    """Make ``dest`` a git repository whose HEAD holds exactly the sample's files."""
    import git

    dest.mkdir(parents=True, exist_ok=True)
    repo = git.Repo(dest) if (dest / ".git").is_dir() else git.Repo.init(dest, initial_branch="main")
    for child in dest.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    shutil.copytree(sample, dest, dirs_exist_ok=True)
    repo.git.add("-A")
    if repo.head.is_valid() and not repo.is_dirty(index=True, working_tree=False, untracked_files=False):
        return dest
    actor = git.Actor("AI Commons sample data", "samples@example.org")
    repo.index.commit("Sample data for the AI Commons Registry demo", author=actor, committer=actor,
                      author_date=_SAMPLE_DATE, commit_date=_SAMPLE_DATE)
    return dest


def run_demo(sessions: Sessions, *, repos_dir: Path, options: HarvestOptions,
             progress: Callable[[str], None] | None = None) -> DemoReport:
    """Build the sample repositories under ``repos_dir``, harvest them, and add the sample accounts; idempotent."""
    report = DemoReport()
    for sample in sample_repositories():
        dest = build_demo_repository(sample, repos_dir / sample.parent.name / sample.name)
        if progress:
            progress(f"{sample.parent.name}/{sample.name}")
        report.results.append(run_source(sessions, source=str(dest), kind="git", options=options))

    extras = _read_extras()
    with sessions.write() as session:
        for spec in extras.get("users", []):
            if user_exists(session, name=spec["name"]):
                continue
            password = generate_password()
            create_user(session, name=spec["name"], email=spec["email"], password=password,
                        role=spec.get("role", "user"), display_name=spec.get("display_name"),
                        preferred_language=spec.get("preferred_language") or spec.get("language"))
            report.new_users.append((spec["name"], spec.get("role", "user"), password))
        load_sample_communities(session, communities=extras.get("communities", []),
                                collections=extras.get("collections", []))
    return report


def _read_extras() -> dict:
    path = SAMPLE_DATA / "samples.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)
