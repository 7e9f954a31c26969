"""Which stages a case has been through, and the refusal when one a command needs is missing.

A report on a case that was never assessed would show 0 persons and "no findings" as if they
were results; a scan of a case with nothing acquired would show an empty table as if the venue
kept nothing. Every stage therefore states what it needs, and the case answers from its own
records: the evidence table and the custody log, where every stage logs when it finished.

The order is ``acquire → scan → identify → assess``. A stage is *current* when it finished
after everything it depends on last changed: an acquired item not scanned yet, or a scan that
found something after the last assessment, makes the later stage stale, and the command that
needs it is told which command to run. A rerun that changes nothing (re-acquiring unchanged
files, a scan with nothing left to do) leaves later stages current.
"""

from __future__ import annotations

from dataclasses import dataclass

from venue_audit.case.workspace import Case
from venue_audit.errors import UsageError

_UNSCANNED_ITEMS = (
    "select count(*) from evidence where current = 1 and parent_id is null and entry = 'file'"
    " and error is null and id not in (select evidence_id from scan_state where status = 'done')"
)


class StageMissing(UsageError):
    """A command needs a stage the case has not been through (or that is out of date)."""


@dataclass(frozen=True)
class CaseStages:
    """Evidence counts, and the custody sequence number at which each stage last ran (0: never)."""

    evidence_items: int
    acquired: int
    unscanned_items: int
    scan_started: int
    scan_finished: int
    scan_changed: int  # the last finished scan that read at least one item
    identified: int
    assessed: int

    @property
    def scan_current(self) -> bool:
        return self.scan_finished > 0 and self.unscanned_items == 0

    @property
    def identify_current(self) -> bool:
        return self.scan_current and self.identified > self.scan_changed

    @property
    def assess_current(self) -> bool:
        return self.identify_current and self.assessed > self.identified


def case_stages(case: Case) -> CaseStages:
    def last(action: str, condition: str = "1") -> int:
        row = case.db.execute(
            f"select coalesce(max(seq), 0) from custody where action = ? and {condition}",
            [action],
        ).fetchone()
        return int(row[0])

    def count(sql: str) -> int:
        return int(case.db.execute(sql).fetchone()[0])

    return CaseStages(
        evidence_items=count("select count(*) from evidence where current = 1"),
        acquired=max(last("acquire"), last("acquire.database")),
        unscanned_items=count(_UNSCANNED_ITEMS),
        scan_started=last("scan.start"),
        scan_finished=last("scan.end"),
        scan_changed=last("scan.end", "coalesce(json_extract(detail, '$.items'), 1) > 0"),
        identified=last("identify"),
        assessed=last("assess"),
    )


def require_acquired(case: Case) -> CaseStages:
    """Refuse unless something was acquired into the case (an empty source counts: it was)."""
    stages = case_stages(case)
    if stages.evidence_items == 0 and stages.acquired == 0:
        raise StageMissing(
            f"nothing was acquired into case {case.info.case_no} yet: run "
            f"'venue-audit acquire {case.directory} SOURCE...' first"
        )
    return stages


def require_scanned(case: Case) -> CaseStages:
    """Refuse unless every acquired item was scanned after the last acquisition."""
    stages = require_acquired(case)
    if stages.scan_current:
        return stages
    scan = f"'venue-audit scan {case.directory}'"
    if stages.scan_started == 0:
        reason = "was never scanned"
    elif stages.scan_started > stages.scan_finished:
        reason = "has a scan that did not finish"
    else:
        reason = "has evidence that was not scanned yet"
    raise StageMissing(f"case {case.info.case_no} {reason}: run {scan} first (it resumes)")


def require_assessed(case: Case) -> CaseStages:
    """Refuse unless persons were counted and checked against consent after the last scan."""
    stages = require_scanned(case)
    if stages.assess_current:
        return stages
    reason = "was never assessed" if stages.assessed == 0 else "was rescanned after its assessment"
    raise StageMissing(
        f"case {case.info.case_no} {reason}: run 'venue-audit consent {case.directory} "
        "[CONSENT_LOG] --policy FILE --as-of DATE' first"
    )
