"""Licence ids, expressions and URLs as metadata writes them, made SPDX."""
import pytest

from harvesters.spdx import license_from_classifier, license_ref, normalize_license, refines


@pytest.mark.parametrize("value, spdx", [
    ("apache-2.0", "Apache-2.0"), ("mit", "MIT"), ("gpl-3.0", "GPL-3.0-only"), ("GPL-3.0+", "GPL-3.0-or-later"),
    ("MIT or apache-2.0", "MIT OR Apache-2.0"), ("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
    ("LicenseRef-tiny", "LicenseRef-tiny"), ("odc-by", "ODC-By-1.0"), ("cc-by", "CC-BY-4.0"),
    ("https://spdx.org/licenses/BSD-3-Clause", "BSD-3-Clause"), ("https://spdx.org/licenses/MIT.html", "MIT"),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/legalcode", "CC-BY-NC-SA-4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("https://www.apache.org/licenses/LICENSE-2.0.html", "Apache-2.0"), ("https://opensource.org/licenses/MIT", "MIT"),
    ("License :: OSI Approved :: MIT License", "MIT"),
])
def test_known(value, spdx):
    assert normalize_license(value) == spdx


@pytest.mark.parametrize("value", ["other", "unknown", "openrail", "MIT OR", "((MIT)", "MIT)(", "", None, 3,
                                   "https://example.org/licence", "x" * 400])
def test_unknown_is_none(value):
    assert normalize_license(value) is None


def test_refs_classifiers_and_refinement():
    assert license_ref("my licence v2!") == "LicenseRef-my-licence-v2"
    assert license_from_classifier("License :: OSI Approved :: BSD License") is None
    assert refines("GPL-3.0-only", "GPL-3.0-or-later") and refines("MIT", "Apache-2.0 OR MIT")
    assert not refines("GPL-3.0-only", "AGPL-3.0-only")
