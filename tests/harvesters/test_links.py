"""Relative links and images in READMEs point at the source host's files, or are made inert."""
import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.links import file_url_builder, rewrite_relative_links

README = """# Tool

![logo](docs/logo.png) [guide](docs/GUIDE.md#start) [site](https://example.org) [top](#tool) [mail](mailto:a@b.org)
<img src="./img/a.png" alt="a"> <a href="LICENSE">licence</a> `[not a link](x.md)`
[![badge](badge.svg)](/CONTRIBUTING.md)
[ref]: docs/REF.md

```
![in code](code.png)
```
"""


@pytest.mark.parametrize("source, image, page", [
    ("https://github.com/Acme/Tool", "https://raw.githubusercontent.com/Acme/Tool/abc/docs/logo.png",
     "https://github.com/Acme/Tool/blob/abc/docs/GUIDE.md#start"),
    ("https://gitlab.com/acme/group/tool", "https://gitlab.com/acme/group/tool/-/raw/abc/docs/logo.png",
     "https://gitlab.com/acme/group/tool/-/blob/abc/docs/GUIDE.md#start"),
    ("https://gitee.com/acme/tool", "https://gitee.com/acme/tool/raw/abc/docs/logo.png",
     "https://gitee.com/acme/tool/blob/abc/docs/GUIDE.md#start"),
    ("https://codeberg.org/acme/tool", "https://codeberg.org/acme/tool/raw/commit/abc/docs/logo.png",
     "https://codeberg.org/acme/tool/src/commit/abc/docs/GUIDE.md#start"),
    ("https://huggingface.co/acme/tool", "https://huggingface.co/acme/tool/resolve/abc/docs/logo.png",
     "https://huggingface.co/acme/tool/blob/abc/docs/GUIDE.md#start"),
    ("https://huggingface.co/datasets/acme/tool", "https://huggingface.co/datasets/acme/tool/resolve/abc/docs/logo.png",
     "https://huggingface.co/datasets/acme/tool/blob/abc/docs/GUIDE.md#start"),
])
def test_known_hosts(source, image, page):
    out = rewrite_relative_links(README, base_dir="", file_url=file_url_builder(source, "abc"))
    assert f"![logo]({image})" in out
    assert f"[guide]({page})" in out
    assert "[site](https://example.org) [top](#tool) [mail](mailto:a@b.org)" in out
    assert "`[not a link](x.md)`" in out and "![in code](code.png)" in out
    assert "[ref]: " + page.replace("GUIDE.md#start", "REF.md") in out


def test_github_details():
    out = rewrite_relative_links(README, base_dir="", file_url=file_url_builder("https://github.com/a/b.git", "c1"))
    assert '<img src="https://raw.githubusercontent.com/a/b/c1/img/a.png" alt="a">' in out
    assert "<a href=\"https://github.com/a/b/blob/c1/LICENSE\">licence</a>" in out
    assert "[![badge](https://raw.githubusercontent.com/a/b/c1/badge.svg)](https://github.com/a/b/blob/c1/" \
           "CONTRIBUTING.md)" in out


def test_translations_in_sub_folders_resolve_against_their_folder():
    out = rewrite_relative_links("![x](../img/x.png) [y](../../../outside)", base_dir="docs/zh",
                                 file_url=file_url_builder("https://github.com/a/b", "c"))
    assert out == "![x](https://raw.githubusercontent.com/a/b/c/docs/img/x.png) y"


def test_other_sources_are_left_inert():
    out = rewrite_relative_links(README, base_dir="", file_url=None)
    assert out.startswith("# Tool\n\nlogo guide [site](https://example.org) [top](#tool)")
    assert '<img  alt="a"> <a >licence</a>' in out and "[ref]: #" in out
    assert file_url_builder("https://example.org/git/acme/tool", "c") is None
    assert file_url_builder("/srv/repos/acme/tool", "c") is None


def test_harvest_rewrites_for_the_host_and_leaves_local_sources_inert(git_repo):
    path = git_repo({"README.md": README, "docs/zh/README.md": "# 工具\n\n这是一个示例工具。![图](../logo.png)\n"})
    record = get_harvester("git").harvest(str(path), options=HarvestOptions(allow_local=True))
    assert "![logo]" not in record.fields["description"] and "logo guide" in record.fields["description"]
    assert record.translations["zh"]["description"].endswith("这是一个示例工具。图")
