"""List the entries of a source without following links or leaving it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    relative: str
    size: int


def list_entries(root: Path, exclude: tuple[Path, ...] = ()) -> Iterator[Entry]:
    """Every non-directory entry under ``root`` in a stable (sorted) order.

    Directory symlinks are reported as entries, never descended into, so a link
    to ``/`` inside an export cannot pull the whole machine into the manifest.
    ``exclude`` keeps the case folder out when it sits inside a source.
    """
    root = Path(root)
    if not root.is_dir() or root.is_symlink():
        yield Entry("", _size(root))
        return
    excluded = {os.path.realpath(p) for p in exclude}
    stack = [""]
    while stack:
        relative_dir = stack.pop()
        directory = root / relative_dir if relative_dir else root
        if os.path.realpath(directory) in excluded:
            continue
        try:
            with os.scandir(directory) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError:
            yield Entry(relative_dir, 0)
            continue
        subdirs = []
        for child in children:
            relative = f"{relative_dir}/{child.name}" if relative_dir else child.name
            try:
                is_dir = child.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(relative)
            else:
                yield Entry(relative, _size(Path(child.path)))
        stack.extend(reversed(subdirs))


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0
