"""``export``: the case in the formats other forensic tools read (plaso, Timesketch, CASE)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from venue_audit.case.stages import require_scanned
from venue_audit.cli.app import app, console, open_case
from venue_audit.cli.options import AsJson, CaseDir, Quiet
from venue_audit.cli.output import print_json
from venue_audit.preflight import require_output_folder


@app.command("export")
def export_command(
    case_dir: CaseDir,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Folder to write into (default: CASE_DIR/exports)."
        ),
    ] = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Write the timeline (plaso l2tcsv and JSON lines for Timesketch) and the CASE/UCO
    provenance of the acquisition and examination (case-uco.jsonld).

    The report's CSV annexes get XLSX copies when the report is written.

    Example: venue-audit export ./case-001 --out ./case-001/exports
    """
    from venue_audit.exports import export_case

    if out is not None:
        require_output_folder(out, "--out")
    case = open_case(case_dir)
    require_scanned(case)
    result = export_case(case, out or case.directory / "exports", sys.argv)
    if as_json:
        print_json(result.as_json())
        return
    for name, path in result.files.items():
        console.print(f"{name}: {path}", soft_wrap=True)
    console.print(f"{result.events} timeline events")
    if result.undated_records and not quiet:
        console.print(
            f"[yellow]{result.undated_records} capture record(s) have no capture time and are "
            "not on the timeline[/yellow]"
        )
