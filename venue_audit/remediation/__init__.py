"""Self-audit and remediation: what a business must delete, what the numbers oblige it to do,
and whether the deletion really happened."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from venue_audit.remediation.to_delete import (
        REASONS,
        ToDeleteItem,
        ToDeleteList,
        build_to_delete,
        load_to_delete,
        make_to_delete,
        save_to_delete,
    )

__all__ = [
    "REASONS",
    "ToDeleteItem",
    "ToDeleteList",
    "build_to_delete",
    "load_to_delete",
    "make_to_delete",
    "save_to_delete",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: the report needs only the wording and file names, and the
    # to-delete machinery (scan, recovery, sources) costs ~0.13 s to import.
    if name in __all__:
        return getattr(importlib.import_module("venue_audit.remediation.to_delete"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
