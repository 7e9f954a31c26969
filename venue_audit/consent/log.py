"""Loading a venue's consent log into plain records.

The log is evidence like everything else: it is read in place (SQLite through
an immutable read-only URI), and a row we cannot understand becomes a located
problem (``consent.csv row 12: unreadable signed time '3/15'``) while the rest
of the log is still read. Only a file that is not a consent log at all raises
:class:`ConsentLogError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from venue_audit.acquire.items import open_evidence
from venue_audit.acquire.private_copy import private_copy
from venue_audit.consent import headers as header_table
from venue_audit.consent.enrolment import Enrolment, EnrolmentError, read_photo, read_template
from venue_audit.consent.subject_keys import storable
from venue_audit.consent.timestamps import is_blank, parse_timestamp
from venue_audit.errors import UsageError
from venue_audit.user_files import InputFileError, require_regular_file

MAX_HEADER_SCAN = 10
_PURPOSE_SPLIT = re.compile(r"[、,，;；/|]+")
_YES = {"是", "1", "y", "yes", "true", "已撤回", "已撤销", "撤回", "撤销", "withdrawn", "revoked"}
_NO = {"否", "0", "n", "no", "false", "未撤回", "未撤销", "有效", "active"}
_SQLITE_MAGIC = b"SQLite format 3\x00"


class ConsentLogError(UsageError):
    """The file is not a readable consent log (wrong format, corrupt, or no consent columns)."""


@dataclass(frozen=True)
class LogProblem:
    """A located problem in the consent log; ``code`` and ``params`` let the report word it
    in its own language (:mod:`venue_audit.report.reasons`)."""

    locator: str
    message: str
    code: str = ""
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        return f"{self.locator}: {self.message}"


@dataclass
class ConsentRecord:
    """One consent-log row, with its times and purposes understood and its raw columns kept."""

    id: str
    locator: str
    label: str
    keys: dict[str, str]
    columns: dict[str, object]
    signed_at: datetime | None
    withdrawn: bool = False
    withdrawn_at: datetime | None = None
    purposes: frozenset[str] = frozenset()
    purpose_text: str | None = None
    name: str | None = None
    enrolment: Enrolment | None = None

    def to_row(self, source: str) -> dict[str, str | None]:
        """A row for case.db's ``consents`` table; phone and ID numbers only as hashes."""
        kind, key = self.subject() or (None, None)
        return {
            "subject_key": key,
            "key_kind": kind,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "withdrawn_at": (
                self.withdrawn_at.isoformat() if self.withdrawn_at
                else ("unknown" if self.withdrawn else None)
            ),
            "purpose": self.purpose_text,
            "source": source,
            "source_row": self.locator,
        }

    def subject(self) -> tuple[str, str] | None:
        """(key kind, value) to store in case.db; phone and ID numbers only as SHA-256."""
        for kind in header_table.KEY_FIELDS:
            if kind in self.keys:
                return kind, storable(self.keys[kind])
        return None


@dataclass
class ConsentLog:
    path: Path
    format: str
    table: str | None
    headers: list[str]
    fields: dict[str, str]
    records: list[ConsentRecord] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)

    def by_id(self) -> dict[str, ConsentRecord]:
        return {record.id: record for record in self.records}


def split_purposes(text: str) -> frozenset[str]:
    return frozenset(p.strip().casefold() for p in _PURPOSE_SPLIT.split(text) if p.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value).strip()


