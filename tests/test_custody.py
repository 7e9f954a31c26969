"""The custody log is a hash chain: any edit, insertion or removal is detected."""

from __future__ import annotations

import json
import sqlite3

from venue_audit.case import Case


def _three_events(case: Case) -> None:
    case.log("acquire", {"files": 1})
    case.log("scan", {"records": 2})
    case.log("report", {"pdf": "x.pdf"})


def _sql(case: Case, statement: str, *params: object) -> None:
    with sqlite3.connect(case.db_path) as conn:
        conn.execute(statement, params)


def test_an_untouched_log_verifies(new_case: Case) -> None:
    _three_events(new_case)
    assert new_case.verify_custody() == []
    events = new_case.custody_events()
    assert [e["action"] for e in events] == ["case.new", "acquire", "scan", "report"]
    assert all(e["at"].endswith("+08:00") for e in events), "times carry the case's UTC offset"
    assert json.loads(events[0]["command"]) == ["test"]


def test_an_edited_event_is_detected(new_case: Case) -> None:
    _three_events(new_case)
    _sql(new_case, "update custody set detail = ? where seq = 2", json.dumps({"files": 999}))
    problems = new_case.verify_custody()
    assert [p.seq for p in problems] == [2]
    assert "edited" in problems[0].problem


def test_a_removed_middle_event_is_detected(new_case: Case) -> None:
    _three_events(new_case)
    _sql(new_case, "delete from custody where seq = 3")
    assert any(p.seq == 4 for p in new_case.verify_custody())


def test_a_removed_newest_event_is_detected_by_the_head(new_case: Case) -> None:
    _three_events(new_case)
    _sql(new_case, "delete from custody where seq = 4")
    problems = new_case.verify_custody()
    assert problems and "custody.head" in problems[-1].problem


def test_an_inserted_event_is_detected(new_case: Case) -> None:
    _three_events(new_case)
    _sql(new_case, "update custody set seq = -seq where seq >= 3")
    _sql(new_case, "update custody set seq = 1 - seq where seq < 0")
    row = {
        "seq": 3,
        "at": "2024-01-01T00:00:00+08:00",
        "actor": "x",
        "host": "h",
        "tool_version": "0",
        "action": "forged",
        "command": "[]",
        "detail": "{}",
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
    _sql(
        new_case,
        f"insert into custody ({', '.join(row)}) values ({', '.join('?' * len(row))})",
        *row.values(),
    )
    assert new_case.verify_custody()
