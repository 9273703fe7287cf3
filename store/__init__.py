"""TinyDB-backed persistence; the only package that imports tinydb."""

from store.repository import Repository, SCHEMA_VERSION

__all__ = ["Repository", "SCHEMA_VERSION"]
