"""Stop Datasette when the ``venue-audit browse`` that started it is gone.

``browse`` stops its server on Ctrl-C, SIGTERM and SIGHUP; this covers what it cannot catch
(SIGKILL, a crash): a server left behind would keep a port and a copy of the case open with
nobody to stop it. The parent's process id comes in the environment; once this process has
been handed to another parent, it stops itself.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from datasette import hookimpl

from venue_audit.browse_plugins import PARENT_ENV

POLL_SECONDS = 0.5
GRACE_SECONDS = 5.0


def _leave_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)  # the server's own orderly shutdown
    time.sleep(GRACE_SECONDS)
    os._exit(0)


@hookimpl
def startup(datasette):  # type: ignore[no-untyped-def]
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit():
        watcher = threading.Thread(
            target=_leave_when_orphaned, args=(int(parent),), name="leave-with-parent", daemon=True
        )
        watcher.start()
