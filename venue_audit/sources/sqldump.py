"""Plain SQL dumps (mysqldump / MariaDB, pg_dump plain format, also ``.sql.gz``), no server needed.

Venues hand over database backups, not databases: a 5 GB ``.sql`` file of
extended INSERTs with hex blobs, or a pg_dump with ``COPY … FROM stdin``
blocks holding bytea photos and pgvector embeddings. The dump is streamed
line by line with a bounded line buffer; statements are split on ``;``
outside quotes, and values are decoded to Python values (``bytes`` for
``0x..``/``_binary``/bytea, ``list`` for arrays and vectors) using the
``CREATE TABLE`` column types when the dump has them.

One ``TableRows`` is yielded per run of consecutive INSERT statements into
the same table (with the same column list) and per ``COPY`` block; rows are
produced lazily while the scanner consumes them, so memory stays bounded by
one line. Row counts are only known at the end of a stream, so the
``StoreFound`` is yielded twice: first (its ``details["tables"]`` dict is
filled in as rows are read) and again as the last yield with the final
counts; the scanner updates the store by its locator.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
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
from venue_audit.sources.tabular import bounded_lines

DEFAULT_LINE_LIMIT = 256 << 20
_DIALECT_SAMPLE = 64 << 10

# --- names -----------------------------------------------------------------------------------

_IDENT = r'(?:`[^`]+`|"[^"]+"|\[[^\]]+\]|[\w$]+)'
_QUALIFIED = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"


def unquote_name(name: str) -> str:
    """``public."Img"`` → ``Img`` / ``db.t`` → ``db.t``: quotes gone, PostgreSQL's public schema dropped."""
    parts = [p.strip() for p in re.findall(_IDENT, name)]
    parts = [p[1:-1] if p[:1] in '`"[' else p for p in parts]
    if len(parts) > 1 and parts[0].lower() == "public":
        parts = parts[1:]
    return ".".join(parts)


def _column_list(text: str) -> list[str]:
    return [unquote_name(part) for part in text.split(",") if part.strip()]


# --- statement splitting ---------------------------------------------------------------------

_OUTSIDE = re.compile(r"[^'\"`;\-$]*")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_]\w*)?\$")
_CLOSE = {
    "'": re.compile(r"[^'\\]*(?:\\.[^'\\]*)*'", re.S),  # MySQL / E'' strings: backslash escapes
    "std'": re.compile(r"[^']*'"),  # standard SQL strings: '' is the only escape
    '"': re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S),
    'std"': re.compile(r'[^"]*"'),
    "`": re.compile(r"[^`]*`"),
}
_STATEMENT_START = re.compile(
    r"\s*(?:INSERT\s+INTO|REPLACE\s+INTO|CREATE\s+TABLE|COPY\s|DROP\s+TABLE|LOCK\s+TABLES|"
    r"UNLOCK\s+TABLES|ALTER\s+TABLE|--|/\*!)",
    re.I,
)


@dataclass
class _Statement:
    line: int
    text: str


