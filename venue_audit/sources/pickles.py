"""Python pickles: recognised, described from their opcodes, and never loaded.

Hobby face-attendance systems keep ``encodings.pickle`` ({"encodings": [128-d
arrays], "names": [...]}); unpickling evidence would run whatever code it
names (``os.system`` via ``__reduce__``). This reader walks the opcode stream
itself, using only ``pickletools``' opcode table: nothing is executed,
imported or constructed. It reports the globals a pickle references (calling
out dangerous ones), how many numpy arrays it would rebuild, and hands the
raw byte strings it holds (where array data lives) to the column classifier
as rows, so stored templates are found without loading anything.
"""

from __future__ import annotations

import pickletools
import struct
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

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

MAX_OPCODES = 5_000_000
MAX_LINE = 64 << 10
MAX_MEMO = 1_000_000
MIN_KEPT_BYTES = 64
MAX_KEPT_BYTES = 1 << 20
MAX_KEPT_TOTAL = 64 << 20
_SKIP_CHUNK = 1 << 20

DANGEROUS_MODULES = frozenset({
    "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "importlib", "runpy", "pty",
    "ctypes", "marshal", "pickle", "_pickle", "code", "codeop", "types", "webbrowser",
    "commands", "pdb", "timeit", "platform", "multiprocessing", "asyncio", "signal", "posixpath",
    "ntpath", "tempfile", "urllib.request", "http.client", "ftplib", "smtplib", "telnetlib",
})
DANGEROUS_BUILTINS = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "__import__", "input",
    "breakpoint", "globals", "locals", "vars", "memoryview",
})
_DANGEROUS_PAIRS = frozenset({("operator", "attrgetter"), ("operator", "methodcaller"),
                              ("functools", "partial")})
_NUMPY_BUILDERS = frozenset({"_reconstruct", "_frombuffer", "frombuffer"})

_LENGTH_PREFIX = {
    pickletools.TAKEN_FROM_ARGUMENT1: "<B",
    pickletools.TAKEN_FROM_ARGUMENT4: "<i",
    pickletools.TAKEN_FROM_ARGUMENT4U: "<I",
    pickletools.TAKEN_FROM_ARGUMENT8U: "<Q",
}
_BYTES_OPS = frozenset({"SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8",
                        "SHORT_BINSTRING", "BINSTRING"})
