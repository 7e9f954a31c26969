"""Server and device logs: when face data was packed, sent away or deleted, and ADMS push records.

A venue's server that packs the day's captures, uploads them and deletes
the local copies leaves that routine in its logs (cron output, shell
history, uploader logs), often in Chinese. Each line that names face data
and an action becomes a timeline event with its time, count, files and
remote host, so the report can show the daily pattern. Lines about anything
else are ignored, and a text file is claimed only when such lines are there.

ZKTeco ADMS push logs (formats.md §7a) hold records, not events: ``BIOPHOTO
PIN=…\tContent=<base64 JPEG>``, ``BIODATA … Tmp=<base64>``. Those lines
become one table per record type for the column classifier.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from venue_audit.sources.base import (
    Item,
    LogEvent,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    TableRows,
    Yield,
)
from venue_audit.sources.event_lines import decode_line as _decode
from venue_audit.sources.registry import register
from venue_audit.sources.tabular import bounded_lines

DEFAULT_LINE_LIMIT = 64 << 20
EVENT_TEXT = 500
_PEEK = 64 << 10

# --- what a line is about --------------------------------------------------------------------

FACE_DATA = re.compile(
    r"face|facial|capture|snapshot|snap_|portrait|biophoto|photos?\b|抓拍|人脸|人像|头像|面部|照片|图片|"
    r"\.(?:jpe?g|png|bmp|webp|zip|tar|tgz|7z|rar)\b",
    re.I,
)
_WORD_START = r"(?<![\w./-])"
_WORD_END = r"(?![\w.])"
ACTIONS: dict[str, re.Pattern[str]] = {
    "pack": re.compile(
        r"\b(?:pack(?:ed|ing|s)?|zipped|zipping|tarred|compress(?:ed|ing)?|archiv(?:ed|ing))\b|"
        rf"{_WORD_START}(?:zip|tar|gzip|7za?|rar){_WORD_END}|打包|压缩|归档",
        re.I,
    ),
    "upload": re.compile(
        r"\bupload(?:ed|ing|s)?\b|\btransferr?(?:ed|ing)?\b|\bsynced\b|\bsent\s+to\b|"
        rf"{_WORD_START}(?:scp|rsync|sftp|lftp|rclone|ossutil(?:64)?|coscmd|obsutil|qshell){_WORD_END}|"
        r"\bcurl\b[^\n]*?(?:\s-T\b|--upload-file|\s-F\b|--form\b|-X\s*(?:PUT|POST)\b|--data-binary)|"
        r"\baws\s+s3\s+(?:cp|sync|mv)\b|\bmc\s+cp\b|\b(?:PUT|POST)\s+(?:https?|ftp)://|"
        r"上传|传输|推送|同步|外发",
        re.I,
    ),
    "download": re.compile(r"\bdownload(?:ed|ing|s)?\b|\bwget\b|下载|拉取", re.I),
    "delete": re.compile(
        rf"{_WORD_START}rm{_WORD_END}|\bdelet(?:e|ed|es|ing)\b|\bremov(?:e|ed|es|ing)\b|"
        r"\bpurg(?:e|ed|es|ing)\b|\bunlink(?:ed)?\b|\bshred(?:ded)?\b|\bwiped?\b|"
        r"\bcleaned\s+up\b|删除|清理|清除|清空|移除",
        re.I,
    ),
}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_ISO = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[T\s_]+(\d{1,2}):(\d{2}):(\d{2})"
    r"(?:[.,](\d{1,6}))?(?:\s*(Z|[+-]\d{2}:?\d{2})(?!\d))?"
)
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：时](\d{2})[:：分](\d{2})")
_SYSLOG = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\b"
)
_APACHE = re.compile(
    r"\[(\d{1,2})/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/(\d{4}):(\d{2}):(\d{2}):(\d{2})"
    r"(?:\s*([+-]\d{4}))?\]"
)
_LEADING_DATE = re.compile(r"^\W{0,2}(\d{4})-(\d{2})-(\d{2})\b")

_COUNT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)\s*(?:face|facial|images?|files?|photos?|pictures?|pics?|"
    r"captures?|snapshots?|records?|jpe?gs?|张|个文件|个|条|份|幅)",
    re.I,
)
_COUNT_LABEL = re.compile(
    r"(?:共|总计|合计|数量[:：]?|total[:=]?|count[:=]|files?[:=]|number of (?:regular )?files"
    r"(?: transferred)?:)\s*(\d{1,3}(?:,\d{3})+|\d+)",
    re.I,
)
_TOKEN_SPLIT = re.compile(r"[\s'\"<>(),;，。：、“”]+")
_FILE_SUFFIX = re.compile(
    r"\.(?:jpe?g|png|bmp|webp|gif|zip|tar\.gz|tgz|tar|7z|rar|gz|dat|bin|db|sqlite|sql|csv|json|npy|"
    r"pkl|pickle)$",
    re.I,
)
_PATH_START = re.compile(r"^(?:/|~/|\.{1,2}/|[A-Za-z]:\\)")
_FACE_WORD = re.compile(r"face|capture|snap|抓拍|人脸", re.I)
ANALYSED_CHARS = 4096
_REMOTES = (
    re.compile(r"\b(?:https?|ftps?|sftp|s3|oss|cos|obs|gs|smb|rsync|webdav)://[^\s'\"<>]+", re.I),
    re.compile(r"\b[\w.-]+@[\w.-]+:[^\s'\"]*"),
    re.compile(r"\b[\w-]+(?:\.[\w-]+)+::[\w/.-]*"),
    re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?![\d.])"),
    re.compile(r"\b(?:host(?:name)?|server|remote|dest(?:ination)?|目标|服务器)\s*[=:：]\s*([\w.-]+)", re.I),
)
_ADMS = re.compile(
    r"\b(?P<type>USER|FACE|BIODATA|BIOPHOTO|USERPIC|FINGERTMP|FVEIN|ATTPHOTO)\s+"
    r"(?P<fields>[A-Za-z]\w*=[^\t]*(?:\t[A-Za-z]\w*=[^\t]*)*)$"
)


@dataclass
class _Summary:
    """What the report shows of a log at a glance: actions, days, time span, remote hosts."""

    actions: Counter[str] = field(default_factory=Counter)
    days: set[str] = field(default_factory=set)
    first: str | None = None
    last: str | None = None
    remotes: Counter[str] = field(default_factory=Counter)

    def add(self, event: LineEvent) -> None:
        self.actions[event.action] += 1
        if event.at:
            self.days.add(event.at[:10])
            self.first = min(self.first or event.at, event.at)
            self.last = max(self.last or event.at, event.at)
        if event.remote:
            self.remotes[event.remote] += 1

    def details(self, record_types: dict[str, dict[str, None]]) -> dict[str, object]:
        return {
            "events": dict(self.actions),
            "days_with_events": len(self.days),
            "first": self.first,
            "last": self.last,
            "remotes": [remote for remote, _ in self.remotes.most_common(20)],
            "adms_records": sorted(record_types),
        }


@dataclass
class LineEvent:
    action: str
    at: str | None
    count: int | None
    remote: str | None
    files: list[str]


def timestamp(line: str, year_hint: int | None = None) -> str | None:
    """The line's time as ISO 8601 (syslog lines take their year from ``year_hint``)."""
    if match := _ISO.search(line):
        y, mo, d, h, mi, s, frac, zone = match.groups()
        text = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{s}"
        if frac:
            text += "." + frac.ljust(6, "0")
        if zone:
            text += "+00:00" if zone == "Z" else f"{zone[:3]}:{zone[-2:]}"
        return text
    if match := _CHINESE.search(line):
        y, mo, d, h, mi, s = match.groups()
        return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{s}"
    if match := _APACHE.search(line):
        d, mon, y, h, mi, s, zone = match.groups()
        text = f"{y}-{_MONTHS[mon.lower()]:02d}-{int(d):02d}T{h}:{mi}:{s}"
        return text + (f"{zone[:3]}:{zone[3:]}" if zone else "")
    if (match := _SYSLOG.search(line)) and year_hint:
        mon, d, h, mi, s = match.groups()
        return f"{year_hint:04d}-{_MONTHS[mon.lower()]:02d}-{int(d):02d}T{h}:{mi}:{s}"
    if match := _LEADING_DATE.match(line):
        return "-".join(match.groups())
    return None


