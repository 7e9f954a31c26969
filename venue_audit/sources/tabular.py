"""Tabular exports (CSV/TSV, JSON, JSONL, XML): records become rows for the column classifier.

Access-control and visitor systems export their people and captures as
spreadsheets or API dumps, with photos and templates as base64 text. These
readers only split records into named columns; the values stay strings (JSON
numbers and lists stay numbers and lists) because the classifier decides
what a string decodes to. Every reader streams: rows are produced lazily and
problems met while rows are consumed are reported by the reader right after
its ``TableRows`` (the scanner consumes each table's rows before asking for
the next yield).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import xml.parsers.expat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
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
from venue_audit.sources.text_encoding import LineDecoder, line_wise, sniff_encoding

DEFAULT_LINE_LIMIT = 256 << 20
DEFAULT_FIELD_LIMIT = 256 << 20
DEFAULT_MAX_COLUMNS = 4096
DEFAULT_JSON_BYTES = 256 << 20
MAX_NESTING = 64
_CHUNK = 1 << 20
_SNIFF_BYTES = 64 << 10


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line without its newline)``; ``None`` for a line longer than ``limit``.

    Reads in chunks, so an over-long line (a 2 GB blob written on one line)
    is skipped while scanning for its newline instead of being held whole.
    """
    pending = bytearray()
    number = 0
    skipping = False
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                if not skipping:
                    pending += chunk[start:]
                    if len(pending) > limit:
                        pending = bytearray()
                        skipping = True
                break
            number += 1
            if skipping:
                skipping = False
                yield number, None
            elif pending:
                pending += chunk[start:newline]
                line = bytes(pending)
                pending = bytearray()
                yield number, (line if len(line) <= limit else None)
            else:
                yield number, (chunk[start:newline] if newline - start <= limit else None)
            start = newline + 1
    if pending or skipping:
        yield number + 1, None if skipping else bytes(pending)


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line


# --- encodings -------------------------------------------------------------------------------


def _text_lines(
    stream: BinaryIO, encoding: str, locator: str, problems: list[Problem], decoder: LineDecoder
) -> Iterator[str]:
    """Decoded lines for the csv module, each line in its own encoding (UTF-16: the file's).

    A line over the line limit comes out empty (the csv module skips blank lines, and
    the line numbers stay right) and is reported.
    """
    if not line_wise(encoding):
        yield from io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        return
    replaced: list[int] = []
    for number, line in bounded_lines(stream, DEFAULT_LINE_LIMIT):
        if line is None:
            problems.append(
                Problem(f"{locator} line {number}", f"line longer than {DEFAULT_LINE_LIMIT} bytes, skipped")
            )
            yield "\n"
            continue
        text, lossy = decoder.decode(line)
        if lossy:
            replaced.append(number)
        yield text + "\n"
    if replaced:
        shown = ", ".join(map(str, replaced[:20])) + (" …" if len(replaced) > 20 else "")
        problems.append(
            Problem(
                locator,
                f"{len(replaced)} line(s) in no encoding found, read with undecodable bytes "
                f"replaced: lines {shown}",
            )
        )


def _read_head(item: Item, size: int = _SNIFF_BYTES) -> bytes:
    with item.open() as stream:
        return stream.read(size)


def _stem(item: Item) -> str:
    return PurePosixPath(item.name).stem or item.name


# --- CSV / TSV -------------------------------------------------------------------------------


def sniff_delimiter(sample: str, default: str) -> str:
    """The separator that splits the header line most often (quotes respected)."""
    first = sample.split("\n", 1)[0]
    best, best_count = default, 0
    for candidate in (default, ",", "\t", ";", "|"):
        try:
            fields = next(csv.reader([first], delimiter=candidate))
        except (csv.Error, StopIteration):
            continue
        if len(fields) - 1 > best_count:
            best, best_count = candidate, len(fields) - 1
    return best


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's field limit is process-wide: set ours while reading, then put it back."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for position, raw in enumerate(names, 1):
        name = raw.strip() or f"column_{position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


