"""``self-audit`` and ``to-delete``: a business auditing its own face data, and what it must delete.

``self-audit`` is ``audit`` with a business's case: one responsible person (个人信息保护负责人)
instead of two examiners, a 合规自查报告 instead of an evidence report, and the to-delete list
made every time. ``to-delete`` writes the list of an assessed case step by step.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from venue_audit.case import CaseInfo
from venue_audit.case.workspace import SELF_AUDIT
from venue_audit.cli.app import app, console, open_case
from venue_audit.cli.options import (
    AsJson,
    AsOf,
    CaseDir,
    JsonOut,
    Lang,
    Offsite,
    Quiet,
    Responsible,
    Workers,
)
from venue_audit.cli.output import print_audit_summary, print_json
from venue_audit.cli.progress import StageProgress

ToDeleteOut = Annotated[
    Path | None,
    typer.Option(
        "--to-delete",
        metavar="FILE",
        help="Write the to-delete list (待删除清单) as FILE (.csv or .xlsx), with one reviewable "
        "SQL script per database beside it.",
    ),
]


@app.command("self-audit")
def self_audit_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="The business's own exports and databases: folders, archives, dumps, snapshots.",
            metavar="SOURCE...",
            show_default=False,
        ),
    ],
    case_dir: Annotated[
        Path,
        typer.Option("--case", metavar="CASE_DIR", help="Case folder (created when missing)."),
    ],
    responsible: Responsible,
    venue: Annotated[
        str,
        typer.Option("--venue", metavar="NAME", help="The venue audited; required for a new case."),
    ] = "",
    company: Annotated[
        str,
        typer.Option(
            "--company", metavar="NAME", help="The business processing the data (个人信息处理者)."
        ),
    ] = "",
    case_no: Annotated[
        str,
        typer.Option("--case-no", metavar="NO", help="Self-audit number (default 自查)."),
    ] = "",
    consent_log: Annotated[
        Path | None,
        typer.Option("--consent", metavar="FILE", help="Consent register (CSV/XLSX/JSON/SQLite)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", metavar="FILE", help="Retention and purpose policy (TOML)."),
    ] = None,
    as_of: AsOf = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", metavar="FILE", help="Where to write the self-audit report (PDF); the "
            "to-delete list and its SQL go beside it as annexes.",
        ),
    ] = None,
    to_delete: ToDeleteOut = None,
    json_out: JsonOut = None,
    lang: Lang = "zh",
    offsite: Offsite = None,
    workers: Workers = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Audit your own face data: where it is, whose, whether consent covers it, what to delete.

    The same acquisition, counting and findings as 'audit', judged for one responsible person;
    the report is a compliance self-audit (合规自查报告), not an examination record.

    Example: venue-audit self-audit /mnt/export --case ./自查-2024 --responsible 王五
    --venue 某售楼处 --consent 同意书.csv --policy policy.toml --as-of 2024-06-30
    --report 自查/自查报告.pdf --to-delete 待删除清单.xlsx
    """
    from venue_audit.audit import AuditRequest, audit

    info = CaseInfo(
        case_no=case_no or "自查",
        venue=venue,
        examiners=[responsible],
        org=company,
        purpose=SELF_AUDIT,
    )
    request = AuditRequest(
        sources=sources,
        case_dir=case_dir,
        case_info=info,
        consent_log=consent_log,
        policy=policy,
        as_of=as_of,
        report_pdf=report,
        summary_json=json_out,
        lang=lang,
        workers=workers or 0,
        offsite=offsite or [],
        to_delete=to_delete,
    )
    with StageProgress(quiet) as shown:  # the same display as 'audit'
        result = audit(request, shown.stage, sys.argv, shown.update)
    listed = result.to_delete
    if as_json:
        print_json({**result.summary, "to_delete": _counts(listed)})
        return
    print_audit_summary(
        result.summary,
        {k: v for k, v in (("report", report), ("to-delete list", to_delete),
                           ("summary", json_out), ("case", result.case_dir)) if v},
    )
    _print_list(listed)