def _count(line: str) -> int | None:
    for pattern in (_COUNT_LABEL, _COUNT):
        if match := pattern.search(line):
            return int(match[1].replace(",", ""))
    return None


def _remote(line: str) -> str | None:
    for pattern in _REMOTES:
        if match := pattern.search(line):
            return match[match.lastindex or 0] if match.lastindex else match[0]
    return None


def _files(line: str) -> list[str]:
    """File names with a data suffix, and paths that name face folders (``/data/capture/0315/``).

    Token by token, so the cost stays linear on long lines.
    """
    names: list[str] = []
    for raw in _TOKEN_SPLIT.split(line):
        token = raw.rstrip(".:!?")
        if not token or "://" in token or "@" in token:
            continue
        if _FILE_SUFFIX.search(token) or (_PATH_START.match(token) and _FACE_WORD.search(token)):
            names.append(token.rstrip("/\\") or token)
    return list(dict.fromkeys(names))[:50]


def events_in_line(line: str, year_hint: int | None = None) -> list[LineEvent]:
    """The face-data actions a line records, in the order they appear (``tar … && scp … && rm``).

    A line needs a face-data mention, an action, and something concrete (a
    time, a count, a file or a remote host): prose such as a README's "to
    upload faces, run the script" is not an event. Only the first 4096
    characters are analysed (a base64 blob on the line says nothing more).
    """
    line = line[:ANALYSED_CHARS]
    if not FACE_DATA.search(line):
        return []
    found = sorted(
        (match.start(), action)
        for action, pattern in ACTIONS.items()
        if (match := pattern.search(line))
    )
    if not found:
        return []
    at = timestamp(line, year_hint)
    count, remote, files = _count(line), _remote(line), _files(line)
    if at is None and count is None and remote is None and not files:
        return []
    return [LineEvent(action, at, count, remote, files) for _, action in found]


