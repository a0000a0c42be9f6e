"""Pure metadata readers: a source goes in, a HarvestedRecord (or a HarvestedList) comes out.

Nothing here imports Flask or the registry package; the registry applies records.
"""
from .base import Harvester, get_harvester, harvester_kinds, register, run_harvest
from .awesome_list import HarvestedList
from .guess import guess_kind
from .record import (ENTRY_FIELDS, HarvestedRecord, HarvestError, HarvestOptions, NotARepository, Outcome,
                     UnsafeSource)
from . import git as _git  # noqa: F401  (registers the built-in "git" harvester)
from . import awesome_list as _awesome_list  # noqa: F401  (registers the built-in "list" harvester)
from . import page as _page  # noqa: F401  (registers the built-in "page" harvester)

__all__ = [
    "ENTRY_FIELDS", "Harvester", "HarvestedList", "HarvestedRecord", "HarvestError", "HarvestOptions", "NotARepository",
    "Outcome", "UnsafeSource", "get_harvester", "guess_kind", "harvester_kinds", "register", "run_harvest",
]
