"""Package manifests: ``pyproject.toml`` (PEP 621, PEP 639, Poetry), ``setup.cfg`` and ``package.json``.

A manifest names a package and the people behind it; its name is a package identifier, not
the project's display name, so it only fills the name when nothing better says one.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from typing import TYPE_CHECKING, Any

import langcodes

from ..language import normalize_tag
from ..record import LANG_AUTO, LANG_NEUTRAL, RANK_INFERRED, RANK_MANIFEST
from ..spdx import license_from_classifier, normalize_license
from .common import (
    FormatError,
    author,
    dict_of,
    http_url,
    keyword_list,
    load_json,
    parse_file,
    split_name_email,
    tag,
    text,
    text_list,
)
from .readme import trim_summary

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

#: Packages whose presence among the dependencies names the machine-learning framework used.
FRAMEWORK_PACKAGES = {
    "torch": "pytorch",
    "pytorch-lightning": "pytorch",
    "lightning": "pytorch",
    "tensorflow": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "tf-keras": "keras",
    "keras": "keras",
    "jax": "jax",
    "flax": "flax",
    "transformers": "transformers",
    "diffusers": "diffusers",
    "sentence-transformers": "sentence-transformers",
    "peft": "peft",
    "scikit-learn": "scikit-learn",
    "onnxruntime": "onnx",
    "onnx": "onnx",
    "paddlepaddle": "paddlepaddle",
    "mindspore": "mindspore",
    "mlx": "mlx",
    "spacy": "spacy",
    "fairseq": "fairseq",
    "nemo-toolkit": "nemo",
    "@tensorflow/tfjs": "tensorflow.js",
    "@tensorflow/tfjs-node": "tensorflow.js",
    "onnxruntime-web": "onnx",
    "onnxruntime-node": "onnx",
    "@huggingface/transformers": "transformers.js",
    "@xenova/transformers": "transformers.js",
}
_HOMEPAGE_KEYS = ("homepage", "home", "home-page", "documentation", "docs")
_REQUIREMENT = re.compile(r"^\s*(@?[A-Za-z0-9][A-Za-z0-9._/-]*)")


def dependency_frameworks(requirements: list[str]) -> list[str]:
    """Return the frameworks named by dependency specifiers (``torch>=2`` → ``pytorch``)."""
    found = []
    for requirement in requirements[:500]:
        match = _REQUIREMENT.match(requirement)
        if match:
            name = match.group(1).lower().replace("_", "-")
            if name in FRAMEWORK_PACKAGES:
                found.append(FRAMEWORK_PACKAGES[name])
    return list(dict.fromkeys(found))


def classifier_languages(classifiers: list[str]) -> list[str]:
    """Return tags of ``Natural Language :: …`` classifiers (``Chinese (Simplified)`` → ``zh-Hans``)."""
    tags = []
    for classifier in classifiers:
        parts = [p.strip() for p in classifier.split("::")]
        if len(parts) != 2 or parts[0] != "Natural Language":
            continue
        name, _, variant = parts[1].partition(" (")
        try:
            language = langcodes.find(name)
        except LookupError:
            continue
        variant = variant.rstrip(")").lower()
        if variant in ("simplified", "traditional"):
            language = language.update_dict({"script": "Hans" if variant == "simplified" else "Hant"})
        elif variant == "brazilian":
            language = language.update_dict({"territory": "BR"})
        found = normalize_tag(language.to_tag())
        if found:
            tags.append(found)
    return list(dict.fromkeys(tags))


def _offer_common(
    record: HarvestedRecord,
    origin: str,
    *,
    name: Any,
    description: Any,
    version: Any,
    license_value: str | None,
    people: list[dict[str, str]],
    keywords: list[str],
    homepage: str | None,
    classifiers: list[str],
    requirements: list[str],
) -> None:
    record.offer("name", text(name, limit=300), origin=origin, rank=RANK_INFERRED, lang=LANG_NEUTRAL)
    summary = text(description, limit=2000)
    if summary:
        record.offer(
            "summary", trim_summary(" ".join(summary.split())), origin=origin, rank=RANK_MANIFEST, lang=LANG_AUTO
        )
    record.offer("version", text(version, limit=100), origin=origin, rank=RANK_MANIFEST)
    spdx = normalize_license(license_value) if license_value else None
    if license_value and spdx is None:
        record.warnings.append(f"{origin}: licence {license_value[:80]!r} is not an SPDX expression; ignored")
    if spdx is None:
        spdx = next(
            (s for s in (license_from_classifier(c) for c in classifiers if c.startswith("License ::")) if s), None
        )
    record.offer("license", spdx, origin=origin, rank=RANK_MANIFEST)
    record.offer("authors", people, origin=origin, rank=RANK_MANIFEST)
    record.offer("tags", [tag(k) for k in keywords], origin=origin, rank=RANK_MANIFEST)
    record.offer("homepage", homepage, origin=origin, rank=RANK_MANIFEST)
    record.offer("languages", classifier_languages(classifiers), origin=origin, rank=RANK_MANIFEST)
    record.offer("frameworks", dependency_frameworks(requirements), origin=origin, rank=RANK_MANIFEST)


def _people(values: Any) -> list[dict[str, str]]:
    people = []
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, dict):
            person = author(text(value.get("name"), limit=200))
        elif isinstance(value, str):
            person = author(split_name_email(value)) if split_name_email(value) else None
        else:
            person = None
        if person and "@" not in person["name"]:
            people.append(person)
    return people


def _url_from(table: Any, keys: tuple[str, ...]) -> str | None:
    if not isinstance(table, dict):
        return None
    lowered = {str(k).lower(): v for k, v in table.items()}
    return next((http_url(lowered[k]) for k in keys if http_url(lowered.get(k))), None)


def apply_pyproject(doc: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what ``[project]`` (or Poetry's ``[tool.poetry]``) says."""
    project = doc.get("project") if isinstance(doc.get("project"), dict) else None
    tool = dict_of(doc.get("tool"))
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else None
    table = project or poetry
    if table is None:
        return
    license_value = table.get("license")
    if isinstance(license_value, dict):  # PEP 621's older {text = "…"} or {file = "…"}
        license_value = license_value.get("text")
    requirements = text_list(table.get("dependencies")) if project else list(table.get("dependencies") or {})
    urls = table.get("urls") if project else {"homepage": table.get("homepage"), "repository": table.get("repository")}
    people = _people(table.get("authors")) or _people(table.get("maintainers"))
    _offer_common(
        record,
        origin,
        name=table.get("name"),
        description=table.get("description"),
        version=table.get("version"),
        license_value=text(license_value, limit=300),
        people=people,
        keywords=text_list(table.get("keywords")),
        homepage=_url_from(urls, _HOMEPAGE_KEYS),
        classifiers=text_list(table.get("classifiers")),
        requirements=requirements,
    )