@register
class DelimitedTextReader(SourceReader):
    """CSV and TSV exports: first row is the header; UTF-8, UTF-8-BOM, UTF-16 or GB18030."""

    NAME = "csv"
    DESCRIPTION = "CSV / TSV exports (header row, sniffed encoding and delimiter)"

    def __init__(
        self, field_limit: int = DEFAULT_FIELD_LIMIT, max_columns: int = DEFAULT_MAX_COLUMNS
    ) -> None:
        self.field_limit = field_limit
        self.max_columns = max_columns

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in ("csv", "tsv")

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        head = _read_head(item)
        problems: list[Problem] = []
        encoding = sniff_encoding(head)
        decoder = LineDecoder(encoding)
        with item.open() as raw, _field_limit(self.field_limit):
            text = _text_lines(raw, encoding, item.locator, problems, decoder)
            sample = head.decode(encoding, errors="replace").lstrip("\ufeff")
            delimiter = sniff_delimiter(sample, "\t" if item.type == "tsv" else ",")
            rows = csv.reader(text, delimiter=delimiter)
            header = self._next_row(rows, item, problems)
            details = {"encoding": encoding, "delimiter": delimiter}
            yield StoreFound(item.type, details=details)
            if header is None:
                yield from problems
                yield Problem(item.locator, "no header row: empty or unreadable file")
                return
            header[0] = header[0].lstrip("\ufeff")
            if len(header) > self.max_columns:
                problems.append(
                    Problem(
                        f"{item.locator} line 1",
                        f"{len(header)} columns; only the first {self.max_columns} were read",
                    )
                )
            columns = _unique_names(header[: self.max_columns])
            yield from problems
            problems.clear()
            yield TableRows(_stem(item), columns, self._rows(rows, item, len(columns), problems))
            yield from problems
            if len(decoder.used) > 1:  # rows in more than one encoding: say which, how many
                yield StoreFound(item.type, details={**details, "line_encodings": dict(decoder.used)})

    def _next_row(self, rows: Any, item: Item, problems: list[Problem]) -> list[str] | None:
        """The header: the first non-blank row."""
        try:
            row: list[str] = []
            while not row:
                row = next(rows)
            return row
        except StopIteration:
            return None
        except (csv.Error, OSError) as error:
            problems.append(Problem(f"{item.locator} line {rows.line_num}", f"CSV: {error}"))
            return None

    def _rows(
        self, rows: Any, item: Item, width: int, problems: list[Problem]
    ) -> Iterator[tuple[str, list[Any]]]:
        with _field_limit(self.field_limit):
            yield from self._limited_rows(rows, item, width, problems)

    def _limited_rows(
        self, rows: Any, item: Item, width: int, problems: list[Problem]
    ) -> Iterator[tuple[str, list[Any]]]:
        wide_rows = 0
        while True:
            start = rows.line_num + 1
            try:
                row = next(rows)
            except StopIteration:
                break
            except (OSError, EOFError) as error:
                problems.append(Problem(f"{item.locator} line {start}", f"read failed: {error}"))
                break
            except csv.Error as error:
                problems.append(
                    Problem(f"{item.locator} line {start}", f"CSV: {error}; row skipped")
                )
                if len(problems) > 1000:
                    problems.append(Problem(item.locator, "too many CSV errors; reading stopped"))
                    break
                continue
            if not row:
                continue
            if len(row) > self.max_columns:
                wide_rows += 1
                row = row[: self.max_columns]
            if len(row) < width:
                row = row + [None] * (width - len(row))
            yield f"line {start}", row
        if wide_rows:
            problems.append(
                Problem(
                    item.locator,
                    f"{wide_rows} rows had more than {self.max_columns} columns; the rest were dropped",
                )
            )


# --- JSON ------------------------------------------------------------------------------------


