"""File names that are not UTF-8, stored as text and found again on disk.

POSIX names are bytes; Python hands undecodable bytes over as lone surrogates
(``\\udcff``), which SQLite's UTF-8 text cannot hold. The case database stores
such a name with each undecodable byte written ``\\xNN`` (the notation the
report shows), and the path is turned back into the real name to open the file.
"""

from __future__ import annotations

import os
import re

_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


def has_surrogates(text: str) -> bool:
    if text.isascii():  # most names, checked in C: no need to look at each character
        return False
    return any("\udc80" <= char <= "\udcff" for char in text)


def storable(text: str) -> str:
    """Text that encodes as UTF-8: undecodable name bytes become ``\\xNN``."""
    if not has_surrogates(text):
        return text
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def on_disk(stored: str) -> str:
    """The real path of a stored one; a name that literally contains ``\\xNN`` is kept when it exists."""
    if "\\x" not in stored or os.path.lexists(stored):
        return stored
    raw = _ESCAPED_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), stored.encode("utf-8"))
    return os.fsdecode(raw)
