"""Identify a file's type from its first bytes, never from its name.

Evidence is routinely renamed (``.dat`` JPEGs, extensionless SQLite files), so
the manifest's 类型 column comes from magic numbers; the extension is only a
tie-breaker for formats that have no magic (CSV, SQL text).
"""

from __future__ import annotations

MAGIC_READ_SIZE = 512

_SIGNATURES: list[tuple[int, bytes, str]] = [
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"SQLite format 3\x00", "sqlite"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"%PDF-", "pdf"),
    (0, b"\x93NUMPY", "npy"),
    (0, b"\x1a\x45\xdf\xa3", "matroska"),
    (0, b"RIFF", "riff"),
    (0, b"\x37\x7f\x06\x82", "sqlite-wal"),
    (0, b"\x37\x7f\x06\x83", "sqlite-wal"),
    (0, b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", "sqlite-journal"),
    (0, b"PGDMP", "pg-custom-dump"),
    (257, b"ustar", "tar"),
]

_TEXT_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".xml": "xml",
    ".sql": "sql",
    ".log": "log",
    ".txt": "text",
    ".toml": "toml",
    ".md": "text",
}


def detect_type(head: bytes, name: str = "") -> str:
    """A short type name for the manifest (``jpeg``, ``sqlite``, ``zip``, ``csv`` …)."""
    for offset, magic, kind in _SIGNATURES:
        if head.startswith(magic, offset):
            if kind == "riff":
                return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(head[8:12], "riff")
            return kind
    if head[4:8] == b"ftyp":
        return "heif" if head[8:12] in (b"heic", b"heix", b"mif1", b"avif") else "mp4"
    if head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"):
        return "pickle"
    lowered = name.lower()
    for extension, kind in _TEXT_BY_EXTENSION.items():
        if lowered.endswith(extension):
            return kind
    if not head:
        return "empty"
    if _looks_like_text(head):
        return "text"
    return "binary"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4
    return True


ARCHIVE_TYPES = frozenset({"zip", "tar"})
