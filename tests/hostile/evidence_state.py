"""The state of an evidence tree down to its access times, read without moving them.

Linux's default ``relatime`` updates a file's atime on a read only when the atime
is older than its mtime (or a day old), so :func:`age_atimes` first sets every
atime back to 2020: after that, any read that does not use ``O_NOATIME`` shows.
The state itself reads content through the tool's own read-only opener.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from venue_audit.acquire.items import open_evidence

OLD = 1_577_836_800  # 2020-01-01T00:00:00Z


def age_atimes(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        info = os.lstat(path)
        os.utime(path, ns=(OLD * 10**9, info.st_mtime_ns), follow_symlinks=False)


def evidence_state(tree: Path) -> dict[str, tuple[str, int, int | None]]:
    """Per entry: content SHA-256 (files), mtime and atime in nanoseconds; atimes first.

    A symlink's own atime is left out: recording its target (``readlink``) moves it, and
    Linux has no way to read a link without doing so.
    """
    times = {}
    for path in [tree, *tree.rglob("*")]:
        info = os.lstat(path)
        times[str(path.relative_to(tree))] = (info.st_mode, info.st_mtime_ns, info.st_atime_ns)
    state: dict[str, tuple[str, int, int | None]] = {}
    for name, (mode, mtime, atime) in times.items():
        content = ""
        if stat.S_ISREG(mode) and mode & 0o400:
            digest = hashlib.sha256()
            with open_evidence(tree / name) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            content = digest.hexdigest()
        state[name] = (content, mtime, None if stat.S_ISLNK(mode) else atime)
    return state