def adms_record(line: str) -> tuple[str, dict[str, str]] | None:
    """``BIOPHOTO PIN=1\\tType=9\\tContent=…`` → ("BIOPHOTO", {"PIN": "1", …})."""
    match = _ADMS.search(line)
    if not match:
        return None
    fields: dict[str, str] = {}
    for part in match["fields"].split("\t"):
        key, _, value = part.partition("=")
        fields.setdefault(key, value)
    return match["type"], fields


def _year_hint(item: Item) -> int | None:
    if not item.mtime:
        return None
    try:
        return datetime.fromisoformat(item.mtime).year
    except ValueError:
        return None


def _peek_lines(item: Item, head: bytes) -> list[str]:
    data = head
    if len(head) < _PEEK and item.size > len(head):
        with item.open() as stream:
            data = stream.read(_PEEK)
    lines = data.split(b"\n")
    if len(data) >= _PEEK:
        lines = lines[:-1]  # cut by the peek
    return [_decode(line) for line in lines]


@register
class FaceTransferLogReader(SourceReader):
    """Logs and shell histories that record packing, uploading or deleting face data."""

    NAME = "log"
    DESCRIPTION = "logs: face-data pack / upload / delete events; ZKTeco ADMS push records"

    def __init__(self, line_limit: int = DEFAULT_LINE_LIMIT) -> None:
        self.line_limit = line_limit

    def claims(self, item: Item, head: bytes) -> bool:
        if item.type not in ("log", "text"):
            return False
        lines = _peek_lines(item, head)
        if any(adms_record(line) for line in lines):
            return True
        events = [events_in_line(line) for line in lines]
        matching = [e for e in events if e]
        if item.type == "log":
            return bool(matching)
        return len(matching) >= 2 or any(e[0].at for e in matching)

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        """Events stream out as lines are read; the summary comes first and again, complete, last.

        ADMS records need their keys known before a table can be yielded, so
        each record type found in the first pass gets its own later pass.
        """
        year = _year_hint(item)
        summary = _Summary()
        record_types: dict[str, dict[str, None]] = {}
        problems: list[Problem] = []
        yield StoreFound("log", details=summary.details(record_types))
        with item.open() as stream:
            for number, raw in self._lines(stream, item, problems):
                yield from problems
                problems.clear()
                line = _decode(raw)
                if (record := adms_record(line)) is not None:
                    keys = record_types.setdefault(record[0], {})
                    if len(keys) < 256:
                        keys.update(dict.fromkeys(record[1]))
                    continue
                for event in events_in_line(line, year):
                    summary.add(event)
                    yield LogEvent(
                        at=event.at, action=event.action, count=event.count, remote=event.remote,
                        locator=f"{item.locator} line {number}", text=line[:EVENT_TEXT],
                        files=event.files,
                    )
        yield from problems
        for record_type, keys in record_types.items():
            columns = list(keys)
            with item.open() as stream:
                yield TableRows(record_type, columns, self._records(stream, item, record_type, columns))
        yield StoreFound("log", details=summary.details(record_types))

    def _lines(self, stream: object, item: Item, problems: list[Problem]) -> Iterator[tuple[int, bytes]]:
        try:
            for number, raw in bounded_lines(stream, self.line_limit):  # type: ignore[arg-type]
                if raw is None:
                    problems.append(Problem(f"{item.locator} line {number}",
                                            f"line longer than {self.line_limit} bytes, skipped",
                                            "line.too_long", {"limit": self.line_limit}))
                    continue
                yield number, raw
        except OSError as error:
            problems.append(Problem(item.locator, f"log could not be read to the end: {error}",
                                    "log.read_stopped", {"error": str(error)}))

    def _records(
        self, stream: object, item: Item, record_type: str, columns: list[str]
    ) -> Iterator[tuple[str, list[str | None]]]:
        ignored: list[Problem] = []  # over-long lines were reported by the first pass
        for number, raw in self._lines(stream, item, ignored):
            if record_type.encode() not in raw:
                continue
            record = adms_record(_decode(raw))
            if record is None or record[0] != record_type:
                continue
            yield f"line {number}", [record[1].get(column) for column in columns]
