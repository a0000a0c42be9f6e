"""Licence names as metadata writes them (ids, expressions, URLs, Open Definition and Hugging Face
ids, trove classifiers) turned into SPDX expressions."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from license_expression import ExpressionError, get_spdx_licensing

NOASSERTION = "NOASSERTION"

# Open Definition licence ids (the Frictionless `licenses[].name` vocabulary) that are not SPDX
# ids themselves, and the SPDX id each one is. Ids already valid SPDX (CC0-1.0, ODbL-1.0,
# ODC-By-1.0, PDDL-1.0) need no entry. From https://licenses.opendefinition.org (CC BY 4.0).
OPEN_DEFINITION = {
    "odc-by": "ODC-By-1.0",
    "odc-odbl": "ODbL-1.0",
    "odc-pddl": "PDDL-1.0",
    "odc-pddl-1.0": "PDDL-1.0",
    "cc-zero": "CC0-1.0",
    "cc-by": "CC-BY-4.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "cc-nc": "CC-BY-NC-4.0",
    "uk-ogl": "OGL-UK-3.0",
    "ogl-uk-3.0": "OGL-UK-3.0",
    "gfdl": "GFDL-1.3-or-later",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "agpl-v3": "AGPL-3.0-only",
}
# Open Definition and Hugging Face ids that name no particular licence.
_UNSTATED = {
    "notspecified",
    "other-at",
    "other-open",
    "other-pd",
    "other-closed",
    "other-nc",
    "other",
    "unknown",
    "none",
    "proprietary",
    "noassertion",
}

# Licence pages on well-known sites, as (host, path pattern) -> SPDX id, or a function of the match.
_CC_PATH = re.compile(r"^/(?:licenses/(by(?:-nc)?(?:-nd|-sa)?)/(\d\.\d)|publicdomain/zero/(1\.0))")
_URL_PATHS = (
    ("spdx.org", re.compile(r"^/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$")),
    ("opensource.org", re.compile(r"^/licenses?/([A-Za-z0-9.+-]+?)(?:\.php|\.html)?/?$")),
)
_SIMPLE_URLS = {
    ("www.apache.org", "/licenses/license-2.0"): "Apache-2.0",
    ("apache.org", "/licenses/license-2.0"): "Apache-2.0",
    ("www.gnu.org", "/licenses/gpl-3.0"): "GPL-3.0-only",
    ("www.gnu.org", "/licenses/gpl-2.0"): "GPL-2.0-only",
    ("www.gnu.org", "/licenses/agpl-3.0"): "AGPL-3.0-only",
    ("www.gnu.org", "/licenses/lgpl-3.0"): "LGPL-3.0-only",
    ("www.gnu.org", "/licenses/lgpl-2.1"): "LGPL-2.1-only",
    ("mozilla.org", "/mpl/2.0"): "MPL-2.0",
    ("www.mozilla.org", "/mpl/2.0"): "MPL-2.0",
    ("unlicense.org", ""): "Unlicense",
    ("opendatacommons.org", "/licenses/by/1-0"): "ODC-By-1.0",
    ("opendatacommons.org", "/licenses/odbl/1-0"): "ODbL-1.0",
    ("opendatacommons.org", "/licenses/pddl/1-0"): "PDDL-1.0",
}
# Trove classifiers of licences that name one SPDX licence (PyPI's own vocabulary).
_CLASSIFIERS = {
    "mit license": "MIT",
    "apache software license": "Apache-2.0",
    "bsd license": None,
    "isc license (iscl)": "ISC",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license v3 or later (agplv3+)": "AGPL-3.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.1-or-later",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "the unlicense (unlicense)": "Unlicense",
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
}
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = {"and": "AND", "or": "OR", "with": "WITH"}
_LICENSE_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,99}$")
_REF_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


@functools.cache
def _licensing():
    return get_spdx_licensing()


def _spdx_id(token: str) -> str | None:
    if _LICENSE_REF.match(token):
        return token
    lowered = token.lower()
    if lowered in OPEN_DEFINITION:
        return OPEN_DEFINITION[lowered]
    if not _ID.match(token):
        return None
    try:
        info = _licensing().validate(token)
    # license-expression's own error path can fail on odd keys (an AttributeError in its message).
    except (ExpressionError, AttributeError, ValueError, TypeError):
        return None
    if info.errors or not info.normalized_expression:
        return None
    return str(info.normalized_expression)


def normalize_license(value: object) -> str | None:
    """Return the SPDX expression a licence id, expression or URL stands for; None when unknown."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 300:
        return None
    if text.lower() in _UNSTATED:
        return None
    if re.match(r"^https?://", text, re.I):
        return license_from_url(text)
    if text.lower().startswith("license :: "):
        return license_from_classifier(text)
    tokens = _TOKEN.findall(text)
    if len(tokens) == 1:
        return _spdx_id(tokens[0])
    parts = []
    for token in tokens:
        if token in "()":
            parts.append(token)
        elif token.lower() in _OPERATORS:
            parts.append(_OPERATORS[token.lower()])
        else:
            spdx = _spdx_id(token)
            if spdx is None:
                return None
            parts.append(spdx)
    expression = " ".join(parts).replace("( ", "(").replace(" )", ")")
    if not _balanced(parts):
        return None
    return expression


