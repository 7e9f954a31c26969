"""A timeline written as plaso's l2tcsv and as JSON lines, the two forms Timesketch imports.

l2tcsv follows plaso's ``l2tcsv`` output module (``plaso/output/l2t_csv.py``): the fixed
17-column header, ``MM/DD/YYYY`` dates and ``HH:MM:SS`` times in the named zone, ``version``
2, and no quoting: a comma inside a value becomes a space (and a line break a space), so each
line has exactly 16 delimiters, as plaso's own test of that module asserts. Empty fields are
``-``, as plaso writes them.

JSON lines carry Timesketch's three required fields (``message``, ``datetime`` in ISO 8601,
``timestamp_desc``) plus ``timestamp`` in microseconds and every extra attribute.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from venue_audit.exports.timeline import Timeline, TimelineEvent

L2T_FIELDS = (
    "date", "time", "timezone", "MACB", "source", "sourcetype", "type", "user", "host",
    "short", "desc", "version", "filename", "inode", "notes", "format", "extra",
)  # fmt: skip


def _field(value: str) -> str:
    text = " ".join(str(value).replace(",", " ").split())
    return text or "-"


def l2t_row(event: TimelineEvent, timeline: Timeline) -> list[str]:
    local = event.at.astimezone(timeline.zone)
    extra = "; ".join(f"{k}: {v}" for k, v in sorted(event.extra.items()) if v)
    values = {
        "date": local.strftime("%m/%d/%Y"),
        "time": local.strftime("%H:%M:%S"),
        "timezone": timeline.zone_name,
        "MACB": "....",
        "source": event.source,
        "sourcetype": event.sourcetype,
        "type": event.timestamp_desc,
        "user": "-",
        "host": "-",
        "short": event.short,
        "desc": event.message,
        "version": "2",
        "filename": event.filename,
        "inode": "-",
        "notes": "-",
        "format": event.data_type,
        "extra": extra,
    }
    return [_field(values[name]) for name in L2T_FIELDS]


def write_l2tcsv(timeline: Timeline, target: Path) -> int:
    with Path(target).open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(",".join(L2T_FIELDS) + "\n")
        for event in timeline.events:
            handle.write(",".join(l2t_row(event, timeline)) + "\n")
    return len(timeline.events)


def jsonl_record(event: TimelineEvent) -> dict[str, object]:
    utc = event.at.astimezone(UTC)
    return {
        "message": event.message,
        "datetime": utc.isoformat(),
        "timestamp": int(utc.timestamp() * 1_000_000),
        "timestamp_desc": event.timestamp_desc,
        "source_short": event.source,
        "source_long": event.sourcetype,
        "data_type": event.data_type,
        "filename": event.filename,
        "local_time": event.at.isoformat(),
        **{k: v for k, v in sorted(event.extra.items()) if v},
    }


def write_jsonl(timeline: Timeline, target: Path) -> int:
    with Path(target).open("w", encoding="utf-8", newline="\n") as handle:
        for event in timeline.events:
            handle.write(json.dumps(jsonl_record(event), ensure_ascii=False) + "\n")
    return len(timeline.events)
