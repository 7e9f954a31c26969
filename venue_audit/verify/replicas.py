"""Which after-deletion source is the replica of which baseline source.

A baseline record can be declared gone only where its own place was looked at again. If
the baseline had ``/mnt/export/camera`` and ``/mnt/export/server`` and the examiner re-acquired
only ``/mnt/after/server``, the camera pictures were never checked, whatever the server
holds; they are *not checked*, not *gone* (and not *remaining* because the same person's face
is in the server).

Pairing, in order: the examiner's explicit ``BASELINE=AFTER`` pairs; then sources with the same
folder or file name; then, when exactly one baseline source and one after source are left,
those two. After sources left unpaired are still searched for baseline content anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from venue_audit.errors import UsageError


def parse_replica(spec: str) -> tuple[str, Path]:
    """``BASELINE=AFTER`` (``--replica``): a baseline source (path or name) and its after source."""
    baseline, sep, after = spec.partition("=")
    if not sep or not baseline.strip() or not after.strip():
        raise UsageError(f"--replica {spec!r}: write it as BASELINE_SOURCE=AFTER_SOURCE")
    return baseline.strip(), Path(after.strip())


def replica_name(path: Path) -> str:
    """The name replicas share: a file or folder's name; for a live-database snapshot, the
    server database it copies (snapshots are named with the time they were taken)."""
    from venue_audit.acquire.live.acquisition import snapshot_label

    return snapshot_label(path.name) or path.name


def _same(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def pair_replicas(
    baseline_roots: Iterable[str],
    after_sources: Iterable[Path],
    explicit: Iterable[tuple[str, Path]] = (),
) -> dict[str, Path | None]:
    """``{baseline root: its after source, or None when no replica was given}``."""
    roots = list(dict.fromkeys(baseline_roots))
    after = [Path(a) for a in after_sources]
    pairs: dict[str, Path | None] = dict.fromkeys(roots)
    for baseline, replica in explicit:
        matching = [r for r in roots if r == baseline or Path(r).name == baseline]
        if len(matching) != 1:
            raise UsageError(
                f"--replica {baseline}={replica}: {baseline} is not one of the case's sources "
                f"({', '.join(Path(r).name for r in roots)})"
            )
        if not any(_same(replica, a) for a in after):
            raise UsageError(f"--replica {baseline}={replica}: {replica} is not an after source")
        pairs[matching[0]] = replica
    paired = {os.path.abspath(p) for p in pairs.values() if p is not None}
    for root in roots:
        if pairs[root] is not None:
            continue
        named = [
            a for a in after
            if replica_name(a) == replica_name(Path(root)) and os.path.abspath(a) not in paired
        ]
        if len(named) == 1:
            pairs[root] = named[0]
            paired.add(os.path.abspath(named[0]))
    left_roots = [r for r in roots if pairs[r] is None]
    left_after = [a for a in after if os.path.abspath(a) not in paired]
    if len(left_roots) == 1 and len(left_after) == 1:
        pairs[left_roots[0]] = left_after[0]
    return pairs
