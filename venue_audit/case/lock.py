"""One writer per case at a time: an advisory lock held while anything writes ``case.db``.

Two scans of one case at once both committed their rows and the case held every
artifact twice. Every library call that writes the case (acquire, scan,
identify, assess, report, verify-deletion, a custody event) now holds an
exclusive ``fcntl.flock`` on the case folder itself for its whole duration (a
folder can be locked like a file, and no lock file is left in the case). A
second writer does not wait by default: it is refused at once with a
:class:`CaseLocked` (a usage error, exit 2) that names the process holding the
case (found in ``/proc/locks``), because a scan can run for hours and a silent
wait looks like a hang. Library callers may pass ``timeout`` to wait instead.

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
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from venue_audit.errors import UsageError

_POLL_SECONDS = 0.2


class CaseLocked(UsageError):
    """Another process is writing this case; nothing was done."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}


def holder(directory: Path) -> str:
    """``pid N (command)`` of the process holding the folder's flock, from ``/proc/locks``."""
    try:
        info = os.stat(directory)
        wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            for line in locks:
                fields = line.split()
                if "FLOCK" in fields and wanted in fields:
                    pid = fields[fields.index(wanted) - 1]
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    shown = command.decode("utf-8", "replace").strip()[:200]
                    return f"pid {pid}" + (f", {shown}" if shown else "")
    except (OSError, ValueError, IndexError):
        pass
    return ""


@contextmanager
def case_lock(directory: Path, purpose: str, timeout: float = 0.0) -> Iterator[None]:
    """Hold the case's write lock for the ``with`` block; :class:`CaseLocked` if another holds it."""
    key = os.path.realpath(directory)
    held = _held.get(key)
    if held is not None:
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                who = holder(Path(key))
                raise CaseLocked(
                    f"case {directory} is being written by another venue-audit process"
                    f"{f' ({who})' if who else ''}; {purpose} refused: wait for that "
                    "process to finish, then run it again"
                ) from None
            time.sleep(_POLL_SECONDS)
    _held[key] = _Held(fd, 1)
    try:
        yield
    finally:
        del _held[key]
        # Unlock before closing: processes forked meanwhile (the face pool) share this
        # open folder, and closing our descriptor alone would leave the lock with them.
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