def flatten(record: dict[str, Any], max_depth: int = MAX_NESTING) -> tuple[dict[str, Any], bool]:
    """Nested objects as dotted keys (``person.face.img``); True when the depth cap cut something.

    Iterative, so a hostile object nested 100,000 levels deep costs no stack.
    An object below the cap is replaced by a marker and reported.
    """
    flat: dict[str, Any] = {}
    cut = False
    stack: list[tuple[str, Any, int]] = [("", record, 0)]
    while stack:
        prefix, value, depth = stack.pop()
        if isinstance(value, dict) and value and depth < max_depth:
            for key, inner in reversed(list(value.items())):
                stack.append((f"{prefix}.{key}" if prefix else str(key), inner, depth + 1))
        elif isinstance(value, dict) and depth >= max_depth:
            cut = True
            flat[prefix] = "<nested too deep>"
        else:
            flat[prefix or "value"] = value
    return flat, cut


_TOO_DEEP = "JSON nested deeper than the parser's recursion limit: not parsed"
"""json's C decoder raises RecursionError cleanly (no stack overflow) on hostile nesting."""


def _record_lists(document: Any, max_depth: int = 4) -> list[tuple[str, list[Any]]]:
    """Where the records are: the top-level list, or lists of objects under keys (``data.list``)."""
    if isinstance(document, list):
        return [("", document)]
    found: list[tuple[str, list[Any]]] = []
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if not isinstance(value, dict) or depth >= max_depth:
            continue
        for key, inner in value.items():
            inner_path = f"{path}.{key}" if path else str(key)
            if isinstance(inner, list) and inner and any(isinstance(x, dict) for x in inner):
                found.append((inner_path, inner))
            elif isinstance(inner, dict):
                stack.append((inner_path, inner, depth + 1))
    return sorted(found, key=lambda pair: pair[0])


def records_table(
    name: str, records: Iterator[tuple[str, Any]], problems: list[Problem], locator: str
) -> TableRows:
    """A table whose columns are the union of the (flattened) keys of the first records.

    Columns are fixed from up to 1,000 leading records; later keys never seen
    there are reported once instead of silently dropped.
    """
    head: list[tuple[str, dict[str, Any]]] = []
    columns: dict[str, None] = {}
    iterator = iter(records)
    for row_locator, record in iterator:
        flat = _flat_record(record, problems, f"{locator} {row_locator}")
        head.append((row_locator, flat))
        columns.update(dict.fromkeys(flat))
        if len(head) >= 1000:
            break
    names = list(columns)
    if len(names) > DEFAULT_MAX_COLUMNS:
        problems.append(Problem(
            locator, f"table {name}: {len(names)} keys; only the first {DEFAULT_MAX_COLUMNS} were read"))
        names = names[:DEFAULT_MAX_COLUMNS]

    def rows() -> Iterator[tuple[str, list[Any]]]:
        unknown: set[str] = set()
        for row_locator, flat in head:
            yield row_locator, [flat.get(name) for name in names]
        for row_locator, record in iterator:
            flat = _flat_record(record, problems, f"{locator} {row_locator}")
            unknown.update(key for key in flat if key not in columns)
            yield row_locator, [flat.get(name) for name in names]
        if unknown:
            problems.append(
                Problem(
                    locator,
                    f"table {name}: keys first seen after record 1000 not read: {sorted(unknown)[:20]}",
                )
            )

    return TableRows(name, names, rows())


