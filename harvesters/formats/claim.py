"""The claim file: a token a maintainer places at the repository root to prove control of it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

CLAIM_FILE = ".ai-commons-claim"
# Tokens the registry issues are short printable strings; anything else is not a token.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{8,200}")


def read_claim(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Put the token from `.ai-commons-claim` at the root into ``record.claim_token``."""
    if CLAIM_FILE not in checkout.root_files():
        return
    data = checkout.read_bytes(CLAIM_FILE)
    if data is None:
        return
    first_line = data.decode("utf-8", errors="replace").strip().splitlines()[:1]
    if first_line and _TOKEN.fullmatch(first_line[0].strip()):
        record.claim_token = first_line[0].strip()
    else:
        record.warnings.append(f"{CLAIM_FILE} does not hold a claim token; ignored")
