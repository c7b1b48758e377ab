"""Masks personal data before a question is written anywhere.

Handläggare sometimes paste a personnummer or a phone number into a question. Nothing that
identifies a person may reach a log file, so every write goes through `redact`.
"""
from __future__ import annotations

import re

_PATTERNS = [
    # personnummer / samordningsnummer: (YY)YYMMDD[-+]NNNN, with or without separator
    (re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+ ]?\d{4}(?!\d)"), "[personnummer]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-post]"),
    # Swedish phone numbers: 07x-xxx xx xx, 08-123 45 67, +46 8 123 45 67
    (re.compile(r"(?<![\w])(?:\+46|0046|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,4}){2,4}(?!\d)"), "[telefonnummer]"),
]


def redact(text: str) -> str:
    """The text with personnummer, samordningsnummer, e-mail addresses and phone numbers masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