def _flat_record(record: Any, problems: list[Problem], locator: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        return {"value": record}
    flat, cut = flatten(record)
    if cut:
        problems.append(Problem(locator, f"objects nested deeper than {MAX_NESTING} levels were not read"))
    return flat


def array_elements(
    stream: BinaryIO, encoding: str, max_element: int, problems: list[Problem], locator: str
) -> Iterator[Any]:
    """The elements of a top-level JSON array, one at a time, without holding the whole document.

    Each element is parsed with ``raw_decode`` once enough text is buffered;
    the buffer doubles before a retry, so a large element costs linear time.
    """
    decoder = json.JSONDecoder(parse_int=json_int)
    incremental = codecs.getincrementaldecoder(encoding)(errors="replace")
    buffer = ""
    position = 0
    exhausted = False
    started = False

    def more(minimum: int) -> bool:
        nonlocal buffer, position, exhausted
        if exhausted:
            return False
        buffer = buffer[position:]
        position = 0
        target = len(buffer) + max(minimum, _CHUNK)
        while len(buffer) < target:
            chunk = stream.read(_CHUNK)
            if not chunk:
                buffer += incremental.decode(b"", final=True)
                exhausted = True
                break
            buffer += incremental.decode(chunk)
        return True

    def skip_space() -> bool:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n\ufeff":
                position += 1
            if position < len(buffer):
                return True
            if not more(0):
                return False

    try:
        while True:
            if not skip_space():
                problems.append(Problem(locator, "JSON array not closed (file truncated?)"))
                return
            char = buffer[position]
            if not started:
                started = True
                position += 1
                continue
            if char == "]":
                return
            if char == ",":
                position += 1
                continue
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, position)
                    if end < len(buffer) or exhausted or not more(0):
                        break  # a number at the very end of the buffer may continue
                    continue
                except json.JSONDecodeError as error:
                    if len(buffer) - position > max_element:
                        problems.append(Problem(locator, f"array element over {max_element} bytes; reading stopped"))
                        return
                    if not more(len(buffer) - position):
                        problems.append(Problem(locator, f"not valid JSON: {error}"))
                        return
            size, position = end - position, end
            if size > max_element:
                problems.append(Problem(locator, f"array element of {size} characters is over {max_element}: skipped"))
                continue
            yield value
    except RecursionError:
        problems.append(Problem(locator, _TOO_DEEP))
    except (OSError, EOFError) as error:
        problems.append(Problem(locator, f"read failed: {error}"))


_MAX_INT_DIGITS = 4000  # Python refuses to parse longer integers (CVE-2020-10735)


def json_int(digits: str) -> int | str:
    """A JSON integer; one too long for Python stays text instead of failing the whole file."""
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


def _salvage(text: str, error: ValueError, item: Item) -> Iterator[Yield]:
    """Records of the first list in a JSON object that does not parse to its end.

    A truncated or corrupted export still holds every record before the damage.
    """
    where = f"{item.locator}"
    start = text.find("[")
    if start < 0:
        yield Problem(where, f"not valid JSON: {error}")
        return
    problems: list[Problem] = []
    stream = io.BytesIO(text[start:].encode("utf-8"))
    elements = array_elements(stream, "utf-8", DEFAULT_JSON_BYTES, problems, where)
    numbered = [(f"record {i}", r) for i, r in enumerate(elements, 1)]
    yield Problem(
        where,
        f"not valid JSON: {error}; {len(numbered)} record(s) of its first list read up to the damage",
    )
    if numbered:
        yield records_table(_stem(item), iter(numbered), [], item.locator)


