import textwrap
from importlib import resources

import pytest

from harvesters.formats.license import NOASSERTION, detect_spdx_license, find_license_files

REFERENCE_IDS = ["AGPL-3.0-only", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0",
                 "GPL-2.0-only", "GPL-3.0-only", "ISC", "LGPL-2.1-only", "LGPL-3.0-only", "MIT", "MPL-2.0", "Unlicense"]

GPL3_NOTICE = """\
    Tool - does one thing well
    Copyright (C) 2024  Ada Tester

    This program is free software: you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.

"""


def reference(spdx: str) -> str:
    return resources.files("harvesters").joinpath("data", "licenses", f"{spdx}.txt").read_text(encoding="utf-8")


def rewrap(text: str, width: int = 60) -> str:
    """Re-flow every paragraph, as copies of a licence often are."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in text.split("\n\n") if p.strip())


def filled(spdx: str) -> str:
    text = reference(spdx)
    for placeholder, value in (("<year>", "2024"), ("<owner>", "Acme Labs"), ("<copyright holders>", "Acme Labs")):
        text = text.replace(placeholder, value)
    return text


@pytest.mark.parametrize("spdx", REFERENCE_IDS)
def test_every_reference_text_is_recognised(spdx):
    assert detect_spdx_license(reference(spdx)) == (spdx, [])


@pytest.mark.parametrize("spdx", ["MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Apache-2.0", "MPL-2.0", "CC0-1.0"])
def test_real_world_copies_are_recognised(spdx):
    text = "Copyright (c) 2019-2024 Acme Labs and contributors\nAll rights reserved.\n\n" + rewrap(filled(spdx))
    assert detect_spdx_license(text) == (spdx, [])


def test_mit_without_title_and_in_british_spelling():
    text = filled("MIT").replace("MIT License", "").replace("permission notice", "permission notice (licence)")
    assert detect_spdx_license(text) == ("MIT", [])


def test_bsd3_with_organisation_name():
    text = filled("BSD-3-Clause").replace("the copyright holder nor", "Acme Labs nor")
    assert detect_spdx_license(text) == ("BSD-3-Clause", [])


def test_bsd2_and_bsd3_are_told_apart():
    assert detect_spdx_license(filled("BSD-2-Clause"))[0] == "BSD-2-Clause"
    assert detect_spdx_license(filled("BSD-3-Clause"))[0] == "BSD-3-Clause"


@pytest.mark.parametrize("spdx, marker", [
    ("Apache-2.0", "END OF TERMS AND CONDITIONS"),
    ("GPL-2.0-only", "END OF TERMS AND CONDITIONS"),
    ("GPL-3.0-only", "END OF TERMS AND CONDITIONS"),
    ("LGPL-2.1-only", "END OF TERMS AND CONDITIONS"),
    ("MPL-2.0", "Exhibit A - Source Code Form License Notice"),
])
def test_copies_without_the_appendix_are_recognised(spdx, marker):
    text = reference(spdx)
    assert detect_spdx_license(text[: text.index(marker)]) == (spdx, [])


def test_gpl3_and_lgpl3_are_told_apart():
    assert detect_spdx_license(reference("GPL-3.0-only")) == ("GPL-3.0-only", [])
    assert detect_spdx_license(reference("LGPL-3.0-only")) == ("LGPL-3.0-only", [])


def test_gpl_text_alone_is_only_because_its_appendix_is_boilerplate():
    # The GPL's "How to Apply" appendix itself says "or (at your option) any later version".
    assert detect_spdx_license(reference("GPL-3.0-only"))[0] == "GPL-3.0-only"
    assert detect_spdx_license(reference("GPL-2.0-only"))[0] == "GPL-2.0-only"


def test_a_notice_choosing_later_versions_makes_it_or_later():
    assert detect_spdx_license(GPL3_NOTICE + reference("GPL-3.0-only")) == ("GPL-3.0-or-later", [])
    body = reference("GPL-3.0-only")
    body = body[: body.index("END OF TERMS AND CONDITIONS")]
    assert detect_spdx_license(GPL3_NOTICE + body) == ("GPL-3.0-or-later", [])
    lesser = GPL3_NOTICE.replace("GNU General", "GNU Lesser General") + reference("LGPL-2.1-only")
    assert detect_spdx_license(lesser.replace("version 3", "version 2.1")) == ("LGPL-2.1-or-later", [])


def test_a_notice_for_this_version_only_stays_only():
    notice = GPL3_NOTICE.replace("either version 3 of the License, or\n    (at your option) any later version",
                                 "version 3 of the License only")
    assert detect_spdx_license(notice + reference("GPL-3.0-only")) == ("GPL-3.0-only", [])


@pytest.mark.parametrize("first, second", [
    ("MIT", "Apache-2.0"), ("GPL-3.0-only", "LGPL-3.0-only"), ("GPL-3.0-only", "MIT"), ("BSD-2-Clause", "ISC"),
])
def test_two_licence_texts_in_one_file(first, second):
    spdx, warnings = detect_spdx_license(filled(first) + "\n\n----\n\n" + filled(second))
    assert spdx == NOASSERTION
    assert "more than one licence" in warnings[0]


@pytest.mark.parametrize("text", [
    "All rights reserved. You may not use, copy or share this software in any way without written consent "
    "of the author, who may be reached by letter at the address printed on the box.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 30,
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" * 5,
])
def test_unknown_text_is_noassertion(text):
    spdx, warnings = detect_spdx_license(text)
    assert spdx == NOASSERTION and warnings == ["its text does not match a licence we know"]


def test_modified_licence_is_noassertion():
    text = filled("MIT") + "\nThe Software shall be used for Good, not Evil, and never by anyone in a hurry.\n" * 3
    assert detect_spdx_license(text)[0] == NOASSERTION


def test_empty_file_is_noassertion_with_warning():
    assert detect_spdx_license("") == (NOASSERTION, ["the licence file is too short to recognise"])


def test_find_license_files():
    assert find_license_files(["README.md", "license.txt", "COPYING"]) == ["license.txt"]
    assert find_license_files(["Licence", "setup.py"]) == ["Licence"]
    assert find_license_files(["LICENSE-MIT", "LICENSE-APACHE", "README"]) == ["LICENSE-APACHE", "LICENSE-MIT"]
    assert find_license_files(["README.md", "LICENSES.md.bak"]) == []


@pytest.mark.parametrize("spdx", ["AGPL-3.0-only", "GPL-3.0-only", "CC-BY-4.0", "CC-BY-SA-4.0"])
def test_close_relatives_are_never_confused(spdx):
    # AGPL-3.0 is GPL-3.0 plus a section; CC-BY-SA-4.0 is CC-BY-4.0 plus share-alike terms.
    assert detect_spdx_license(rewrap(reference(spdx))) == (spdx, [])


def test_agpl_or_later_from_its_notice():
    notice = GPL3_NOTICE.replace("GNU General Public License", "GNU Affero General Public License")
    assert detect_spdx_license(notice + reference("AGPL-3.0-only")) == ("AGPL-3.0-or-later", [])
