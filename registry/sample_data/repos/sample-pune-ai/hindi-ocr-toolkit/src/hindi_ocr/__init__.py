"""Sample clean-up helpers for Devanagari OCR output (AI Commons Registry demo)."""

from .cleanup import normalize, to_ascii_digits, to_devanagari_digits

__all__ = ["normalize", "to_ascii_digits", "to_devanagari_digits"]
__version__ = "0.3.1"