@register
class JsonReader(SourceReader):
    """A JSON document: a list of records, or an object holding lists of records under keys."""

    NAME = "json"
    DESCRIPTION = "JSON exports (records flattened with dotted names)"

    def __init__(self, max_bytes: int = DEFAULT_JSON_BYTES) -> None:
        self.max_bytes = max_bytes

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "json"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        head = _read_head(item)
        encoding = sniff_encoding(head)
        if head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n").startswith("["):
            yield StoreFound("json", details={"streamed": True})
            problems: list[Problem] = []
            with item.open() as stream:
                elements = array_elements(stream, encoding, self.max_bytes, problems, item.locator)
                numbered = ((f"record {i}", r) for i, r in enumerate(elements, 1))
                yield records_table(_stem(item), numbered, problems, item.locator)
                yield from problems
            return
        yield StoreFound("json", details={})
        if item.size > self.max_bytes:
            yield Problem(
                item.locator,
                f"JSON object of {item.size} bytes is larger than {self.max_bytes}: not parsed "
                "(only top-level arrays are streamed)",
            )
            return
        data = item.read()
        text = data.decode(sniff_encoding(data[:_SNIFF_BYTES]), errors="replace").lstrip("\ufeff")
        try:
            document = json.loads(text, parse_int=json_int)
        except RecursionError:
            yield Problem(item.locator, _TOO_DEEP)
            return
        except ValueError as error:
            yield from _salvage(text, error, item)
            return
        del text, data
        problems: list[Problem] = []
        lists = _record_lists(document)
        if not lists:
            lists = [("", [document])]
        for path, records in lists:
            name = f"{_stem(item)}.{path}" if path else _stem(item)
            numbered = ((f"record {i}" if not path else f"{path}[{i - 1}]", r)
                        for i, r in enumerate(records, 1))
            yield records_table(name, numbered, problems, item.locator)
            yield from problems
            problems.clear()


@register
class JsonLinesReader(SourceReader):
    """One JSON object per line (log shippers, API exports)."""

    NAME = "jsonl"
    DESCRIPTION = "JSON Lines exports"

    def __init__(self, line_limit: int = DEFAULT_LINE_LIMIT) -> None:
        self.line_limit = line_limit

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "jsonl"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        yield StoreFound("jsonl", details={})
        problems: list[Problem] = []
        with item.open() as stream:

            def records() -> Iterator[tuple[str, Any]]:
                for number, line in bounded_lines(stream, self.line_limit):
                    where = f"{item.locator} line {number}"
                    if line is None:
                        problems.append(
                            Problem(where, f"line longer than {self.line_limit} bytes, skipped")
                        )
                        continue
                    if not line.strip():
                        continue
                    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
                    try:
                        record = json.loads(text, parse_int=json_int)
                    except RecursionError:
                        problems.append(Problem(where, _TOO_DEEP))
                        continue
                    except ValueError as error:
                        problems.append(Problem(where, f"not valid JSON: {error}"))
                        continue
                    yield f"line {number}", record

            yield records_table(_stem(item), records(), problems, item.locator)
            yield from problems


# --- XML -------------------------------------------------------------------------------------


class UnsafeXml(ValueError):
    """The document declares a DTD or entities (billion laughs, external entities)."""


def _safe_expat(encoding: str | None = None) -> Any:
    parser = xml.parsers.expat.ParserCreate(encoding)

    def refuse(*_: Any) -> None:
        raise UnsafeXml("document type or entity declarations are refused")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _feed(
    stream: BinaryIO,
    on_start: Callable[[str, dict[str, str]], None],
    on_end: Callable[[str], None],
    on_text: Callable[[str], None],
    stop_after: int | None = None,
    encoding: str | None = None,
) -> Iterator[None]:
    """Parse a stream chunk by chunk, yielding after each chunk so callers can drain records."""
    parser = _safe_expat(encoding)
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    parser.buffer_text = True
    read = 0
    while True:
        chunk = stream.read(_CHUNK)
        read += len(chunk)
        parser.Parse(chunk, not chunk)
        yield None
        if not chunk or (stop_after is not None and read >= stop_after):
            return


_EXPAT_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf16", "iso-8859-1", "latin-1",
                              "latin1", "us-ascii", "ascii"})
_XML_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']")


class _ToUtf8:
    """A byte stream re-encoded to UTF-8 on the fly (expat knows no GB2312/GBK/GB18030)."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int) -> bytes:
        chunk = self.raw.read(size)
        return self.decoder.decode(chunk, final=not chunk).encode("utf-8")


@contextmanager
def xml_stream(item: Item) -> Iterator[tuple[BinaryIO, str | None]]:
    """The document's bytes, and the encoding to force on expat when they had to be re-encoded."""
    head = _read_head(item, 4096)
    declared = _XML_DECLARED.search(head)
    name = declared[1].decode("ascii").lower() if declared else None
    if name is None and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sniffed = sniff_encoding(head)
        name = None if sniffed.startswith("utf-8") else sniffed
    with item.open() as raw:
        if name is None or name in _EXPAT_ENCODINGS:
            yield raw, None
            return
        try:
            codecs.lookup(name)
        except LookupError:
            name = "gb18030" if name.startswith("gb") else "latin-1"
        yield _ToUtf8(raw, name), "UTF-8"  # type: ignore[misc]