class StatementSplitter:
    """Cuts lines into statements at ``;`` outside quotes and comments, keeping quote state across lines.

    A statement longer than ``limit`` characters is dropped (quote state is
    still followed to find its end) and reported. A quote left open when a
    line starting like a new statement (``INSERT INTO``, ``CREATE TABLE``…)
    arrives is taken as an unbalanced quote: the broken statement is reported
    and parsing restarts there, so one bad quote cannot swallow the dump.
    PostgreSQL function bodies are dollar-quoted (``$$ … don't; … $$``) and
    are followed as quotes too.
    """

    def __init__(self, limit: int, backslash_escapes: bool, dollar_quotes: bool = False) -> None:
        self.limit = limit
        self.backslash_escapes = backslash_escapes
        self.dollar_quotes = dollar_quotes
        self.state: str | None = None
        self.parts: list[str] = []
        self.size = 0
        self.start_line = 0
        self.oversized = False
        self.problems: list[tuple[int, str, str, dict[str, Any]]] = []  # line, reason, code, params

    @property
    def pending(self) -> bool:
        return bool(self.parts) or self.oversized

    def reset(self) -> None:
        self.state, self.parts, self.size, self.oversized = None, [], 0, False

    def take_pending(self) -> _Statement | None:
        statement = _Statement(self.start_line, "".join(self.parts)) if self.parts else None
        self.reset()
        return statement

    def feed(self, number: int, line: str) -> list[_Statement]:
        quoted = self.state is not None and not self.state.startswith("$")
        if quoted and _STATEMENT_START.match(line):
            self.problems.append(
                (
                    self.start_line,
                    "unbalanced quote: statement skipped up to the next statement",
                    "dump.unbalanced_quote",
                    {},
                )
            )
            self.reset()
        if self.state is None and not self.pending:
            stripped = line.lstrip()
            if not stripped or stripped.startswith(("--", "#", "\\")):
                return []  # blank, comment, or a psql meta-command (\connect, \restrict)
        out: list[_Statement] = []
        text = line + "\n"
        pos = 0
        begin = 0
        end = len(text)
        while pos < end:
            if self.state is None:
                pos = _OUTSIDE.match(text, pos).end()
                if pos >= end:
                    break
                char = text[pos]
                if char == ";":
                    self._append(number, text[begin : pos + 1])
                    if self.parts and not self.oversized:
                        out.append(_Statement(self.start_line, "".join(self.parts)))
                    elif self.oversized:
                        self.problems.append(
                            (
                                self.start_line,
                                f"statement longer than {self.limit} bytes, skipped",
                                "dump.statement_too_long",
                                {"limit": self.limit},
                            )
                        )
                    self.reset()
                    pos += 1
                    begin = pos
                elif char == "-":
                    if text.startswith("--", pos):
                        self._append(number, text[begin:pos] + "\n")
                        begin = pos = end
                    else:
                        pos += 1
                elif char == "$":
                    tag = _DOLLAR_TAG.match(text, pos) if self.dollar_quotes else None
                    if tag is not None:
                        self.state = tag[0]
                        pos = tag.end()
                    else:
                        pos += 1
                else:
                    standard = not self.backslash_escapes and not (
                        char == "'" and pos > 0 and text[pos - 1] in "eE"
                        and (pos < 2 or not (text[pos - 2].isalnum() or text[pos - 2] == "_"))
                    )
                    self.state = ("std" + char) if standard and char != "`" else char
                    pos += 1
            elif self.state.startswith("$"):
                close = text.find(self.state, pos)
                if close < 0:
                    break
                pos = close + len(self.state)
                self.state = None
            else:
                match = _CLOSE[self.state].match(text, pos)
                if match is None:
                    break
                pos = match.end()
                self.state = None
        self._append(number, text[begin:])
        return out

    def _append(self, number: int, fragment: str) -> None:
        if not fragment:
            return
        if not self.parts and not self.oversized:
            if not fragment.strip():
                return
            self.start_line = number
        if self.oversized:
            return
        self.size += len(fragment)
        if self.size > self.limit:
            self.parts = []
            self.oversized = True
        else:
            self.parts.append(fragment)


# --- column types ----------------------------------------------------------------------------

_CREATE = re.compile(
    rf"\s*CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMPORARY|TEMP|UNLOGGED)\s+)?TABLE\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>{_QUALIFIED})\s*\((?P<body>.*)\)",
    re.I | re.S,
)
_NOT_A_COLUMN = re.compile(
    r"\s*(?:PRIMARY\s+KEY|UNIQUE|KEY|INDEX|CONSTRAINT|FOREIGN\s+KEY|CHECK|FULLTEXT|SPATIAL|"
    r"EXCLUDE|LIKE|PERIOD)\b",
    re.I,
)
_TYPE_END = re.compile(
    r"\s+(?:NOT\s+NULL|NULL|DEFAULT|PRIMARY|REFERENCES|UNIQUE|CHECK|COLLATE|CONSTRAINT|"
    r"GENERATED|AUTO_INCREMENT|COMMENT|CHARACTER\s+SET|CHARSET|ON\s+UPDATE|UNSIGNED|SIGNED|"
    r"ZEROFILL|IDENTITY|STORAGE|COMPRESSION)\b",
    re.I,
)


@dataclass
class TableDefinition:
    name: str
    columns: list[str]
    types: list[str]

    def type_of(self, column: str) -> str:
        try:
            return self.types[self.columns.index(column)]
        except ValueError:
            return ""


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for index, char in enumerate(body):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return parts


def parse_create_table(text: str) -> TableDefinition | None:
    """Column names and normalised lower-case types (``bytea``, ``vector(512)``, ``float8[]``)."""
    match = _CREATE.match(text)
    if not match:
        return None
    columns: list[str] = []
    types: list[str] = []
    for definition in _split_top_level(match["body"]):
        if not definition.strip() or _NOT_A_COLUMN.match(definition):
            continue
        name_match = re.match(rf"\s*({_IDENT})\s*(.*)", definition, re.S)
        if not name_match:
            continue
        rest = _TYPE_END.split(" " + name_match[2], maxsplit=1)[0]
        columns.append(unquote_name(name_match[1]))
        types.append(" ".join(rest.split()).lower())
    return TableDefinition(unquote_name(match["table"]), columns, types)


_MYSQL_BINARY_TYPE = re.compile(r"^(?:tiny|medium|long)?blob\b|^(?:var)?binary\b|^vector\b")
_INT_TYPE = re.compile(
    r"^(?:tinyint|smallint|mediumint|int|integer|bigint|int2|int4|int8|serial|bigserial|"
    r"smallserial|oid)\b"
)
_FLOAT_TYPE = re.compile(r"^(?:real|float|float4|float8|double|double precision|numeric|decimal)\b")
_VECTOR_TYPE = re.compile(r"^(?:[\w\"]+\.)?(?:vector|halfvec|vecf16)\b")


