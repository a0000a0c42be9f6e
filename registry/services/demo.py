"""The demo: sample repositories turned into real git repositories and harvested for real."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from harvesters import HarvestOptions
from harvesters.language import detect_language

from ..db import Sessions
from ..errors import Invalid
from ..models import Collection, Community, User
from . import OPERATOR
from .collection_items import add_item
from .collections import create_collection
from .communities import add_member, check_slug, clean_language, clean_languages
from .pipeline import HarvestResult, run_source
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
    repo.index.commit(
        "Sample data for the AI Commons Registry demo",
        author=actor,
        committer=actor,
        author_date=_SAMPLE_DATE,
        commit_date=_SAMPLE_DATE,
    )
    return dest


def run_demo(
    sessions: Sessions, *, repos_dir: Path, options: HarvestOptions, progress: Callable[[str], None] | None = None
) -> DemoReport:
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
            create_user(
                session,
                name=spec["name"],
                email=spec["email"],
                password=password,
                role=spec.get("role", "user"),
                display_name=spec.get("display_name"),
                preferred_language=spec.get("preferred_language") or spec.get("language"),
            )
            report.new_users.append((spec["name"], spec.get("role", "user"), password))
        load_sample_communities(
            session, communities=extras.get("communities", []), collections=extras.get("collections", [])
        )
    return report


def load_sample_communities(session: Session, *, communities: list[dict], collections: list[dict]) -> int:
    """Create the demo's sample communities and collections that do not exist yet; return how many were made.

    Sample users whose preferred language a community works with become its members, the
    first of them its admin. A collection that exists already is left as its curators made it.
    """
    made = 0
    users = list(session.exec(select(User).where(col(User.deleted_at).is_(None)).order_by(col(User.id))))
    for spec in communities:
        if session.exec(select(Community.id).where(col(Community.slug) == spec["slug"])).first() is not None:
            continue
        community = Community(
            slug=check_slug(spec["slug"]),
            name=spec["name"],
            description=spec.get("description", ""),
            region=spec.get("region", ""),
            languages=clean_languages(list(spec.get("languages", []))),
            language=clean_language(spec.get("language")) or detect_language(spec.get("description", "")),
        )
        session.add(community)
        session.flush()
        primaries = {t.split("-")[0] for t in community.languages}
        speakers = [u for u in users if u.preferred_language and u.preferred_language.split("-")[0] in primaries]
        for n, user in enumerate(speakers):
            assert user.id is not None  # users read from the database
            add_member(session, community=community, user_id=user.id, role="admin" if n == 0 else "member")
        made += 1
    for spec in collections:
        if session.exec(select(Collection.id).where(col(Collection.slug) == spec["slug"])).first() is not None:
            continue
        create_collection(
            session,
            actor=OPERATOR,
            title=spec["title"],
            slug=spec["slug"],
            description=spec.get("description", ""),
            language=spec.get("language"),
            community=spec.get("community"),
        )
        for slug in spec.get("items", []):
            try:
                add_item(session, slug=spec["slug"], actor=OPERATOR, entry=slug)
            except Invalid:
                continue  # the sample repository failed to harvest: the demo's table says why
        made += 1
    return made


def _read_extras() -> dict:
    path = SAMPLE_DATA / "samples.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)
