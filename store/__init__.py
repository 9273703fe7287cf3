"""TinyDB-backed persistence; the only package that imports tinydb."""

from store.repository import SCHEMA_VERSION, Repository

__all__ = ["SCHEMA_VERSION", "Repository"]