def _is_array_type(type_: str) -> bool:
    return type_.endswith("]") or type_.startswith("_") or type_.endswith(" array")


def _element_type(type_: str) -> str:
    if type_.startswith("_"):
        return type_[1:]
    return re.sub(r"(?:\s*\[\d*\])+$|\s+array$", "", type_)


# --- value decoding --------------------------------------------------------------------------

_MYSQL_ESCAPES = {
    "0": "\0", "'": "'", '"': '"', "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a",
    "\\": "\\", "%": "\\%", "_": "\\_",
}
_BACKSLASH_ESCAPE = re.compile(r"\\(.)", re.S)
_MYSQL_ESCAPE = re.compile(r"\\(.)|''|\"\"", re.S)


def unescape_mysql(body: str, quote: str = "'") -> str:
    """MySQL string escapes; ``\\%`` and ``\\_`` keep their backslash, as MySQL does outside LIKE."""
    doubled = quote * 2
    if "\\" not in body:
        return body.replace(doubled, quote) if doubled in body else body
    if doubled not in body:  # mysqldump's own style: backslash escapes only, split in C
        parts = _BACKSLASH_ESCAPE.split(body)
        parts[1::2] = [_MYSQL_ESCAPES.get(char, char) for char in parts[1::2]]
        return "".join(parts)

    def replace(match: re.Match[str]) -> str:
        if match[1] is None:
            return match[0][0]
        return _MYSQL_ESCAPES.get(match[1], match[1])

    return _MYSQL_ESCAPE.sub(replace, body)


_PG_E_ESCAPE = re.compile(
    r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|''", re.S
)
_PG_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def unescape_pg_e(body: str) -> str:
    """PostgreSQL ``E'…'`` escapes (also the COPY text escapes, which are the same set)."""

    def replace(match: re.Match[str]) -> str:
        octal, hex_, u4, u8, other = match.groups()
        if match[0] == "''":
            return "'"
        if octal:
            return chr(int(octal, 8) & 0xFF)
        if hex_:
            return chr(int(hex_, 16))
        if u4 or u8:
            return chr(int(u4 or u8, 16))
        return _PG_SIMPLE.get(other, other)

    return _PG_E_ESCAPE.sub(replace, body)


def _raw_bytes(text: str) -> bytes:
    """The dump's own bytes for a string: lines are decoded UTF-8 with surrogateescape,
    so encoding back the same way gives exactly the bytes that were written."""
    return text.encode("utf-8", "surrogateescape")


def _text_or_bytes(value: Any) -> Any:
    """A string that was not valid UTF-8 in the dump is binary data: return its exact bytes.

    (It would otherwise carry lone surrogates that no database or JSON writer accepts.)
    """
    if type(value) is not str or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _raw_bytes(value)
    return value


_BYTEA_ESCAPE = re.compile(r"\\(\\|[0-7]{3})")


def decode_bytea(text: str) -> bytes:
    """PostgreSQL bytea output: hex (``\\x4142``) or the legacy escape format (``\\101\\\\``).

    In the escape format an octal escape is one byte; literal characters are the dump's bytes.
    """
    if text.startswith("\\x"):
        return bytes.fromhex(text[2:])
    out = bytearray()
    last = 0
    for match in _BYTEA_ESCAPE.finditer(text):
        out += _raw_bytes(text[last : match.start()])
        out += b"\\" if match[1] == "\\" else bytes([int(match[1], 8) & 0xFF])
        last = match.end()
    out += _raw_bytes(text[last:])
    return bytes(out)


def parse_pg_array(text: str, element: Callable[[str], Any]) -> list[Any]:
    """``{1.5,2.5}`` / ``{{1,2},{3,4}}`` / ``{"a b",NULL}`` → nested lists, iteratively."""
    if "{" not in text[1:] and '"' not in text:
        inner = text[1:-1]
        if not inner:
            return []
        parts = inner.split(",")
        if "NULL" not in parts:
            return list(map(element, parts))
        return [None if part == "NULL" else element(part) for part in parts]
    root: list[Any] = []
    stack: list[list[Any]] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == "{":
            new: list[Any] = []
            (stack[-1] if stack else root).append(new)
            stack.append(new)
            index += 1
        elif char == "}":
            stack.pop()
            index += 1
        elif char in ", ":
            index += 1
        elif char == '"':
            match = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S).match(text, index)
            if match is None or not stack:
                raise ValueError("unterminated quoted array element")
            stack[-1].append(element(re.sub(r"\\(.)", r"\1", match[1])))
            index = match.end()
        else:
            match = re.compile(r"[^,{}]*").match(text, index)
            assert match is not None
            token = match[0].strip()
            if stack:
                stack[-1].append(None if token == "NULL" else element(token))
            index = match.end()
    return root[0] if len(root) == 1 and isinstance(root[0], list) else root


