"""Every consent-log format yields the same, known statuses for the same venue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from venue_audit.consent import assess, load_consent_log

from .scenario import (
    EXPECTED_PROBLEM_ROWS,
    EXPECTED_UNLINKED,
    POLICY,
    consent_rows,
    expected_by_status,
    planted_persons,
    write_csv,
    write_json,
    write_sqlite,
    write_xlsx,
)

WRITERS: dict[str, Callable[[Path], Path]] = {
    "csv-utf8-bom": lambda folder: write_csv(folder, "utf-8-sig"),
    "csv-utf8": lambda folder: write_csv(folder, "utf-8", title_row=False),
    "csv-gb18030": lambda folder: write_csv(folder, "gb18030"),
    "xlsx": write_xlsx,
    "json": write_json,
    "sqlite": write_sqlite,
}


@pytest.fixture(params=sorted(WRITERS))
def log_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return WRITERS[request.param](tmp_path)


def test_every_row_is_read_and_every_person_gets_the_planted_status(log_path: Path) -> None:
    log = load_consent_log(log_path, tz="Asia/Shanghai")
    assert len(log.records) == len(consent_rows())

    result = assess([p.facts for p in planted_persons()], log, POLICY)

    got = {s.person_id: (s.status, s.flags) for s in result.statuses}
    want = {p.facts.person_id: (p.status, p.flags) for p in planted_persons()}
    assert got == want
    assert result.by_status == expected_by_status()
    assert sum(result.by_status.values()) == len(planted_persons())


def test_exact_counts_per_status_and_flag(log_path: Path) -> None:
    result = assess([p.facts for p in planted_persons()], load_consent_log(log_path), POLICY)

    assert result.by_status == {
        "no_consent": 3, "withdrawn_retained": 2, "expired_retained": 2, "consented": 9,
    }
    assert result.by_flag == {"captured_before_consent": 2, "purpose_mismatch": 2}


def test_unreadable_rows_are_located_and_unmatched_consents_listed(log_path: Path) -> None:
    log = load_consent_log(log_path)
    result = assess([p.facts for p in planted_persons()], log, POLICY)

    unreadable = [p for p in log.problems if "unreadable signed time '3/15'" in p.message]
    assert len(unreadable) == EXPECTED_PROBLEM_ROWS
    assert log_path.name in str(unreadable[0])
    assert len(result.unlinked_consents) == EXPECTED_UNLINKED
    unlinked = log.by_id()[result.unlinked_consents[0]]
    assert unlinked.keys["visitor_id"] == "V999"


def test_the_log_file_is_not_modified(log_path: Path) -> None:
    before = (log_path.read_bytes(), log_path.stat().st_mtime_ns)
    assess([p.facts for p in planted_persons()], load_consent_log(log_path), POLICY)
    assert (log_path.read_bytes(), log_path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in log_path.parent.iterdir()) == [log_path.name]



def test_reading_a_consent_log_leaves_its_bytes_mtime_and_atime_unchanged(log_path: Path) -> None:
    """The register is evidence too: read through the read-only opener, never by name."""
    import os

    content = log_path.read_bytes()
    os.utime(log_path, (1_500_000_000, log_path.stat().st_mtime))  # a plain read would move it
    before = log_path.stat()
    load_consent_log(log_path, tz="Asia/Shanghai")
    after = log_path.stat()
    assert (after.st_atime_ns, after.st_mtime_ns) == (before.st_atime_ns, before.st_mtime_ns)
    assert log_path.read_bytes() == content
