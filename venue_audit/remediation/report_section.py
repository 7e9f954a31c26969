"""The self-audit report's own data: duties, the to-delete list, the latest deletion check.

Filled from the case alone, like the rest of :class:`~venue_audit.report.model.ReportData`, so
the PDF shows the same list the business received (the one stored in the case, by its digest)
and the latest ``verify-deletion`` result for exactly that list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from venue_audit.case import Case
from venue_audit.remediation.export import export_to_delete, write_xlsx
from venue_audit.remediation.obligations import case_obligations
from venue_audit.remediation.to_delete import ToDeleteList, load_to_delete, make_to_delete
from venue_audit.report.model import SelfAuditSection, ToDeleteRow

LIST_NAME = "待删除清单"


def self_audit_section(
    case: Case, summary: dict[str, Any] | None = None, command: list[str] | None = None
) -> SelfAuditSection:
    """The section for a self-audit case; a list is made (and logged) if the case has none."""
    listed = load_to_delete(case) or make_to_delete(case, command)
    return SelfAuditSection(
        items=len(listed.items),
        digest=listed.digest,
        by_reason=listed.by_reason(),
        rows=[
            ToDeleteRow(
                number=item.number,
                reasons=list(item.reasons),
                state=item.state,
                action=item.action,
                place=item.location.describe(),
                person_keys=list(item.person_keys),
                basis=list(item.basis),
            )
            for item in listed.items
        ],
        tables=[
            {
                "database": d.database,
                "table": d.table,
                "key": ", ".join(d.key_columns),
                "rows": len(set(d.keys)),
            }
            for d in listed.deletions
        ],
        remotes=list(listed.remotes),
        basis_by_reason=dict(listed.basis_by_reason),
        obligations=[o.as_dict() for o in case_obligations(case, summary)],
        follow_up=latest_follow_up(case, listed),
    )


def self_audit_annexes(case: Case, folder: Path, lang: str = "zh") -> dict[str, Path]:
    """The to-delete list beside the report: CSV, XLSX and the SQL scripts, as annexes."""
    listed = load_to_delete(case) or make_to_delete(case)
    language = "en" if lang == "en" else "zh"
    table = write_xlsx(listed, folder / f"{LIST_NAME}.xlsx", case.info.case_no, language)
    files = export_to_delete(listed, folder / f"{LIST_NAME}.csv", case.info.case_no, language)
    written = [table, files.table, *files.sql]
    return {path.name: path for path in written}


def latest_follow_up(case: Case, listed: ToDeleteList) -> dict[str, Any] | None:
    """The last verify-deletion check of this very list (same digest), if there was one."""
    found = None
    for row in case.db.query(
        "select key, value from case_meta where key like 'verify-deletion:%' order by key"
    ):
        check = json.loads(row["value"]).get("to_delete")
        if check and check.get("list_sha256") == listed.digest:
            found = check
    return found
