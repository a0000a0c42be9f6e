"""Per-language evaluation of text generators (fictional sample project, AI Commons Registry demo)."""

from .harness import Report, evaluate
from .metrics import char_f1, exact_match, token_f1

__all__ = ["Report", "evaluate", "exact_match", "char_f1", "token_f1"]
__version__ = "0.5.0"