@app.command("to-delete")
def to_delete_command(
    case_dir: CaseDir,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE", help="The list as .csv or .xlsx; SQL scripts go beside it."
        ),
    ],
    lang: Annotated[
        str, typer.Option("--lang", metavar="LANG", help="Column language: zh or en.")
    ] = "zh",
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Write the to-delete list (待删除清单) of an assessed case: every record that must go.

    Each record with its place (file, archive member, table and primary key), reason (no
    consent, consent withdrawn, retention exceeded, off-site copy) and legal basis; database
    rows as reviewable DELETE statements, never run by the tool. verify-deletion then checks
    this list item by item.

    Example: venue-audit to-delete ./case-001 --out 待删除清单.xlsx
    """
    from venue_audit.case.output_paths import case_evidence, refuse_overlap
    from venue_audit.case.stages import require_assessed
    from venue_audit.errors import UsageError
    from venue_audit.preflight import require_output_file
    from venue_audit.remediation import make_to_delete
    from venue_audit.remediation.export import export_to_delete, to_delete_outputs

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--out {out}: write the list as .csv or .xlsx")
    if lang not in ("zh", "en"):
        raise UsageError(f"--lang {lang!r}: choose zh or en")
    require_output_file(out, "--out")
    case = open_case(case_dir)
    refuse_overlap(to_delete_outputs("--out", out), case_evidence(case.db))
    require_assessed(case)
    listed = make_to_delete(case, sys.argv)
    files = export_to_delete(listed, out, case.info.case_no, lang)
    if as_json:
        print_json({**_counts(listed), "files": [str(files.table), *map(str, files.sql)]})
        return
    if not quiet:
        _print_list(listed)
    console.print(f"list: {files.table}")
    for script in files.sql:
        console.print(f"SQL (review, then run yourself): {script}")


def _counts(listed: Any) -> dict[str, Any] | None:
    if listed is None:
        return None
    return {
        "items": len(listed.items),
        "sha256": listed.digest,
        "by_reason": listed.by_reason(),
        "by_action": listed.by_action(),
        "tables": [
            {"database": d.database, "table": d.table, "rows": len(set(d.keys))}
            for d in listed.deletions
        ],
    }


def _print_list(listed: Any) -> None:
    from venue_audit.remediation.wording import REASON_LABELS

    if listed is None:
        return
    table = Table(title=f"To-delete list (待删除清单): {len(listed.items)} records")
    table.add_column("reason")
    table.add_column("records", justify="right")
    for reason, count in listed.by_reason().items():
        if count:
            table.add_row(f"{REASON_LABELS[reason]['en']} ({REASON_LABELS[reason]['zh']})", str(count))
    console.print(table)
    for deletion in listed.deletions:
        console.print(
            f"  {deletion.database}: DELETE {len(set(deletion.keys))} rows from {deletion.table} "
            f"by {', '.join(deletion.key_columns)}"
        )
    recoverable = sum(1 for item in listed.items if item.state == "recoverable")
    if recoverable:
        console.print(
            f"  {recoverable} deleted records are still recoverable: VACUUM their database"
        )


def print_list_check(check: dict[str, Any]) -> None:
    """verify-deletion's answer for a case with a to-delete list: item by item."""
    from venue_audit.remediation.wording import REASON_LABELS

    states = ("deleted", "still_present", "still_recoverable", "not_checked")
    table = Table(title="To-delete list after the deletion (待删除清单复核)")
    table.add_column("reason")
    for state in states:
        table.add_column(state.replace("_", " "), justify="right")
    for reason, counts in check["after"].items():
        if sum(counts.values()):
            table.add_row(REASON_LABELS[reason]["en"], *(str(counts[s]) for s in states))
    console.print(table)
    for item in [i for i in check["items"] if i["state"] != "deleted"][:20]:
        where = item["found"][0]["at"] if item["found"] else "its place was not checked"
        console.print(f"  [red]{item['state'].replace('_', ' ')}[/red] item {item['number']}: {where}")
    console.print(
        "[green]Every listed record is deleted and not recoverable[/green]"
        if check["done"]
        else "[red]Listed records remain or are still recoverable[/red]"
    )
