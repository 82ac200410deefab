"""Text hygiene for exported files: characters XML cannot hold, and text a spreadsheet would run."""

from __future__ import annotations

import re

# XML 1.0 forbids most control characters (python-docx and xlsx writers would fail or
# corrupt the file); they are shown as U+FFFD so the reader sees something was there.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# A cell whose text starts with one of these is read as a formula (or DDE) by spreadsheet
# programs (RELIABILITY.md promise 8).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_safe(text: str) -> str:
    """CSV has no cell types, so formula-like text gets a leading apostrophe (OWASP advice)."""
    return "'" + text if looks_like_formula(text) else text