class _RecordBuilder:
    """Turns (header, row) pairs of any format into records and located problems."""

    def __init__(self, log: ConsentLog, tz: str | tzinfo | None) -> None:
        self.log = log
        self.tz = tz
        self.index = header_table.map_headers(list(log.headers))
        log.fields = {f: log.headers[i] for i, f in self.index.items()}
        self.seen_labels: set[str] = set()

    def add(self, values: list[object], locator: str, short: str) -> None:
        log = self.log
        if all(is_blank(v) for v in values):
            return
        columns = {h: (values[i] if i < len(values) else None) for i, h in enumerate(log.headers)}
        fields = {f: (values[i] if i < len(values) else None) for i, f in self.index.items()}
        problems: list[tuple[str, str, dict[str, object]]] = []  # message, code, params

        keys = {k: _text(fields[k]) for k in header_table.KEY_FIELDS if not is_blank(fields.get(k))}
        signed_at = self._time(fields.get("signed_at"), "signed time", problems, required=True)
        withdrawn, withdrawn_at = self._withdrawal(fields.get("withdrawn_at"), problems)
        purpose_text = None if is_blank(fields.get("purpose")) else _text(fields["purpose"])
        enrolment = self._enrolment(fields, locator, problems)
        if not keys and enrolment is None:
            problems.append(
                (
                    "no subject key (visitor id, phone, ID hash) and no enrolment face",
                    "consent.no_subject",
                    {},
                )
            )

        external = None if is_blank(fields.get("consent_id")) else _text(fields["consent_id"])
        label = external if external and external not in self.seen_labels else locator
        self.seen_labels.add(label)
        record = ConsentRecord(
            id=short,
            locator=locator,
            label=label,
            keys=keys,
            columns=columns,
            signed_at=signed_at,
            withdrawn=withdrawn,
            withdrawn_at=withdrawn_at,
            purposes=split_purposes(purpose_text) if purpose_text else frozenset(),
            purpose_text=purpose_text,
            name=None if is_blank(fields.get("name")) else _text(fields["name"]),
            enrolment=enrolment,
        )
        log.records.append(record)
        log.problems.extend(LogProblem(locator, *problem) for problem in problems)

    def _time(
        self, value: object, what: str, problems: list[tuple[str, str, dict[str, object]]], *,
        required: bool
    ) -> datetime | None:
        if is_blank(value):
            if required:
                problems.append((f"no {what}", f"consent.no_{what.replace(' ', '_')}", {}))
            return None
        parsed = parse_timestamp(value, self.tz)
        if parsed is None:
            shown = repr(_text(value)[:60])
            code = f"consent.unreadable_{what.replace(' ', '_')}"
            problems.append((f"unreadable {what} {shown}", code, {"value": shown}))
        return parsed

    def _withdrawal(
        self, value: object, problems: list[tuple[str, str, dict[str, object]]]
    ) -> tuple[bool, datetime | None]:
        if is_blank(value):
            return False, None
        word = _text(value).casefold()
        if word in _NO:
            return False, None
        if word in _YES:
            return True, None
        parsed = parse_timestamp(value, self.tz)
        if parsed is None:
            # A value in the withdrawal column records that a withdrawal happened even
            # when its time cannot be read, so the row counts as withdrawn.
            shown = repr(_text(value)[:60])
            problems.append(
                (
                    f"unreadable withdrawal time {shown} (counted as withdrawn)",
                    "consent.unreadable_withdrawal",
                    {"value": shown},
                )
            )
        return True, parsed

    def _enrolment(
        self,
        fields: dict[str, object],
        locator: str,
        problems: list[tuple[str, str, dict[str, object]]],
    ) -> Enrolment | None:
        for kind in ("template", "photo"):
            value = fields.get(kind)
            if is_blank(value) or (isinstance(value, list) and not value):
                continue
            source = f"{locator} column {self.log.fields[kind]}"
            try:
                if kind == "template":
                    return read_template(value, source)
                return read_photo(value, source, self.log.path.parent)
            except (EnrolmentError, ValueError) as error:
                problems.append(
                    (
                        f"enrolment {kind} unusable: {error}",
                        f"consent.enrolment_{kind}_unusable",
                        {"error": str(error)},
                    )
                )
            except OSError as error:
                failure = str(error.strerror or error)
                problems.append(
                    (
                        f"enrolment {kind} unreadable: {failure}",
                        f"consent.enrolment_{kind}_unreadable",
                        {"error": failure},
                    )
                )
        return None


def _best_header(rows: list[list[object]]) -> tuple[int, int]:
    """(index of the header row among the first rows, its score)."""
    best, best_score = 0, 0
    for i, row in enumerate(rows[:MAX_HEADER_SCAN]):
        row_score = header_table.score(row)
        if row_score > best_score:
            best, best_score = i, row_score
    return best, best_score


def _require_consent_columns(log: ConsentLog, where: str) -> None:
    fields = set(log.fields)
    if "signed_at" not in fields:
        raise ConsentLogError(f"{where}: no signed-time column among {log.headers[:20]}")


Rows = Iterable[tuple[list[object], str, str]]  # (values, locator, short id)
Zone = str | tzinfo | None


def _finish(log: ConsentLog, rows: Rows, tz: Zone) -> ConsentLog:
    builder = _RecordBuilder(log, tz)
    _require_consent_columns(log, log.path.name)
    for values, locator, short in rows:
        builder.add(values, locator, short)
    return log


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of a UTF-8 (with or without BOM) or GB18030 file; a note when neither fits."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            continue
    note = "not UTF-8 or GB18030; undecodable bytes replaced"
    return data.decode("utf-8", errors="replace"), note