_TEXT_OPS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"})
_KEEP_TOP = frozenset({"MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "FRAME", "PROTO"})
_MEMO_PUT = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_MEMO_GET = frozenset({"GET", "BINGET", "LONG_BINGET"})
_BY_CODE = {op.code.encode("latin-1"): op for op in pickletools.opcodes}


def is_dangerous(module: str, name: str) -> bool:
    root = module.split(".")[0]
    if module in DANGEROUS_MODULES or root in DANGEROUS_MODULES:
        return True
    if root in ("builtins", "__builtin__"):
        return name in DANGEROUS_BUILTINS
    return (module, name) in _DANGEROUS_PAIRS


@dataclass
class PickleSummary:
    """What the opcodes say, without anything being built."""

    pickles: int = 0
    protocol: int | None = None
    opcodes: Counter[str] = field(default_factory=Counter)
    globals: Counter[str] = field(default_factory=Counter)
    dangerous: list[str] = field(default_factory=list)
    numpy_arrays: int = 0
    byte_strings: Counter[int] = field(default_factory=Counter)
    kept: list[tuple[int, bytes]] = field(default_factory=list)
    kept_total: int = 0
    error: str | None = None
    stopped_early: bool = False

    def details(self) -> dict[str, Any]:
        return {
            "pickles": self.pickles,
            "protocol": self.protocol,
            "opcodes": sum(self.opcodes.values()),
            "globals": sorted(self.globals),
            "dangerous_globals": self.dangerous,
            "numpy_arrays": self.numpy_arrays,
            "floats": self.opcodes["BINFLOAT"] + self.opcodes["FLOAT"],
            "byte_strings": {
                "count": sum(self.byte_strings.values()),
                "common_lengths": dict(self.byte_strings.most_common(5)),
            },
            "loaded": False,
        }


class _Stream:
    """Counts the offset; reads lines with a bound (pickletools would read a hostile line whole)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.offset = 0

    def read(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.offset += len(data)
        return data

    def exact(self, size: int) -> bytes:
        data = self.read(size)
        if len(data) < size:
            raise ValueError(f"pickle truncated at byte {self.offset}")
        return data

    def line(self) -> bytes:
        out = bytearray()
        while len(out) <= MAX_LINE:
            char = self.read(1)
            if not char:
                raise ValueError(f"pickle truncated at byte {self.offset}")
            if char == b"\n":
                return bytes(out)
            out += char
        raise ValueError(f"text argument longer than {MAX_LINE} bytes at byte {self.offset}")

    def skip(self, size: int) -> None:
        while size > 0:
            data = self.read(min(size, _SKIP_CHUNK))
            if not data:
                raise ValueError(f"pickle truncated at byte {self.offset}")
            size -= len(data)


def walk(raw: BinaryIO, max_opcodes: int = MAX_OPCODES) -> PickleSummary:
    """Walk the opcodes of every pickle in a stream (several ``pickle.dump`` calls may follow)."""
    summary = PickleSummary()
    stream = _Stream(raw)
    memo: dict[int, Any] = {}
    pushes: deque[Any] = deque([None, None], maxlen=2)
    top: Any = None
    at_start = True
    total = 0
    memo_size = 0  # only strings and globals are remembered: enough to resolve STACK_GLOBAL
    try:
        while True:
            code = stream.read(1)
            if not code:
                if not at_start:
                    raise ValueError(f"pickle truncated at byte {stream.offset} (no STOP)")
                break
            op = _BY_CODE.get(code)
            if op is None:
                raise ValueError(f"unknown opcode {code!r} at byte {stream.offset - 1}")
            if total >= max_opcodes:
                summary.stopped_early = True
                break
            total += 1
            at_start = False
            summary.opcodes[op.name] += 1
            start = stream.offset
            value = _argument(op, stream, summary, start)
            if op.name == "PROTO":
                summary.protocol = value if summary.protocol is None else summary.protocol
            if op.name in ("GLOBAL", "INST"):
                module, _, name = value.partition(" ")
                value = _global(summary, module, name)
            elif op.name == "STACK_GLOBAL":
                module, name = pushes[0], pushes[1]
                if isinstance(module, str) and isinstance(name, str):
                    value = _global(summary, module, name)
                else:
                    summary.globals["<unresolved STACK_GLOBAL>"] += 1
                    value = None
            if op.name in _MEMO_GET:
                value = memo.get(value)
                _count_use(summary, value)
            elif op.name == "MEMOIZE":
                memo_size += 1
                if memo_size <= MAX_MEMO and isinstance(top, str | tuple):
                    memo[memo_size - 1] = top
            elif op.name in _MEMO_PUT and len(memo) < MAX_MEMO and isinstance(top, str | tuple):
                memo[value] = top
            if op.name == "STOP":
                summary.pickles += 1
                memo.clear()
                memo_size = 0
                at_start = True
                continue
            if op.name in _KEEP_TOP:
                continue
            if value == "latin1" and isinstance(pushes[1], str) and len(pushes[1]) >= MIN_KEPT_BYTES:
                # protocol-2 bytes: _codecs.encode(text, "latin1")
                _keep(summary, start, pushes[1].encode("latin-1", "replace"))
            top = value if isinstance(value, str | tuple) else None
            pushes.append(top)
    except ValueError as error:
        summary.error = str(error)
    return summary


def _argument(op: pickletools.OpcodeInfo, stream: _Stream, summary: PickleSummary, start: int) -> Any:
    arg = op.arg
    if arg is None:
        return None
    if arg.n == pickletools.UP_TO_NEWLINE:
        first = stream.line().decode("latin-1")
        if op.name in ("GLOBAL", "INST"):
            return f"{first} {stream.line().decode('latin-1')}"
        if op.name in ("GET", "PUT"):
            return int(first) if first.strip().lstrip("-").isdigit() else None
        return first
    if arg.n in _LENGTH_PREFIX:
        fmt = _LENGTH_PREFIX[arg.n]
        (size,) = struct.unpack(fmt, stream.exact(struct.calcsize(fmt)))
        if size < 0:
            raise ValueError(f"negative length at byte {start}")
        if op.name in _BYTES_OPS:
            summary.byte_strings[size] += 1
            if MIN_KEPT_BYTES <= size <= MAX_KEPT_BYTES and summary.kept_total + size <= MAX_KEPT_TOTAL:
                _keep(summary, start - 1, stream.exact(size))
            else:
                stream.skip(size)
            return None
        if op.name in _TEXT_OPS and size <= MAX_KEPT_BYTES:
            return stream.exact(size).decode("utf-8", "surrogatepass")
        stream.skip(size)
        return None
    data = stream.exact(arg.n)
    if op.name in ("BINGET", "BINPUT", "PROTO"):
        return data[0]
    if op.name in ("LONG_BINGET", "LONG_BINPUT"):
        return struct.unpack("<I", data)[0]
    return None


def _keep(summary: PickleSummary, offset: int, data: bytes) -> None:
    summary.kept.append((offset, data))
    summary.kept_total += len(data)


def _global(summary: PickleSummary, module: str, name: str) -> tuple[str, str, str]:
    reference = f"{module} {name}"
    summary.globals[reference] += 1
    if is_dangerous(module, name) and reference not in summary.dangerous:
        summary.dangerous.append(reference)
    _count_use(summary, ("global", module, name))
    return ("global", module, name)


def _count_use(summary: PickleSummary, value: Any) -> None:
    if isinstance(value, tuple) and value[1].startswith("numpy") and value[2] in _NUMPY_BUILDERS:
        summary.numpy_arrays += 1


def _looks_like_pickle(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


@register
class PickleReader(SourceReader):
    """Pickles by magic (protocol 2–5) or by name (``.pkl``, ``.pickle``; protocols 0–1 have no magic)."""

    NAME = "pickle"
    DESCRIPTION = "Python pickles: opcodes described with pickletools' table, never unpickled"
    PRIORITY = 60

    def claims(self, item: Item, head: bytes) -> bool:
        return (
            item.type == "pickle"
            or _looks_like_pickle(head)
            or item.name.lower().endswith((".pkl", ".pickle", ".pckl"))
        )

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        with item.open() as stream:
            summary = walk(stream)
        details = summary.details()
        yield StoreFound("pickle", details=details)
        if summary.kept:
            yield TableRows(
                "byte_strings", ["value"],
                iter([(f"byte {offset}", [data]) for offset, data in summary.kept]),
                column_types=["bytes"],
            )
        reason = "pickle not loaded (never unpickled); described from its opcodes only"
        if summary.dangerous:
            reason += (
                f"; it references {', '.join(summary.dangerous)}: unpickling it would run that code"
            )
            yield Problem(
                item.locator, reason, "pickle.dangerous", {"names": ", ".join(summary.dangerous)}
            )
        else:
            yield Problem(item.locator, reason, "pickle.not_loaded")
        if summary.error:
            yield Problem(
                item.locator,
                f"opcode walk stopped: {summary.error}",
                "pickle.walk_stopped",
                {"error": str(summary.error)},
            )
        if summary.stopped_early:
            yield Problem(
                item.locator,
                f"more than {MAX_OPCODES} opcodes: walk stopped",
                "pickle.too_many_opcodes",
                {"limit": MAX_OPCODES},
            )
