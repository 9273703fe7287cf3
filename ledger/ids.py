"""Measure ids as offices write them (A-1, ZG-01, 2024-整改-015, 1.3, （二）4).

An id is kept verbatim for display; `id_key` is what two ids are compared by:
full-width digits, letters, brackets and spaces folded (NFKC), spaces removed, case ignored.
`natural_key` orders ids the way a person reads them (ZG-2 before ZG-10).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_CHUNK = re.compile(r"(\d+)")


def clean_id(raw: str) -> str:
    """The id as shown: trimmed, inner line breaks and runs of spaces made one space."""
    return _SPACE.sub(" ", raw).strip()


def id_key(measure_id: str) -> str:
    """The form ids are looked up by: `ＺＧ－０１`, ` zg-01 ` and `ZG-01` are one id."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", measure_id)).casefold()


def natural_key(measure_id: str) -> tuple[tuple[int, int | str], ...]:
    """Digit runs compare as numbers, the rest as text: P2-9 < P2-10, 1.3 < 1.10."""
    parts = _CHUNK.split(id_key(measure_id))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
