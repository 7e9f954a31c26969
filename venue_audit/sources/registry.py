"""The reader registry: readers register themselves; the core asks who claims an item.

Profiles of known systems register with a lower PRIORITY number than generic
readers, so they are offered an item first (plaso's plugin order).
"""

from __future__ import annotations

import importlib
import pkgutil

from venue_audit.sources.base import Item, SourceReader

_READERS: list[SourceReader] = []
_LOADED = False


def register(reader_class: type[SourceReader]) -> type[SourceReader]:
    """Class decorator: make a reader available to the scanner."""
    if not any(type(r) is reader_class for r in _READERS):
        _READERS.append(reader_class())
        _READERS.sort(key=lambda r: (r.PRIORITY, r.NAME))
    return reader_class


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    import venue_audit.sources as package

    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if module.name.rsplit(".", 1)[-1] not in ("base", "registry"):
            importlib.import_module(module.name)
    _LOADED = True


def readers() -> list[SourceReader]:
    _load_all()
    return list(_READERS)


def reader_for(item: Item, head: bytes) -> SourceReader | None:
    """The first reader, by priority, that claims the item."""
    for reader in readers():
        if reader.claims(item, head):
            return reader
    return None
