"""List the entries of a source without following links or leaving it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    relative: str
    size: int
    # a regular file when listed: the only kind whose bytes are read (not links, devices, FIFOs)
    regular: bool = False


def list_entries(root: Path, exclude: tuple[Path, ...] = ()) -> Iterator[Entry]:
    """Every non-directory entry under ``root`` in a stable (sorted) order.

    Directory symlinks are reported as entries, never descended into, so a link
    to ``/`` inside an export cannot pull the whole machine into the manifest.
    ``exclude`` keeps the case folder out when it sits inside a source.
    """
    root = Path(root)
    if not root.is_dir() or root.is_symlink():
        yield Entry("", *_size_and_regular(root))
        return
    excluded = {os.path.realpath(p) for p in exclude}
    stack = [""]
    while stack:
        relative_dir = stack.pop()
        directory = root / relative_dir if relative_dir else root
        if os.path.realpath(directory) in excluded:
            continue
        try:
            children = _children(directory)
        except OSError:
            yield Entry(relative_dir, 0)  # recorded by the hasher as a folder it could not list
            continue
        subdirs = []
        for name, is_dir, size, regular in children:
            relative = f"{relative_dir}/{name}" if relative_dir else name
            if is_dir:
                subdirs.append(relative)
            else:
                yield Entry(relative, size, regular)
        stack.extend(reversed(subdirs))


def list_directory(directory: Path) -> list[str]:
    """The names in a folder, read without moving its access time (``O_NOATIME``).

    ``os.scandir(path)`` updates a folder's atime like any read; listing through a
    descriptor opened with ``O_NOATIME`` does not. Kernels that refuse the flag
    (not the owner, not root) get a plain descriptor.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(directory, flags | getattr(os, "O_NOATIME", 0))
    except PermissionError:
        fd = os.open(directory, flags)
    try:
        return sorted(os.listdir(fd))
    finally:
        os.close(fd)


def _children(directory: Path) -> list[tuple[str, bool, int, bool]]:
    """(name, is a folder, size, is a regular file) of each entry, from one ``lstat`` each."""
    out = []
    prefix = os.path.join(directory, "")
    for name in list_directory(directory):
        try:
            info = os.lstat(prefix + name)
        except OSError:
            out.append((name, False, 0, False))
            continue
        out.append((name, stat.S_ISDIR(info.st_mode), info.st_size, stat.S_ISREG(info.st_mode)))
    return out


def _size_and_regular(path: Path) -> tuple[int, bool]:
    try:
        info = os.lstat(path)
    except OSError:
        return 0, False
    return info.st_size, stat.S_ISREG(info.st_mode)