def parse_vector(text: str) -> list[float]:
    """pgvector text ``[0.1,0.2,…]``."""
    inner = text.strip()[1:-1]
    return list(map(float, inner.split(","))) if inner.strip() else []


_HEX_BYTEA = re.compile(r"\\x(?:[0-9A-Fa-f]{2})*")


def pg_value(text: str, type_: str) -> Any:
    """A PostgreSQL text value to Python by its column type (unknown types: bytea-looking → bytes)."""
    return _converter(type_)(text)


def _bool(text: str) -> bool:
    return text in ("t", "true", "1", "y", "yes", "on")


def _untyped(text: str) -> Any:
    return decode_bytea(text) if _HEX_BYTEA.fullmatch(text) else text


def _text(text: str) -> str:
    return text


@lru_cache(maxsize=512)
def _converter(type_: str) -> Callable[[str], Any]:
    """One decoding function per column type, chosen once (dumps repeat a type millions of times)."""
    if not type_:
        return _untyped
    if type_ == "bytea":
        return decode_bytea
    if _VECTOR_TYPE.match(type_):
        return lambda text: parse_vector(text) if text.startswith("[") else text
    if _is_array_type(type_):
        element = _converter(_element_type(type_))
        if element is _untyped:
            element = _text
        return lambda text: parse_pg_array(text, element) if text.startswith("{") else text
    if _INT_TYPE.match(type_):
        return int
    if _FLOAT_TYPE.match(type_):
        return float
    if type_ in ("boolean", "bool"):
        return _bool
    return _text


def _safe(convert: Callable[[str, str], Any], text: str, type_: str) -> Any:
    try:
        return convert(text, type_)
    except (ValueError, OverflowError):
        return text


def _number(text: str) -> int | float:
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return float(text)


# --- INSERT statements -----------------------------------------------------------------------

_INSERT = re.compile(
    rf"\s*(?:INSERT|REPLACE)(?:\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*\s+(?:INTO\s+)?"
    rf"(?P<table>{_QUALIFIED})\s*(?:\((?P<columns>[^)]*)\))?\s*"
    r"(?:OVERRIDING\s+\w+\s+VALUE\s+)?VALUES\s*",
    re.I | re.S,
)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_FUNCTION = (
    r"|(?P<func>(?i:FROM_BASE64|UNHEX|decode))\(\s*'(?P<farg>[^'\\]*)'\s*"
    r"(?:,\s*'(?P<fmt>\w+)'\s*)?\)"
)
_MYSQL_VALUE = re.compile(
    r"\s*(?:(?P<null>(?i:NULL))\b" + _FUNCTION +
    r"|(?:_(?P<charset>[A-Za-z0-9]+)\s*)?(?:(?P<hex>0[xX][0-9A-Fa-f]*)"
    r"|[xX]'(?P<xq>[0-9A-Fa-f]*)'"
    r"|'(?P<str>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'|\"(?P<dstr>[^\"\\]*(?:(?:\\.|\"\")[^\"\\]*)*)\")"
    rf"|(?P<num>{_NUMBER})"
    r"|(?P<bool>(?i:TRUE|FALSE))\b)",
    re.S,
)
_PG_CAST = r"(?:\s*::\s*(?P<cast>(?:\"[^\"]+\"|[\w.]+)(?:\s+(?:precision|varying|without\s+time\s+zone|with\s+time\s+zone))?(?:\s*\([\d,\s]*\))?(?:\s*\[\d*\])*))?"
_PG_VALUE = re.compile(
    r"\s*(?:(?P<null>(?i:NULL))\b" + _FUNCTION +
    r"|[eE]'(?P<estr>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'"
    r"|[xX]'(?P<xq>[0-9A-Fa-f]*)'"
    r"|'(?P<str>[^']*(?:''[^']*)*)'"
    rf"|(?P<num>{_NUMBER})"
    r"|(?P<bool>(?i:TRUE|FALSE))\b"
    r"|(?i:ARRAY)\[(?P<array>[^\[\]]*)\])" + _PG_CAST,
    re.S,
)
_PG_BACKSLASH_VALUE = re.compile(
    _PG_VALUE.pattern.replace(
        r"'(?P<str>[^']*(?:''[^']*)*)'", r"'(?P<str>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'"
    ),
    re.S,
)
_OPEN_ROW = re.compile(r"\s*\(")
_CLOSE_ROW = re.compile(r"\s*\)")
_AFTER_VALUE = re.compile(r"\s*([,)])")
_AFTER_ROW = re.compile(r"\s*(?:(,)|(;)|(ON\s+(?:DUPLICATE|CONFLICT)\b|RETURNING\b)|$)", re.I)


def _hex_literal(text: str, pos: int) -> tuple[bytes | None, int]:
    """A ``0x…`` blob decoded without a regex pass (most of a mysqldump's bytes are these).

    Returns ``(None, pos)`` when the fast path does not apply; the regex path then decides.
    """
    ends = [i for i in (text.find(",", pos), text.find(")", pos)) if i >= 0]
    end = min(ends) if ends else len(text)
    digits = text[pos + 2 : end].rstrip()
    if len(digits) % 2:
        return None, pos
    try:
        return bytes.fromhex(digits), pos + 2 + len(digits)
    except ValueError:
        return None, pos