def _delimiter(text: str) -> str:
    """The delimiter under which the first lines hold the most consent-like header.

    Chosen by header recognition rather than csv.Sniffer, which is misled by
    purpose cells such as ``安防;门禁`` on comma-separated logs.
    """
    head = text.splitlines()[:MAX_HEADER_SCAN]
    best, best_score = ",", 0
    for delimiter in (",", "\t", ";", "|"):
        try:
            rows: list[list[object]] = [list(r) for r in csv.reader(head, delimiter=delimiter)]
        except csv.Error:
            continue
        _, found = _best_header(rows)
        if found > best_score:
            best, best_score = delimiter, found
    return best


def _load_csv(path: Path, tz: Zone) -> ConsentLog:
    with open_evidence(path) as handle:
        text, note = _decode(handle.read())
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows: list[list[object]] = [list(row) for row in reader]
    except csv.Error as error:
        raise ConsentLogError(f"{path.name}: not a readable CSV ({error})") from error
    start, _ = _best_header(rows)
    log = ConsentLog(path, "csv", None, [str(h).strip() for h in rows[start]] if rows else [], {})
    if note:
        log.problems.append(LogProblem(path.name, note, "consent.encoding"))
    if not rows:
        raise ConsentLogError(f"{path.name}: empty file")
    data = (
        (row, f"{path.name} row {n}", f"{path.name}:{n}")
        for n, row in enumerate(rows[start + 1:], start=start + 2)
    )
    return _finish(log, data, tz)


# --- XLSX ----------------------------------------------------------------------------------------


def _load_xlsx(path: Path, tz: Zone) -> ConsentLog:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - dependency missing
        raise ConsentLogError("reading .xlsx needs openpyxl") from error
    with open_evidence(path) as handle:
        return _read_workbook(openpyxl, handle, path, tz)


def _read_workbook(openpyxl: Any, handle: BinaryIO, path: Path, tz: Zone) -> ConsentLog:
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types on hostile workbooks
        raise ConsentLogError(f"{path.name}: not a readable XLSX workbook ({error})") from error
    try:
        best: tuple[int, str, int, list[list[object]]] | None = None
        for sheet in book.worksheets:
            head = [list(r) for r in sheet.iter_rows(max_row=MAX_HEADER_SCAN, values_only=True)]
            start, sheet_score = _best_header(head)
            if head and (best is None or sheet_score > best[0]):
                best = (sheet_score, sheet.title, start, head)
        if best is None:
            raise ConsentLogError(f"{path.name}: workbook has no rows")
        _, title, start, head = best
        header = ["" if h is None else str(h).strip() for h in head[start]]
        log = ConsentLog(path, "xlsx", title, header, {})
        rows = (
            (list(r), f"{path.name} sheet {title} row {n}", f"{path.name}:{title}:{n}")
            for n, r in enumerate(
                book[title].iter_rows(min_row=start + 2, values_only=True), start=start + 2
            )
        )
        return _finish(log, rows, tz)
    except ConsentLogError:
        raise
    except Exception as error:  # malformed sheet XML, bad cell types, truncated members
        raise ConsentLogError(f"{path.name}: workbook unreadable ({error})") from error
    finally:
        book.close()


# --- JSON ----------------------------------------------------------------------------------------

_RECORD_LISTS = ("records", "data", "items", "rows", "consents", "list", "result")


