"""One writer per case at a time: an advisory lock held while anything writes ``case.db``.

Two scans of one case at once both committed their rows and the case held every
artifact twice. Every library call that writes the case (acquire, scan,
identify, assess, report, verify-deletion, a custody event) now holds
``CASE/case.lock`` (``fcntl.flock``, exclusive) for its whole duration. A second
writer does not wait by default: it is refused at once with a
:class:`CaseLocked` (a usage error, exit 2) that names the process holding the
case, because a scan can run for hours and a silent wait looks like a hang.
Library callers may pass ``timeout`` to wait instead.

The lock is re-entrant within one process (``audit`` holds it and calls
``scan``, which takes it again), and the kernel drops it when the holder dies,
so a killed scan never leaves a case locked. Readers (``custody`` without
``--verify``, ``browse``) take no lock: SQLite's WAL lets them read while a
writer works.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from venue_audit.errors import UsageError

LOCK_NAME = "case.lock"
_POLL_SECONDS = 0.2


class CaseLocked(UsageError):
    """Another process is writing this case; nothing was done."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096).decode("utf-8", "replace").strip()
    except OSError:
        return ""


@contextmanager
def case_lock(directory: Path, purpose: str, timeout: float = 0.0) -> Iterator[None]:
    """Hold the case's write lock for the ``with`` block; :class:`CaseLocked` if another holds it."""
    key = os.path.realpath(Path(directory) / LOCK_NAME)
    held = _held.get(key)
    if held is not None:
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(fd)
                os.close(fd)
                raise CaseLocked(
                    f"case {directory} is being written by another venue-audit process"
                    f"{f' ({holder})' if holder else ''}; {purpose} refused: wait for that "
                    "process to finish, then run it again"
                ) from None
            time.sleep(_POLL_SECONDS)
    os.ftruncate(fd, 0)
    command = " ".join(sys.argv[:3]) or "python"
    started = datetime.now(UTC).isoformat(timespec="seconds")
    os.pwrite(fd, f"pid {os.getpid()}, {command}, {purpose} since {started}\n".encode(), 0)
    _held[key] = _Held(fd, 1)
    try:
        yield
    finally:
        del _held[key]
        os.ftruncate(fd, 0)
        # Unlock before closing: processes forked meanwhile (the face pool) share this
        # open file, and closing our descriptor alone would leave the lock with them.
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


F = TypeVar("F", bound=Callable[..., Any])


def writes_case(function: F) -> F:
    """Decorate a library call whose first argument is the :class:`Case` it writes."""

    @functools.wraps(function)
    def locked(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case is None:  # calls that may run without a case (a live database listing)
            return function(case, *args, **kwargs)
        with case_lock(case.directory, function.__name__.replace("_", "-")):
            return function(case, *args, **kwargs)

    return locked  # type: ignore[return-value]
