"""NumPy ``.npy`` / ``.npz`` files: arrays of face embeddings saved by hobby and research code.

``face_recognition`` projects commonly ``np.save("encodings.npy", …)`` a
(N, 128) float64 array. The header is parsed here (magic, version, a dict
literal read with fixed patterns, so nothing is evaluated), and rows
are read straight from the stream. Object arrays (``|O``) hold pickles: they
are refused and never loaded.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from math import prod
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import numpy as np

from venue_audit.sources.base import (
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    TableRows,
    Yield,
)
from venue_audit.sources.registry import register

MAGIC = b"\x93NUMPY"
MAX_HEADER = 64 << 10
MAX_ROW_BYTES = 16 << 20
_BATCH_BYTES = 4 << 20
_FLOAT_DESCR = re.compile(r"^[<>|=]f[248]$")
_INT_DESCR = re.compile(r"^[<>|=][iu][1248]$")


class NpyError(ValueError):
    """An .npy header that is damaged, hostile, or describes something we do not read.

    ``code`` and ``params`` say which, for the report's reason table (see ``Problem``).
    """

    def __init__(self, message: str, code: str = "npy.bad_header", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params

    def problem(self, locator: str) -> Problem:
        return Problem(locator, str(self), self.code, self.params)


@dataclass
class NpyHeader:
    version: tuple[int, int]
    descr: str
    fortran_order: bool
    shape: tuple[int, ...]

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(self.descr)


_DESCR = re.compile(r"""['"]descr['"]\s*:\s*['"]([^'"]{1,32})['"]""")
_FORTRAN = re.compile(r"""['"]fortran_order['"]\s*:\s*(True|False)""")
_SHAPE = re.compile(r"""['"]shape['"]\s*:\s*\(([^)]{0,200})\)""")


def _parse_header_dict(text: str) -> tuple[str, bool, tuple[int, ...]]:
    """The three keys of an .npy header, read with patterns: nothing in evidence is evaluated.

    A structured dtype (a list as ``descr``) does not match and is refused.
    """
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        raise NpyError("header is not a dict literal")
    descr, fortran, shape = _DESCR.search(text), _FORTRAN.search(text), _SHAPE.search(text)
    if not (descr and fortran and shape):
        raise NpyError("header lacks descr / fortran_order / shape (or has a structured dtype)")
    dims = [part.strip() for part in shape.group(1).split(",") if part.strip()]
    if not all(part.isdigit() for part in dims):
        raise NpyError(f"bad shape ({shape.group(1)})")
    return descr.group(1), fortran.group(1) == "True", tuple(int(part) for part in dims)


def read_header(stream: BinaryIO) -> NpyHeader:
    """The header of an .npy stream, leaving the stream at the first data byte."""
    prefix = stream.read(8)
    if len(prefix) < 8 or not prefix.startswith(MAGIC):
        raise NpyError("not an .npy file (bad magic)", "npy.bad_magic")
    version = (prefix[6], prefix[7])
    if version[0] == 1:
        size_bytes = stream.read(2)
        if len(size_bytes) < 2:
            raise NpyError("header length missing")
        (length,) = struct.unpack("<H", size_bytes)
    elif version[0] in (2, 3):
        size_bytes = stream.read(4)
        if len(size_bytes) < 4:
            raise NpyError("header length missing")
        (length,) = struct.unpack("<I", size_bytes)
    else:
        raise NpyError(
            f"unknown .npy version {version[0]}.{version[1]}",
            "npy.unknown_version",
            version=f"{version[0]}.{version[1]}",
        )
    if length > MAX_HEADER:
        raise NpyError(
            f"header of {length} bytes is larger than {MAX_HEADER}: refused",
            "npy.header_too_large",
            size=length,
            limit=MAX_HEADER,
        )
    raw = stream.read(length)
    if len(raw) < length:
        raise NpyError("header truncated")
    text = raw.decode("utf-8" if version[0] == 3 else "latin-1", errors="replace")
    descr, fortran_order, shape = _parse_header_dict(text)
    return NpyHeader(version, descr, fortran_order, shape)


def _row_shape(header: NpyHeader) -> tuple[int, int]:
    """``(rows, values per row)``: (D,) is one vector; (N, 1, …, D) squeezes to (N, D)."""
    shape = header.shape
    if len(shape) == 1:
        return 1, shape[0]
    if len(shape) >= 2 and all(d == 1 for d in shape[1:-1]):
        return shape[0], shape[-1]
    raise NpyError(
        f"shape {shape} is not a list of vectors; not read", "npy.not_vectors", shape=str(shape)
    )


def array_rows(
    stream: BinaryIO, header: NpyHeader, problems: list[Problem], locator: str
) -> Iterator[tuple[str, list[Any]]]:
    """Rows of ``[vector]``: list[float] for float dtypes, raw bytes for integer dtypes."""
    count, width = _row_shape(header)
    dtype = header.dtype
    row_bytes = width * dtype.itemsize
    if row_bytes > MAX_ROW_BYTES:
        problems.append(
            Problem(
                locator,
                f"rows of {row_bytes} bytes are too long; not read",
                "npy.rows_too_long",
                {"size": row_bytes},
            )
        )
        return
    as_floats = dtype.kind == "f"
    if header.fortran_order and count > 1:
        total = count * row_bytes
        if total > 256 << 20:
            problems.append(
                Problem(locator, "Fortran-ordered array over 256 MiB; not read", "npy.fortran_too_large")
            )
            return
        data = _read(stream, total, problems, locator)
        complete = len(data) // row_bytes
        matrix = np.frombuffer(data[: complete * row_bytes], dtype).reshape((width, complete)).T
        # a truncated Fortran array is column-major: only a full read makes rows whole
        if complete < count:
            problems.append(
                Problem(
                    locator,
                    f"array truncated: {count} rows declared, data ends early",
                    "npy.truncated",
                    {"declared": count},
                )
            )
            return
        for index, row in enumerate(matrix, 1):
            yield f"row {index}", [row.tolist() if as_floats else row.tobytes()]
        return
    per_batch = max(1, _BATCH_BYTES // max(1, row_bytes))
    index = 0
    while index < count:
        wanted = min(per_batch, count - index)
        data = _read(stream, wanted * row_bytes, problems, locator)
        complete = len(data) // row_bytes
        if complete:
            block = np.frombuffer(data[: complete * row_bytes], dtype).reshape((complete, width))
            for row in block:
                index += 1
                yield f"row {index}", [row.tolist() if as_floats else row.tobytes()]
        if complete < wanted:
            problems.append(
                Problem(
                    locator,
                    f"array truncated: {count} rows declared, {index} complete rows present",
                    "npy.truncated_rows",
                    {"declared": count, "present": index},
                )
            )
            return


def _read(stream: BinaryIO, size: int, problems: list[Problem], locator: str) -> bytes:
    """Rows are pulled by the scanner outside the reader's loop: a read error ends them quietly
    here and is reported as a Problem instead of escaping into the scanner."""
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        failure = f"{type(error).__name__}: {error}"
        problems.append(Problem(locator, f"read failed: {failure}", "read.failed", {"error": failure}))
        return b""


def _check_dtype(header: NpyHeader) -> None:
    if "O" in header.descr:
        raise NpyError(
            "object array (|O): its items are pickles; refused and never loaded", "npy.object_array"
        )
    if not (_FLOAT_DESCR.match(header.descr) or _INT_DESCR.match(header.descr)):
        raise NpyError(
            f"dtype {header.descr} is not a numeric vector type; not read",
            "npy.not_numeric",
            dtype=header.descr,
        )


def _describe(header: NpyHeader) -> dict[str, Any]:
    return {
        "dtype": header.descr,
        "shape": list(header.shape),
        "fortran_order": header.fortran_order,
    }


@register
class NumpyArrayReader(SourceReader):
    """``.npy`` arrays and ``.npz`` bundles of them (offered before the generic zip reader)."""

    NAME = "npy"
    DESCRIPTION = "NumPy .npy / .npz arrays of vectors (object arrays refused, never unpickled)"
    PRIORITY = 50

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "npy" or (item.type == "zip" and item.name.lower().endswith(".npz"))

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if item.type == "npy":
            yield from self._read_npy(item)
        else:
            yield from self._read_npz(item, context)

    def _read_npy(self, item: Item) -> Iterator[Yield]:
        with item.open() as stream:
            try:
                header = read_header(stream)
            except NpyError as error:
                yield StoreFound("npy", details={})
                yield error.problem(item.locator)
                return
            name = PurePosixPath(item.name).stem
            yield StoreFound("npy", details={"arrays": {name: _describe(header)}})
            yield from self._table(stream, header, name, item.locator)

    def _table(
        self, stream: BinaryIO, header: NpyHeader, name: str, locator: str
    ) -> Iterator[Yield]:
        try:
            _check_dtype(header)
            _row_shape(header)
        except NpyError as error:
            yield error.problem(locator)
            return
        problems: list[Problem] = []
        kind = "float" if header.dtype.kind == "f" else "int"
        column_type = f"{kind}{header.dtype.itemsize * 8}[{_row_shape(header)[1]}]"
        yield TableRows(
            name,
            ["vector"],
            array_rows(stream, header, problems, locator),
            column_types=[column_type],
        )
        yield from problems

    def _read_npz(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        try:
            archive = zipfile.ZipFile(self._seekable(item, context))
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            yield StoreFound("npz", details={})
            yield Problem(
                item.locator, f"not a readable .npz: {error}", "npz.unreadable", {"error": str(error)}
            )
            return
        with archive:
            members = [info for info in archive.infolist() if info.filename.endswith(".npy")]
            headers: dict[str, NpyHeader | NpyError] = {}
            for info in members:
                try:
                    with archive.open(info) as member:
                        headers[info.filename] = read_header(member)  # type: ignore[arg-type]
                except NpyError as error:
                    headers[info.filename] = error
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    headers[info.filename] = NpyError(
                        f"member unreadable: {error}", "npz.member_unreadable", error=str(error)
                    )
            yield StoreFound(
                "npz",
                details={
                    "arrays": {
                        name[:-4]: _describe(h)
                        for name, h in headers.items()
                        if isinstance(h, NpyHeader)
                    }
                },
            )
            for info in members:
                header = headers[info.filename]
                locator = f"{item.locator}!/{info.filename}"
                if isinstance(header, NpyError):
                    yield header.problem(locator)
                    continue
                declared = prod(header.shape) * header.dtype.itemsize
                if info.file_size > declared + MAX_HEADER + 1024:
                    yield Problem(
                        locator,
                        "member is larger than its header declares; not read",
                        "npz.member_oversized",
                    )
                    continue
                try:
                    with archive.open(info) as member:
                        read_header(member)  # type: ignore[arg-type]
                        yield from self._table(member, header, info.filename[:-4], locator)  # type: ignore[arg-type]
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    yield Problem(
                        locator,
                        f"member unreadable: {error}",
                        "npz.member_unreadable",
                        {"error": str(error)},
                    )

    @staticmethod
    def _seekable(item: Item, context: ScanContext) -> BinaryIO:
        stream = item.open()
        if stream.seekable():
            return stream  # type: ignore[no-any-return]
        stream.close()
        limit = context.limits.in_memory_nested_bytes if context is not None else 256 << 20
        if item.size > limit:
            raise ValueError(
                f".npz of {item.size} bytes inside an archive is over the in-memory limit"
            )
        return io.BytesIO(item.read())
