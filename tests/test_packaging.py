"""The package works when installed normally: templates, static files, migrations and samples travel."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_templates_static_migrations_and_samples(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("ai_commons_registry-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "registry/templates/base.html" in names
    assert "registry/templates/entry.html" in names
    assert "registry/static/style.css" in names
    assert "registry/migrations/env.py" in names and "registry/migrations/script.py.mako" in names
    assert any(n.startswith("registry/migrations/versions/0001") for n in names)
    assert "registry/sample_data/samples.toml" in names
    samples = {n.split("/")[3] + "/" + n.split("/")[4] for n in names
               if n.startswith("registry/sample_data/repos/") and n.endswith("/README.md") and n.count("/") == 5}
    assert len(samples) >= 12
    assert any(n.startswith("harvesters/data/licenses/") for n in names)
    assert "registry/search/data/language-names.tsv" in names
    assert not any("/.git/" in n or n.startswith("tests/") for n in names)
    # Every Python package of the source tree travels (a new subpackage missing from pyproject.toml's list
    # would import from a checkout and fail once installed).
    packages = {str(p.parent.relative_to(ROOT)) + "/__init__.py" for top in ("registry", "harvesters")
                for p in (ROOT / top).rglob("__init__.py") if "sample_data" not in p.parts}
    assert packages <= names, sorted(packages - names)
