"""Self-audit and remediation: what a business must delete, what the numbers oblige it to do,
and whether the deletion really happened."""

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
