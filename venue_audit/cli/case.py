"""``case new`` and ``custody``: create a case workspace, read and check its custody log."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from venue_audit.case import Case, CaseInfo
from venue_audit.case.workspace import EXAMINATION, SELF_AUDIT
from venue_audit.cli.app import EXIT_INTEGRITY, App, app, console, open_case
from venue_audit.cli.options import (
    RECORD,
    AsJson,
    CaseDir,
    ExaminationRecord,
    Examiners,
    Quiet,
    Responsible,
    examination_record_options,
)
from venue_audit.cli.output import print_json
from venue_audit.errors import UsageError

case_app = App(help="Create and inspect case workspaces.")
app.add_typer(case_app, name="case")


@case_app.command("new")
@examination_record_options
def case_new(
    case_dir: CaseDir,
    case_no: Annotated[
        str,
        typer.Option("--case-no", metavar="NO", help="Case number (案号), e.g. 沪青检-2025-001."),
    ],
    venue: Annotated[
        str,
        typer.Option("--venue", metavar="NAME", help="The venue examined (sales office, store …)."),
    ],
    examiner: Examiners = None,
    responsible: Responsible = "",  # instead of examiners: a business's self-audit
    record: ExaminationRecord = RECORD,
    tz: Annotated[
        str,
        typer.Option("--tz", metavar="ZONE", help="Time zone for every time the case records."),
    ] = "Asia/Shanghai",
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Create a case workspace: a folder (mode 0700) holding case.db and its custody log.

    Example: venue-audit case new ./case-001 --case-no 沪青检-2025-001 --venue 'Sales office A'
    --examiner 张三 --examiner 李四
    """
    if responsible and examiner:
        raise UsageError("a case has two --examiner names or one --responsible person, not both")
    info = CaseInfo(
        case_no=case_no,
        venue=venue,
        examiners=[responsible] if responsible else examiner or [],
        purpose=SELF_AUDIT if responsible else EXAMINATION,
        tz=tz,
        **record.case_fields(),
    )
    case = Case.create(case_dir, info, command=sys.argv)
    if as_json:
        print_json(
            {
                "case_dir": str(case.directory),
                "case_no": case_no,
                "created_at": case.info.created_at,
            }
        )
    else:
        console.print(f"Created case [bold]{case_no}[/bold] in {case.directory}")


@app.command("custody")
def custody_command(
    case_dir: CaseDir,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the hash chain; exit code 3 if broken.")
    ] = False,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Print the chain-of-custody log; with --verify, prove no event was edited, inserted or removed.

    Example: venue-audit custody ./case-001 --verify
    """
    case = open_case(case_dir)
    problems = case.verify_integrity() if verify else []
    events = case.custody_events()
    if as_json:
        print_json(
            {
                "events": events,
                "verified": verify and not problems,
                "problems": [{"seq": p.seq, "problem": p.problem} for p in problems],
            }
        )
    else:
        table = Table(title=f"Custody log of case {case.info.case_no}")
        for column in ("seq", "at", "actor", "action", "detail", "hash"):
            table.add_column(column, overflow="fold")
        for event in events:
            detail = event["detail"]
            table.add_row(
                str(event["seq"]),
                event["at"],
                f"{event['actor']}@{event['host']}",
                event["action"],
                detail if len(detail) < 120 else detail[:117] + "…",
                event["hash"][:16],
            )
        console.print(table)
        if verify:
            for problem in problems:
                console.print(f"[red]event {problem.seq}:[/red] {problem.problem}")
            console.print(
                "[green]Custody chain intact[/green]"
                if not problems
                else "[red]Custody chain BROKEN[/red]"
            )
    if verify and problems:
        raise typer.Exit(EXIT_INTEGRITY)
    if verify:
        case.log("custody.verify", {"events": len(events), "intact": True}, sys.argv)