def _json_rows(document: object) -> list[object] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _RECORD_LISTS:
            if isinstance(document.get(key), list):
                return document[key]
        lists = [v for v in document.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
        for value in document.values():
            if isinstance(value, dict):
                nested = _json_rows(value)
                if nested is not None:
                    return nested
    return None


def _load_json(path: Path, tz: Zone) -> ConsentLog:
    with open_evidence(path) as handle:
        text, _ = _decode(handle.read())
    try:
        document: object = json.loads(text)
    except RecursionError as error:
        raise ConsentLogError(f"{path.name}: JSON nested too deeply") from error
    except ValueError:
        try:  # JSON Lines
            document = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (ValueError, RecursionError) as error:
            raise ConsentLogError(f"{path.name}: not valid JSON ({error})") from error
    items = _json_rows(document)
    if items is None:
        raise ConsentLogError(f"{path.name}: no list of consent records found")
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            headers.update(dict.fromkeys(str(k) for k in item))
    log = ConsentLog(path, "json", None, list(headers), {})
    bad = [n for n, item in enumerate(items, start=1) if not isinstance(item, dict)]
    log.problems.extend(
        LogProblem(f"{path.name} record {n}", "not an object", "consent.not_an_object") for n in bad
    )
    rows = (
        ([item.get(h) for h in log.headers], f"{path.name} record {n}", f"{path.name}:{n}")
        for n, item in enumerate(items, start=1)
        if isinstance(item, dict)
    )
    return _finish(log, rows, tz)


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_text(data: bytes) -> str:
    """TEXT values as stored: vendor systems sometimes write GB18030 into UTF-8 databases."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _until_corrupt(
    rows: Rows, log: ConsentLog, where: str
) -> Iterator[tuple[list[object], str, str]]:
    """Rows up to a corrupt page; what was read is kept and the break is a located problem."""
    count = 0
    try:
        for row in rows:
            count += 1
            yield row
    except (sqlite3.Error, UnicodeDecodeError) as error:
        log.problems.append(
            LogProblem(
                where,
                f"reading stopped after {count} rows: {error!r:.120}",
                "consent.reading_stopped",
                {"rows": count, "error": f"{error!r:.120}"},
            )
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load_sqlite(path: Path, tz: Zone) -> ConsentLog:
    # SQLite opens files by name, moving the register's access time: it reads a private copy.
    with private_copy(path, "consent.sqlite") as copy:
        return _read_sqlite(copy, path, tz)


def _read_sqlite(copy: Path, path: Path, tz: Zone) -> ConsentLog:
    try:
        connection = sqlite3.connect(f"{copy.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise ConsentLogError(f"{path.name}: cannot open SQLite ({error})") from error
    connection.text_factory = _sqlite_text
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        best: tuple[int, str, list[str]] | None = None
        for table in tables:
            columns = [r[1] for r in connection.execute(f"PRAGMA table_info({_quote(table)})")]
            table_score = header_table.score(list(columns))
            if best is None or table_score > best[0]:
                best = (table_score, table, columns)
        if best is None or best[0] == 0:
            raise ConsentLogError(f"{path.name}: no table looks like a consent log")
        _, table, columns = best
        log = ConsentLog(path, "sqlite", table, columns, {})
        selected = ", ".join(_quote(c) for c in columns)
        try:
            cursor = connection.execute(f"SELECT rowid, {selected} FROM {_quote(table)}")
            rows: Iterator[tuple[list[object], str, str]] = (
                (
                    list(r[1:]),
                    f"{path.name} table {table} rowid {r[0]}",
                    f"{path.name}:{table}:{r[0]}",
                )
                for r in cursor
            )
        except sqlite3.OperationalError:  # WITHOUT ROWID table
            cursor = connection.execute(f"SELECT {selected} FROM {_quote(table)}")
            rows = (
                (list(r), f"{path.name} table {table} row {n}", f"{path.name}:{table}:{n}")
                for n, r in enumerate(cursor, start=1)
            )
        return _finish(log, _until_corrupt(rows, log, f"{path.name} table {table}"), tz)
    except (sqlite3.Error, UnicodeDecodeError) as error:
        # A corrupt schema can even yield an error message that is not UTF-8.
        raise ConsentLogError(f"{path.name}: SQLite unreadable ({error!r:.200})") from error
    finally:
        connection.close()


# --- entry point ---------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """csv, xlsx, json or sqlite, by magic bytes first and extension second."""
    with open_evidence(path) as handle:
        head = handle.read(64)
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    suffix = path.suffix.lower()
    if suffix in {".json", ".jsonl"} or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in {b"[", b"{"}:
        return "json"
    if suffix in {".xls"}:
        raise ConsentLogError(f"{path.name}: legacy .xls is not supported; save as .xlsx or .csv")
    return "csv"


_LOADERS = {"csv": _load_csv, "xlsx": _load_xlsx, "json": _load_json, "sqlite": _load_sqlite}


def load_consent_log(path: Path, tz: str | tzinfo | None = None) -> ConsentLog:
    """Read a consent log (CSV, XLSX, JSON or SQLite); naive times are in ``tz``.

    ``tz`` defaults to Asia/Shanghai, the usual case time zone.
    """
    try:
        path = require_regular_file(Path(path), "consent register")
    except InputFileError as error:
        raise ConsentLogError(str(error)) from error
    try:
        kind = detect_format(path)
        return _LOADERS[kind](path, tz)
    except OSError as error:
        raise ConsentLogError(f"{path.name}: cannot read ({error.strerror or error})") from error
