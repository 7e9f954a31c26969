"""Where venue-audit keeps what it derives from its own installed files, once per machine.

Converted model weights, the report font's TrueType subsets and the digests of the
model files are rebuilt when missing, so the folder can be deleted at any time. It lives outside the
repository and any evidence or case folder: ``VENUE_AUDIT_CACHE``, else
``$XDG_CACHE_HOME/venue-audit``, else ``~/.cache/venue-audit``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path


def default_cache_dir() -> Path:
    configured = os.environ.get("VENUE_AUDIT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "venue-audit"


def installed_file_sha256(path: Path) -> str:
    """SHA-256 of one of our installed files (model weights), remembered per machine.

    Hashing dlib's 130 MB of models costs ~0.15 s in every report; the digest is kept
    under a key of the file's path, size and modification time, as build tools decide
    that a file is unchanged, and computed again whenever one of them differs.
    Never used for evidence, which is always hashed as it is read.
    """
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    remembered = default_cache_dir() / "sha256" / f"{key.hexdigest()[:32]}.txt"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = remembered.read_text(encoding="ascii").strip()
        if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
            return text
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    with contextlib.suppress(OSError):
        remembered.parent.mkdir(parents=True, exist_ok=True)
        partial = remembered.with_name(f"{remembered.name}.{os.getpid()}.tmp")
        partial.write_text(value, encoding="ascii")
        os.replace(partial, remembered)
    return value
