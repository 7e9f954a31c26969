"""Where venue-audit keeps what it derives from its own installed files, once per machine.

Converted model weights and the report font's TrueType subsets are rebuilt when
missing, so the folder can be deleted at any time. It lives outside the
repository and any evidence or case folder: ``VENUE_AUDIT_CACHE``, else
``$XDG_CACHE_HOME/venue-audit``, else ``~/.cache/venue-audit``.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    configured = os.environ.get("VENUE_AUDIT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "venue-audit"
