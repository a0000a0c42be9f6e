"""Pure metadata readers: a source goes in, a HarvestedRecord (or a HarvestedList) comes out.

Nothing here imports Flask or the registry package; the registry applies records.
"""

# Importing a built-in harvester registers its kind ("list", "git", "page", "huggingface", "modelscope").
from . import awesome_list, git, hubs, page  # noqa: F401 - imported to register
from .awesome_list import HarvestedList
from .base import Harvester, get_harvester, harvester_kinds, register, run_harvest
from .guess import guess_kind
from .record import ENTRY_FIELDS, HarvestedRecord, HarvestError, HarvestOptions, NotARepository, Outcome, UnsafeSource

__all__ = [
    "ENTRY_FIELDS",
    "Harvester",
    "HarvestedList",
    "HarvestedRecord",
    "HarvestError",
    "HarvestOptions",
    "NotARepository",
    "Outcome",
    "UnsafeSource",
    "get_harvester",
    "guess_kind",
    "harvester_kinds",
    "register",
    "run_harvest",
]