def _decode_function(name: str, argument: str, format_: str | None) -> bytes | str:
    """``FROM_BASE64('…')`` / ``UNHEX('…')`` (MySQL), ``decode('…', 'base64'|'hex')`` (PostgreSQL)."""
    kind = name.lower()
    if kind == "decode":
        kind = {"base64": "from_base64", "hex": "unhex"}.get((format_ or "").lower(), "")
    try:
        if kind == "from_base64":
            return base64.b64decode("".join(argument.split()), validate=True)
        if kind == "unhex":
            return bytes.fromhex(argument)
    except ValueError:
        pass
    return argument


class MalformedValues(ValueError):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class InsertHeader:
    table: str
    columns: list[str] | None
    values_at: int
    statement: _Statement


def parse_insert_header(statement: _Statement) -> InsertHeader | None:
    match = _INSERT.match(statement.text)
    if not match:
        return None
    columns = _column_list(match["columns"]) if match["columns"] else None
    return InsertHeader(unquote_name(match["table"]), columns, match.end(), statement)


def _excerpt(text: str, pos: int) -> str:
    snippet = text[pos : pos + 40].replace("\n", " ")
    return f"unexpected text {snippet!r}" if snippet.strip() else "statement ends inside a row"


class ValueDecoder:
    """Turns literal tokens of one dialect into Python values, typed by the column types."""

    def __init__(self, dialect: str, backslash_escapes: bool, types: list[str]) -> None:
        self.dialect = dialect
        self.pattern = (
            _MYSQL_VALUE
            if dialect == "mysql"
            else (_PG_BACKSLASH_VALUE if backslash_escapes else _PG_VALUE)
        )
        self.backslash = backslash_escapes
        self.types = types

    def _type(self, index: int) -> str:
        return self.types[index] if index < len(self.types) else ""

    def value(self, match: re.Match[str], index: int) -> Any:
        groups = match.groupdict()
        if groups["null"] is not None:
            return None
        if groups["func"] is not None:
            return _decode_function(groups["func"], groups["farg"], groups["fmt"])
        if groups.get("hex") is not None:
            digits = groups["hex"][2:]
            return bytes.fromhex(digits if len(digits) % 2 == 0 else "0" + digits)
        if groups["xq"] is not None:
            return bytes.fromhex(groups["xq"])
        if groups["num"] is not None:
            return _number(groups["num"])
        if groups["bool"] is not None:
            return groups["bool"].lower() == "true"
        if self.dialect == "mysql":
            if groups["str"] is not None:
                text = unescape_mysql(groups["str"], "'")
            else:
                text = unescape_mysql(groups["dstr"], '"')
            if (groups["charset"] or "").lower() == "binary" or _MYSQL_BINARY_TYPE.match(
                self._type(index)
            ):
                return _raw_bytes(text)
            return _text_or_bytes(text)
        if groups["array"] is not None:
            return [_safe(lambda t, _: _number(t), part.strip(), "") if part.strip() != "NULL"
                    else None for part in groups["array"].split(",") if part.strip()]
        if groups["estr"] is not None:
            text = unescape_pg_e(groups["estr"])
        elif self.backslash:
            text = unescape_pg_e(groups["str"])
        else:
            text = groups["str"].replace("''", "'")
        type_ = (groups["cast"] or "").lower() or self._type(index)
        if type_.startswith("public."):
            type_ = type_[7:]
        return _text_or_bytes(_safe(pg_value, text, type_))

    def rows(self, text: str, pos: int) -> Iterator[list[Any]]:
        """Rows of ``(…),(…)`` from ``pos``; raises MalformedValues after the last good row."""
        row_number = 0
        match_value = self.pattern.match
        hex_literals = self.dialect == "mysql"
        while True:
            row_number += 1
            opening = _OPEN_ROW.match(text, pos)
            if opening is None:
                raise MalformedValues(row_number, _excerpt(text, pos))
            pos = opening.end()
            values: list[Any] = []
            if (closing := _CLOSE_ROW.match(text, pos)) is not None:
                pos = closing.end()
            else:
                while True:
                    if hex_literals and text.startswith(("0x", "0X"), pos):
                        blob, pos = _hex_literal(text, pos)
                        if blob is not None:
                            values.append(blob)
                            after = _AFTER_VALUE.match(text, pos)
                            if after is None:
                                raise MalformedValues(row_number, _excerpt(text, pos))
                            pos = after.end()
                            if after[1] == ")":
                                break
                            continue
                    match = match_value(text, pos)
                    if match is None:
                        raise MalformedValues(row_number, _excerpt(text, pos))
                    try:
                        values.append(self.value(match, len(values)))
                    except ValueError as error:
                        raise MalformedValues(row_number, f"bad literal: {error}") from None
                    pos = match.end()
                    after = _AFTER_VALUE.match(text, pos)
                    if after is None:
                        raise MalformedValues(row_number, _excerpt(text, pos))
                    pos = after.end()
                    if after[1] == ")":
                        break
            yield values
            after_row = _AFTER_ROW.match(text, pos)
            if after_row is None:
                raise MalformedValues(row_number + 1, _excerpt(text, pos))
            if after_row[1] is None:
                return
            pos = after_row.end()


