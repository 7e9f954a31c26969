"""``verify-deletion``: is the face data of the case's scan really gone from every replica?"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from venue_audit.case.stages import require_scanned
from venue_audit.cli.app import EXIT_DIFFERENCE, app, console, open_case
from venue_audit.cli.options import AsJson, CaseDir, Quiet, Workers
from venue_audit.cli.output import print_json
from venue_audit.preflight import require_sources


@app.command("verify-deletion")
def verify_deletion_command(
    case_dir: CaseDir,
    after_sources: Annotated[
        list[Path],
        typer.Argument(
            help="Every replica after the deletion: server, cloud export, backups.",
            metavar="AFTER_SOURCE...",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Also write the report with its verification section (PDF).",
        ),
    ] = None,
    workers: Workers = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Check that the face data of the case's scan is really gone; exit code 1 if any remains.

    Acquires and scans the after-state into a workspace inside the case (deleted-data recovery
    included) and looks for every baseline artifact by exact hash, perceptual hash and face.

    Example: venue-audit verify-deletion ./case-001 /mnt/after/server /mnt/after/cloud.zip
    """
    from venue_audit.scan import ScanOptions
    from venue_audit.verify import verify_deletion

    require_sources(after_sources)
    case = open_case(case_dir)
    require_scanned(case)
    verdict = verify_deletion(
        case,
        after_sources,
        ScanOptions(workers=workers or 0),
        command=sys.argv,
        outputs=[("--out", out)] if out is not None else None,
    )
    if out is not None:
        from venue_audit.report import report_case
        from venue_audit.report.verification import verification_section

        out.parent.mkdir(parents=True, exist_ok=True)
        report_case(case, out, verification=verification_section(verdict), command=sys.argv)
    if as_json:
        print_json(verdict.as_json())
    else:
        table = Table(title="Baseline face data after the deletion")
        for column in ("baseline store", "gone", "recoverable", "remaining live"):
            table.add_column(column, justify="left" if column == "baseline store" else "right")
        for store, states in sorted(verdict.by_store.items()):
            table.add_row(
                store,
                str(states.get("gone", 0)),
                str(states.get("recoverable", 0)),
                str(states.get("remaining_live", 0)),
            )
        console.print(table)
        for item in verdict.residual[:20]:
            console.print(
                f"  [red]{item['state']}[/red] {item['baseline']} -> {item['found_at']} ({item['how']})"
            )
        console.print(f"Checked: {', '.join(verdict.checked)}")
        console.print(
            "[green]No residual face data found[/green]"
            if verdict.clean
            else "[red]Residual face data found[/red]"
        )
    if not verdict.clean:
        raise typer.Exit(EXIT_DIFFERENCE)
