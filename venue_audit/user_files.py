"""Open the files an examiner hands the tool that are not evidence: registers, policies, keys.

``consent CASE x.csv`` with ``x.csv`` a FIFO blocked forever, and ``/dev/zero``
as a password file would be read until memory ran out. Evidence has its own
read-only opener (:func:`venue_audit.acquire.items.open_evidence`); these are
the examiner's own inputs (consent register, policy, zip password file,
PKCS#12 certificate), and they must be regular files too: anything else (FIFO,
socket, device, directory) is refused with a :class:`UsageError` before any
work. The check is made on the opened descriptor (``O_NONBLOCK`` so a FIFO
cannot block the open), so a path swapped after the check cannot slip through.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from venue_audit.errors import UsageError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class InputFileError(UsageError):
    """A file the examiner named cannot be used: missing, unreadable or not a regular file."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_user_file(path: Path, what: str) -> BinaryIO:
    """Open ``path`` for reading as ``what`` (``consent register`` …); refuse non-regular files."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise InputFileError(f"{what} {path}: {error.strerror or error}") from error
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputFileError(f"{what} {path} is {_kind(mode)}, not a regular file: refused")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def require_regular_file(path: Path, what: str) -> Path:
    """Check ``path`` the way :func:`open_user_file` does, for readers that open it themselves."""
    with open_user_file(path, what):
        return Path(path)


def require_inputs(*named: tuple[Path | None, str]) -> None:
    """Check every ``(path, what)`` given (``None`` paths are options left out)."""
    for path, what in named:
        if path is not None:
            require_regular_file(path, what)


def read_user_file(path: Path, what: str, limit: int = 64 << 20) -> bytes:
    """The whole file, refused when it is not regular or larger than ``limit`` bytes."""
    with open_user_file(path, what) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputFileError(f"{what} {path} is larger than {limit} bytes: refused")
    return data


def read_password_file(path: Path) -> tuple[str, ...]:
    """Passwords, one per line (blank lines ignored), from a regular UTF-8 file."""
    text = read_user_file(path, "password file", limit=1 << 20).decode("utf-8", "replace")
    return tuple(line.strip() for line in text.splitlines() if line.strip())
