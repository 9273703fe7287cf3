"""A cheaper `dataclasses.replace` for the records an import copies by the ten thousand.

`replace()` walks every field in Python and calls the frozen `__init__`, which sets each field
through `object.__setattr__`: ~16 µs for a `Measure`, two copies per measure in an import (its
unit and deadline resolved, then its first history event). For a plain dataclass (every field an
`__init__` argument, no `__post_init__`, instances with a `__dict__`) the copy is the same record
as a new instance with the same `__dict__` updated: ~1.5 µs. Any other class goes through
`replace()` unchanged, so a later `__post_init__` check is never skipped.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_PLAIN: dict[type, bool] = {}


def _is_plain(cls: type) -> bool:
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        return False
    declared = cls.__dataclass_fields__
    return len(dataclasses.fields(cls)) == len(declared) and all(f.init for f in dataclasses.fields(cls))


def evolve(obj: T, **changes: Any) -> T:
    """`dataclasses.replace(obj, **changes)`, without `__init__` for a plain dataclass."""
    cls = type(obj)
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = _PLAIN[cls] = _is_plain(cls)
    if not plain or not changes.keys() <= cls.__dataclass_fields__.keys():  # type: ignore[attr-defined]
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]  # (raises on an unknown field)
    return assemble(cls, {**obj.__dict__, **changes})


def assemble(cls: type[T], fields: dict[str, Any]) -> T:
    """An instance of a (frozen) dataclass from all its fields as given, without `__init__`: for
    values already checked (a copy above, or a document the store wrote itself, `store.codec`)."""
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    return obj