def parse_pyproject(source: str) -> dict[str, Any]:
    """Parse pyproject.toml; raise FormatError if it is not valid TOML."""
    try:
        return tomllib.loads(source)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        raise FormatError(f"is not valid TOML ({str(exc).splitlines()[0][:120] if str(exc) else 'error'})") from None


def parse_setup_cfg(source: str) -> dict[str, dict[str, str]]:
    """Parse setup.cfg into sections; raise FormatError if it is not an INI file."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(source)
    except (configparser.Error, ValueError, RecursionError) as exc:
        raise FormatError(f"is not a valid configuration file ({str(exc).splitlines()[0][:120]})") from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def apply_setup_cfg(sections: dict[str, dict[str, str]], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what ``[metadata]`` says."""
    meta = sections.get("metadata")
    if not meta:
        return
    urls = dict(line.split("=", 1) for line in _lines(meta.get("project_urls")) if "=" in line)
    homepage = http_url(meta.get("url") or meta.get("home_page")) or _url_from(
        {k.strip(): v.strip() for k, v in urls.items()}, _HOMEPAGE_KEYS
    )
    options = sections.get("options", {})
    requirements = _lines(options.get("install_requires"))
    _offer_common(
        record,
        origin,
        name=meta.get("name"),
        description=meta.get("description"),
        version=None if (meta.get("version") or "").startswith(("attr:", "file:")) else meta.get("version"),
        license_value=text(meta.get("license_expression") or meta.get("license"), limit=300),
        people=_people([p.strip() for p in (meta.get("author") or "").split(",")]),
        keywords=keyword_list(meta.get("keywords")),
        homepage=homepage,
        classifiers=_lines(meta.get("classifiers")),
        requirements=requirements,
    )


def _lines(value: str | None) -> list[str]:
    # setup.cfg writes a list as one value, an item a line.
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def parse_package_json(source: str) -> dict[str, Any]:
    """Parse package.json; raise FormatError if it is not a JSON object."""
    doc = load_json(source)
    if not isinstance(doc, dict):
        raise FormatError("is not a JSON object")
    return doc


def apply_package_json(doc: dict[str, Any], record: HarvestedRecord, *, origin: str) -> None:
    """Offer what an npm package says."""
    license_value = doc.get("license")
    if isinstance(license_value, dict):
        license_value = license_value.get("type")
    if license_value is None and isinstance(doc.get("licenses"), list):
        types_ = [text(item.get("type"), limit=100) for item in doc["licenses"] if isinstance(item, dict)]
        license_value = " OR ".join(t for t in types_ if t) or None
    people = _people(doc.get("author")) + _people(doc.get("contributors"))
    requirements = [
        str(k) for key in ("dependencies", "peerDependencies") if isinstance(doc.get(key), dict) for k in doc[key]
    ]
    _offer_common(
        record,
        origin,
        name=doc.get("name"),
        description=doc.get("description"),
        version=doc.get("version"),
        license_value=text(license_value, limit=300),
        people=people,
        keywords=text_list(doc.get("keywords")),
        homepage=http_url(doc.get("homepage")),
        classifiers=[],
        requirements=requirements,
    )


_MANIFESTS = (
    ("pyproject.toml", parse_pyproject, apply_pyproject),
    ("setup.cfg", parse_setup_cfg, apply_setup_cfg),
    ("package.json", parse_package_json, apply_package_json),
)


def read_manifests(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Read the package manifests at the root."""
    names = set(checkout.root_files())
    for name, parse, apply in _MANIFESTS:
        if name not in names:
            continue
        found = parse_file(checkout, record, name, parse)
        if found is not None:
            apply(found[1], record, origin=name)