def _balanced(parts: list[str]) -> bool:
    depth, expect_id = 0, True
    for part in parts:
        if part == "(":
            if not expect_id:
                return False
            depth += 1
        elif part == ")":
            depth -= 1
            if depth < 0 or expect_id:
                return False
        elif part in ("AND", "OR", "WITH"):
            if expect_id:
                return False
            expect_id = True
        else:
            if not expect_id:
                return False
            expect_id = False
    return depth == 0 and not expect_id


def license_from_url(url: str) -> str | None:
    """Return the SPDX id of a licence page URL (spdx.org, creativecommons.org, opensource.org…)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/").lower() if host not in ("spdx.org", "opensource.org") else parts.path
    if host.endswith("creativecommons.org"):
        match = _CC_PATH.match(parts.path.lower())
        if not match:
            return None
        if match.group(3):
            return "CC0-1.0"
        return _spdx_id(f"CC-{match.group(1).upper()}-{match.group(2)}")
    for known_host, pattern in _URL_PATHS:
        if host in (known_host, "www." + known_host):
            match = pattern.match(parts.path)
            return _spdx_id(match.group(1)) if match else None
    path = path.removesuffix(".html").removesuffix(".txt").removesuffix(".en")
    return _SIMPLE_URLS.get((host, path)) or _SIMPLE_URLS.get((host.removeprefix("www."), path))


def license_from_classifier(classifier: str) -> str | None:
    """Return the SPDX id of a ``License :: OSI Approved :: …`` trove classifier, if it names one."""
    last = classifier.split("::")[-1].strip().lower()
    return _CLASSIFIERS.get(last)


def license_ref(name: str) -> str | None:
    """Return a ``LicenseRef-`` id for a licence with no SPDX id (``llama2`` → ``LicenseRef-llama2``)."""
    cleaned = _REF_UNSAFE.sub("-", name.strip()).strip("-.")[:80]
    return f"LicenseRef-{cleaned}" if cleaned else None


def refines(general: str, specific: str) -> bool:
    """Tell whether ``specific`` says more precisely what ``general`` says (GPL-3.0-only → GPL-3.0-or-later).

    A licence file cannot tell "-only" from "-or-later" without the project's notice; a manifest
    can. It also covers a dual licence whose one text is in LICENSE (MIT vs ``MIT OR Apache-2.0``).
    """
    if general == specific:
        return True
    base = re.sub(r"-(?:only|or-later)$", "", general)
    if base != general and re.fullmatch(re.escape(base) + r"-(?:only|or-later)", specific):
        return True
    return general in re.split(r"\s+OR\s+|[()]", specific)
