"""What a user must never read: identifiers, English words and raw values, found in texts."""

from __future__ import annotations

import re

IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
# A Latin word of three letters or more with no digit in it (codes such as S0480 and ФИС ОКО
# logins edu050001 are data, not words); the names of file formats are Russian usage.
ENGLISH = re.compile(r"(?<![\w.])[A-Za-z]{3,}(?![\w])")
ALLOWED = {"PDF", "HTML", "Excel", "CSV", "XLSX", "Word", "LibreOffice", "JSON", "PNG"}
RAW = re.compile(r"(?<!\w)(None|nan|NaN|NaT|True|False|<NA>)(?!\w)")


def foreign(texts) -> list[str]:
    """The identifiers, English words and raw values among the texts."""
    found = []
    for text in texts:
        text = str(text)
        found += IDENTIFIER.findall(text)
        found += [w for w in ENGLISH.findall(text) if w not in ALLOWED and not RAW.fullmatch(w)]
        found += RAW.findall(text)
    return found