# --- COPY blocks -----------------------------------------------------------------------------

_COPY = re.compile(
    rf"\s*COPY\s+(?P<table>{_QUALIFIED})\s*(?:\((?P<columns>[^)]*)\))?\s+FROM\s+stdin\b(?P<options>[^;]*);?",
    re.I | re.S,
)
_COPY_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)


def unescape_copy(field: str) -> str | None:
    """One field of COPY text format: ``\\N`` is NULL; backslash escapes incl. octal and hex."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field

    def replace(match: re.Match[str]) -> str:
        octal, hex_, other = match.groups()
        if octal:
            return chr(int(octal, 8) & 0xFF)
        if hex_:
            return chr(int(hex_, 16))
        return _PG_SIMPLE.get(other, other)

    return _COPY_ESCAPE.sub(replace, field)


def copy_field(field: str, type_: str) -> Any:
    if type_ in ("bytea", "") and field.startswith("\\\\x") and "\\" not in field[3:]:
        try:
            return bytes.fromhex(field[3:])  # fast path: a bytea photo of megabytes, no regex
        except ValueError:
            pass
    text = unescape_copy(field)
    if text is None:
        return None
    return _text_or_bytes(_safe(pg_value, text, type_))


# --- the reader ------------------------------------------------------------------------------

_PG_MARKERS = (
    b"PostgreSQL database dump",
    b"pg_dump",
    b"SET standard_conforming_strings",
    b"pg_catalog.",
    b"FROM stdin;",
    b"public.",
    b"'\\x",
    b"::",
)
_MYSQL_MARKERS = (b"MySQL dump", b"MariaDB dump", b"mysqldump", b"/*!40", b"ENGINE=", b"LOCK TABLES `")


def sniff_dialect(head: bytes) -> str:
    pg = sum(marker in head for marker in _PG_MARKERS)
    mysql = sum(marker in head for marker in _MYSQL_MARKERS) + head.count(b"`") // 4
    return "postgresql" if pg > mysql else "mysql"


def _looks_like_dump(head: bytes) -> bool:
    upper = head.upper()
    return (
        any(marker in head for marker in (b"MySQL dump", b"MariaDB dump", b"PostgreSQL database dump"))
        or (b"CREATE TABLE" in upper and (b"INSERT INTO" in upper or b"COPY " in upper))
        or upper.lstrip().startswith(b"INSERT INTO")
    )


_COMPRESSED = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2",), "xz": (".xz",)}


def _is_sql_gz(item: Item) -> bool:
    """A compressed dump by name: ``.sql.gz`` (also ``.sql.bz2``, ``.sql.xz``, ``.dump.gz``)."""
    suffixes = _COMPRESSED.get(item.type)
    if not suffixes:
        return False
    name = item.name.lower()
    return any(name.endswith(stem + suffix) for stem in (".sql", ".dump") for suffix in suffixes)


@contextmanager
def open_dump(item: Item) -> Iterator[BinaryIO]:
    """The dump's bytes, decompressed on the fly for ``.sql.gz``."""
    with item.open() as raw:
        if _is_sql_gz(item):
            opener = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open}[item.type]
            with opener(raw, "rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield raw


class _Prefetched:
    """A stream whose first bytes were read to sniff the dialect."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(size)


class DumpParser:
    """One pass over a dump: statements, CREATE TABLE types, INSERT runs and COPY blocks."""

    def __init__(self, stream: BinaryIO, locator: str, dialect: str, line_limit: int) -> None:
        self.locator = locator
        self.dialect = dialect
        self.line_limit = line_limit
        self.lines = self._safe_lines(stream)
        self.backslash = dialect == "mysql"
        self.splitter = StatementSplitter(line_limit, self.backslash, dialect == "postgresql")
        self.definitions: dict[str, TableDefinition] = {}
        self.row_counts: dict[str, int] = {}
        self.problems: list[Problem] = []
        self._pushed: _Statement | _CopyStart | None = None
        self._statements = self._statement_stream()

    def where(self, line: int, row: int | None = None) -> str:
        return f"{self.locator} line {line}" + (f" row {row}" if row else "")

    # statements

    def _safe_lines(self, stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
        """Lines until the end, or until the stream breaks (truncated gzip): then a Problem.

        Rows are pulled through this iterator by the scanner, outside the
        reader's own loop, so a read error must end the rows instead of raising.
        """
        number = 0
        try:
            for number, line in bounded_lines(stream, self.line_limit):
                yield number, line
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
            self.problems.append(
                Problem(self.where(number + 1),
                        f"dump could not be read further: {type(error).__name__}: {error}",
                        "dump.read_stopped", {"error": f"{type(error).__name__}: {error}"})
            )

    def _statement_stream(self) -> Iterator[_Statement | _CopyStart]:
        for number, raw in self.lines:
            if raw is None:
                if self.splitter.pending:
                    self.problems.append(
                        Problem(self.where(self.splitter.start_line),
                                "statement interrupted by an over-long line, skipped",
                                "dump.statement_cut")
                    )
                self.splitter.reset()
                self.problems.append(
                    Problem(self.where(number), f"line longer than {self.line_limit} bytes, skipped",
                            "line.too_long", {"limit": self.line_limit})
                )
                continue
            line = raw.decode("utf-8", "surrogateescape")
            if line.endswith("\r"):
                line = line[:-1]
            statements = self.splitter.feed(number, line)
            for line_no, reason, code, params in self.splitter.problems:
                self.problems.append(Problem(self.where(line_no), reason, code, params))
            self.splitter.problems.clear()
            for statement in statements:
                copy = _COPY.match(statement.text)
                if copy:
                    yield self._copy_start(copy, statement)
                    break  # data lines follow; the rest of this line is not SQL
                yield statement
        leftover = self.splitter.take_pending()
        if leftover is not None:
            self.problems.append(
                Problem(self.where(leftover.line),
                        "statement not terminated at end of file (truncated dump?)",
                        "dump.unterminated")
            )
            yield leftover

    def _copy_start(self, match: re.Match[str], statement: _Statement) -> _CopyStart:
        options = (match["options"] or "").lower()
        text_format = "csv" not in options and "binary" not in options
        columns = _column_list(match["columns"]) if match["columns"] else None
        return _CopyStart(statement.line, unquote_name(match["table"]), columns, text_format)

    def next_statement(self) -> _Statement | _CopyStart | None:
        if self._pushed is not None:
            statement, self._pushed = self._pushed, None
            return statement
        return next(self._statements, None)

    # tables

    def columns_for(self, table: str, listed: list[str] | None, width: int) -> tuple[list[str], list[str]]:
        definition = self.definitions.get(table) or self.definitions.get(table.rsplit(".", 1)[-1])
        if listed is not None:
            names = listed
        elif definition is not None:
            names = definition.columns
        else:
            names = [f"column_{i}" for i in range(1, width + 1)]
        types = [definition.type_of(name) if definition else "" for name in names]
        return names, types

    def count(self, table: str) -> None:
        self.row_counts[table] = self.row_counts.get(table, 0) + 1

    def insert_rows(self, first: InsertHeader, types: list[str]) -> Iterator[tuple[str, list[Any]]]:
        """Rows of this INSERT and of the following INSERTs into the same table and columns.

        A row is ``line N`` when its statement holds one row, ``line N row i``
        inside an extended INSERT (one row is held back to tell which).
        """
        header: InsertHeader | None = first
        while header is not None:
            decoder = ValueDecoder(self.dialect, self.backslash, types)
            line = header.statement.line
            held: list[Any] | None = None
            row = 0
            cut = False
            try:
                for row, values in enumerate(decoder.rows(header.statement.text, header.values_at), 1):
                    self.count(first.table)
                    if held is not None:
                        yield f"line {line} row {row - 1}", held
                    held = values
            except MalformedValues as error:
                self.problems.append(Problem(self.where(line, error.row), f"{error}; rest of statement skipped",
                                             "dump.malformed_values", {"detail": str(error)}))
                cut = True  # the statement had more rows: number them
            if held is not None:
                yield (f"line {line} row {row}" if row > 1 or cut else f"line {line}"), held
            header = self._next_insert_into(first)

    def _next_insert_into(self, first: InsertHeader) -> InsertHeader | None:
        statement = self.next_statement()
        if isinstance(statement, _Statement):
            header = parse_insert_header(statement)
            if header is not None and header.table == first.table and header.columns == first.columns:
                return header
        self._pushed = statement
        return None

    def copy_rows(
        self, copy: _CopyStart, names: list[str], types: list[str]
    ) -> Iterator[tuple[str, list[Any]]]:
        """Data lines up to ``\\.``; without a column list or CREATE TABLE, ``names`` is filled in
        from the first row (before the scanner's classifier looks at it)."""
        width = len(types)
        for number, raw in self.lines:
            if raw is None:
                self.problems.append(
                    Problem(self.where(number), f"line longer than {self.line_limit} bytes, skipped",
                            "line.too_long", {"limit": self.line_limit})
                )
                continue
            if raw in (b"\\.", b"\\.\r"):
                copy.finished = True
                return
            if not copy.text_format:
                continue
            fields = raw.decode("utf-8", "surrogateescape").split("\t")
            if not width:
                width = len(fields)
                names.extend(f"column_{i}" for i in range(1, width + 1))
                types.extend([""] * width)
            if width and len(fields) != width:
                self.problems.append(
                    Problem(self.where(number), f"COPY row has {len(fields)} fields, expected {width}; skipped",
                            "dump.copy_width", {"fields": len(fields), "expected": width})
                )
                continue
            self.count(copy.table)
            yield f"line {number}", [
                copy_field(field, types[i] if i < width else "") for i, field in enumerate(fields)
            ]
        copy.finished = True
        self.problems.append(
            Problem(self.where(copy.line), "COPY block not terminated by \\. (truncated dump?)",
                    "dump.copy_unterminated")
        )

    def observe(self, statement: _Statement) -> InsertHeader | None:
        """Learn from a non-data statement; return the INSERT header when it is one."""
        text = statement.text
        head = text[:64].lstrip().upper()
        if head.startswith("CREATE"):
            definition = parse_create_table(text)
            if definition is not None:
                self.definitions[definition.name] = definition
            return None
        if head.startswith(("INSERT", "REPLACE")):
            header = parse_insert_header(statement)
            if header is None:
                self.problems.append(Problem(self.where(statement.line), "INSERT statement not understood; skipped",
                                             "dump.insert_not_understood"))
            return header
        if re.match(r"\s*SET\s+standard_conforming_strings\s*=\s*'?off", text, re.I):
            self.backslash = True
            self.splitter.backslash_escapes = True
        elif re.match(r"\s*SET\s+standard_conforming_strings\s*=\s*'?on", text, re.I):
            self.backslash = self.dialect == "mysql"
            self.splitter.backslash_escapes = self.backslash
        return None

    def yields(self) -> Iterator[Yield]:
        while True:
            yield from self._flush()
            statement = self.next_statement()
            if statement is None:
                break
            if isinstance(statement, _CopyStart):
                if not statement.text_format:
                    self.problems.append(
                        Problem(self.where(statement.line),
                                "COPY in CSV/binary format is not read; block skipped",
                                "dump.copy_format")
                    )
                names, types = self.columns_for(statement.table, statement.columns, 0)
                rows = self.copy_rows(statement, names, types)
                if statement.text_format:
                    yield TableRows(statement.table, names, rows, column_types=types)
                yield from self._drain(rows, statement.line)
                continue
            header = self.observe(statement)
            if header is None:
                continue
            first_width = self._first_width(header)
            names, types = self.columns_for(header.table, header.columns, first_width)
            rows = self.insert_rows(header, types)
            yield TableRows(header.table, names, rows, column_types=types)
            yield from self._drain(rows, header.statement.line)
        yield from self._flush()

    def _first_width(self, header: InsertHeader) -> int:
        if header.columns is not None or header.table in self.definitions:
            return len(header.columns or [])
        decoder = ValueDecoder(self.dialect, self.backslash, [])
        try:
            return len(next(decoder.rows(header.statement.text, header.values_at)))
        except (MalformedValues, StopIteration):
            return 0

    def _drain(self, rows: Iterator[Any], line: int) -> Iterator[Problem]:
        left = sum(1 for _ in rows)
        if left:
            self.problems.append(
                Problem(self.where(line), f"{left} rows were not consumed by the scanner",
                        "dump.rows_not_consumed", {"rows": left})
            )
        yield from self._flush()

    def _flush(self) -> Iterator[Problem]:
        while self.problems:
            yield self.problems.pop(0)


@dataclass
class _CopyStart:
    line: int
    table: str
    columns: list[str] | None
    text_format: bool
    finished: bool = False


@register
class SqlDumpReader(SourceReader):
    """mysqldump / MariaDB and pg_dump plain-format dumps, plain or gzipped."""

    NAME = "sql-dump"
    DESCRIPTION = "SQL dumps: MySQL/MariaDB INSERTs and PostgreSQL COPY/INSERT, streamed (.sql, .sql.gz)"
    PRIORITY = 90  # before the log reader: a dump of an upload-log table is still a dump

    def __init__(self, line_limit: int = DEFAULT_LINE_LIMIT) -> None:
        self.line_limit = line_limit

    def claims(self, item: Item, head: bytes) -> bool:
        if item.type == "sql" or _is_sql_gz(item):
            return True
        return item.type == "text" and _looks_like_dump(head)

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        try:
            with open_dump(item) as stream:
                head = stream.read(_DIALECT_SAMPLE)
                dialect = sniff_dialect(head)
                parser = DumpParser(_Prefetched(head, stream), item.locator, dialect, self.line_limit)  # type: ignore[arg-type]
                yield StoreFound("sql-dump", details={"dialect": dialect, "tables": parser.row_counts})
                yield from parser.yields()
                yield StoreFound(
                    "sql-dump", details={"dialect": dialect, "tables": dict(parser.row_counts)}
                )
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
            yield Problem(item.locator, f"dump could not be read to the end: {type(error).__name__}: {error}",
                          "dump.read_stopped", {"error": f"{type(error).__name__}: {error}"})
