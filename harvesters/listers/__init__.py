"""Listers: a forge organisation, a hub author or a catalogue in; source addresses and their hub metadata out.

Pure code like the harvesters: no Flask, no registry, no database. Each kind is one module,
registered with ``@register_lister``; ``driver.walk`` reads the pages with the one HTTP client.
"""

# Importing a built-in lister registers its kind.
from . import ckan, gitea, gitee, github, gitlab, huggingface, modelscope, oai_pmh  # noqa: F401 - imported to register
from .base import (
    LISTER_KINDS,
    BadTarget,
    ListedItem,
    Lister,
    ListerError,
    ListerSettings,
    get_lister,
    lister_kinds,
    register_lister,
)
from .driver import ListedPage, ListingStopped, PageMemory, first_cursor, walk
from .http import ListerClient, reset_politeness

__all__ = [
    "LISTER_KINDS",
    "BadTarget",
    "ListedItem",
    "ListedPage",
    "Lister",
    "ListerClient",
    "ListerError",
    "ListerSettings",
    "ListingStopped",
    "PageMemory",
    "first_cursor",
    "get_lister",
    "lister_kinds",
    "register_lister",
    "reset_politeness",
    "walk",
]