def record_path(stream: BinaryIO, encoding: str | None = None) -> tuple[str, ...]:
    """The element path of the records: the shallowest path that repeats (first 4 MiB)."""
    counts: dict[tuple[str, ...], int] = {}
    path: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        path.append(name)
        key = tuple(path)
        counts[key] = counts.get(key, 0) + 1

    def end(_name: str) -> None:
        path.pop()

    try:
        for _ in _feed(stream, start, end, lambda _t: None, 4 << 20, encoding):
            pass
    except xml.parsers.expat.ExpatError:
        pass  # a truncated sample is fine for choosing the record path
    repeated = [key for key, count in counts.items() if count > 1 and len(key) > 1]
    if repeated:
        return min(repeated, key=lambda key: (len(key), -counts[key]))
    return next(iter(counts)) if counts else ()  # nothing repeats: the root is the one record


@register
class XmlReader(SourceReader):
    """XML exports: repeated elements are records, their attributes and sub-elements columns.

    DTDs and entity declarations are refused before anything is expanded, so
    a billion-laughs or external-entity document costs nothing.
    """

    NAME = "xml"
    DESCRIPTION = "XML exports (repeated elements as records; DTD/entities refused)"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "xml"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        try:
            with xml_stream(item) as (stream, encoding):
                target = record_path(stream, encoding)
        except UnsafeXml as error:
            yield StoreFound("xml", details={})
            yield Problem(item.locator, f"XML not parsed: {error}")
            return
        yield StoreFound("xml", details={"record": "/".join(target)})
        if not target:
            yield Problem(item.locator, "no elements found")
            return
        problems: list[Problem] = []
        with xml_stream(item) as (stream, encoding):
            records = self._records(stream, encoding, target, problems, item)
            yield records_table(target[-1], records, problems, item.locator)
            yield from problems

    def _records(
        self,
        stream: BinaryIO,
        encoding: str | None,
        target: tuple[str, ...],
        problems: list[Problem],
        item: Item,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        path: list[str] = []
        ready: list[tuple[str, dict[str, Any]]] = []
        current: dict[str, Any] | None = None
        inner: list[str] = []
        has_children: list[bool] = []
        text: list[str] = []
        count = 0
        depth = len(target)

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal current
            path.append(name)
            if current is None and tuple(path) == target:
                current = {}
                inner.clear()
                has_children.clear()
                for key, value in attrs.items():
                    current[key] = value
            elif current is not None:
                if has_children:
                    has_children[-1] = True
                has_children.append(False)
                inner.append(name)
                prefix = ".".join(inner)
                for key, value in attrs.items():
                    current.setdefault(f"{prefix}.{key}", value)
            text.clear()

        def end(name: str) -> None:
            nonlocal current, count
            if current is not None:
                if len(path) == depth:
                    count += 1
                    ready.append((f"record {count}", current))
                    current = None
                else:
                    value = "".join(text).strip()
                    key = ".".join(inner)
                    container = has_children.pop()
                    if container and not value:
                        pass  # a wrapper: its children are the columns
                    elif value or key not in current:
                        existing = current.get(key)
                        if key in current and existing not in (None, ""):
                            current[key] = (
                                [*existing, value] if isinstance(existing, list) else [existing, value]
                            )
                        else:
                            current[key] = value
                    inner.pop()
            text.clear()
            path.pop()

        def on_text(data: str) -> None:
            if current is not None:
                text.append(data)

        try:
            for _ in _feed(stream, start, end, on_text, encoding=encoding):
                yield from ready
                ready.clear()
        except (xml.parsers.expat.ExpatError, UnsafeXml) as error:
            yield from ready
            problems.append(
                Problem(f"{item.locator} line {getattr(error, 'lineno', '?')}", f"XML: {error}")
            )
