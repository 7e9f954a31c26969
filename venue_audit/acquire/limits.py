"""Limits that keep hostile archives from exhausting time, memory or disk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchiveLimits:
    """How far acquisition and scanning follow archives.

    The defaults admit any real export (a cloud backup zip of a few GB), while a
    zip bomb (ratio of thousands, or terabytes declared) is refused and listed.
    """

    max_depth: int = 3
    max_member_bytes: int = 16 << 30
    max_total_bytes: int = 64 << 30
    max_ratio: float = 200.0
    ratio_applies_above: int = 64 << 20
    in_memory_nested_bytes: int = 256 << 20
    max_members: int = 1_000_000


DEFAULT_LIMITS = ArchiveLimits()
