"""``verify-deletion``: is the face data of the case's scan really gone from every replica?"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from venue_audit.case.stages import require_assessed, require_scanned
from venue_audit.cli.app import EXIT_DIFFERENCE, app, console, open_case
from venue_audit.cli.options import AsJson, CaseDir, JsonOut, Quiet, Workers
from venue_audit.cli.output import print_json
from venue_audit.cli.progress import StageProgress
from venue_audit.cli.self_audit import print_list_check
from venue_audit.preflight import require_output_file, require_sources

if TYPE_CHECKING:
    from venue_audit.verify.verdict import DeletionVerdict

SHOWN_RESIDUES = 20
STATE_COLUMNS = {
    "gone": "gone",
    "recoverable": "recoverable",
    "remaining_live": "remaining live",
    "not_checked": "not checked",
}


@app.command("verify-deletion")
def verify_deletion_command(
    case_dir: CaseDir,
    after_sources: Annotated[
        list[str],
        typer.Argument(
            help="Every replica after the deletion: server, cloud export, backups, or the "
            "running database again (postgresql:// / mysql:// URL).",
            metavar="AFTER_SOURCE...",
            show_default=False,
        ),
    ],
    replica: Annotated[
        list[str] | None,
        typer.Option(
            "--replica",
            metavar="BASELINE=AFTER",
            help="Which after source replaces which of the case's sources, when their names "
            "differ (sources with the same name pair by themselves).",
        ),
    ] = None,
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
    json_out: JsonOut = None,
) -> None:
    """Check that the face data of the case's scan is really gone; exit code 1 if it is not.

    Acquires and scans the after-state into a workspace inside the case (deleted-data recovery
    included) and looks for every baseline record by its own content: exact hash, perceptual
    hash, or the same capture's face. Each record is gone, recoverable, remaining live, or not
    checked (its source has no replica among the after sources). Exit code 1 when anything
    remains or was not checked; the verdict is also written as verification.json.

    Example: venue-audit verify-deletion ./case-001 /mnt/after/server /mnt/after/cloud.zip
    """
    from venue_audit.acquire.live import is_database_url
    from venue_audit.report.case_report import report_output_paths
    from venue_audit.scan import ScanOptions
    from venue_audit.verify import parse_replica, verify_deletion

    paths = [Path(s) for s in after_sources if not is_database_url(s)]
    if paths or not after_sources:  # a running database is checked when it is connected to
        require_sources(paths)
    for option, path in (("--out", out), ("--json-out", json_out)):
        if path is not None:
            require_output_file(path, option)
    pairs = [parse_replica(spec) for spec in replica or []]
    case = open_case(case_dir)
    if out is not None:
        require_assessed(case)  # the report's numbers must be the assessed ones
    else:
        require_scanned(case)
    with StageProgress(quiet) as shown:
        shown.stage("verify-deletion")
        verdict = verify_deletion(
            case,
            list(after_sources),
            ScanOptions(workers=workers or 0),
            sys.argv,
            pairs,
            prompt=lambda question: typer.prompt(question, hide_input=True),
            outputs=[
                *(report_output_paths(out) if out is not None else []),
                *([("--json-out", json_out)] if json_out is not None else []),
            ],
        )
    if out is not None:
        from venue_audit.report import report_case
        from venue_audit.report.verification import verification_section

        out.parent.mkdir(parents=True, exist_ok=True)
        report_case(case, out, verification=verification_section(verdict), command=sys.argv)
    record = verdict.as_json()
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if as_json:
        print_json(record)
    elif verdict.to_delete is not None:
        print_list_check(verdict.to_delete)
    else:
        _print_verdict(verdict, quiet)
    if not verdict.clean:
        raise typer.Exit(EXIT_DIFFERENCE)


def _print_verdict(verdict: DeletionVerdict, quiet: bool) -> None:
    table = Table(title="Baseline capture records after the deletion")
    table.add_column("baseline store")
    for column in ("records", *STATE_COLUMNS.values()):
        table.add_column(column, justify="right")
    for name, counts in verdict.by_store.items():
        table.add_row(name, str(counts["records"]), *(str(counts[s]) for s in STATE_COLUMNS))
    totals = verdict.totals
    table.add_row("total", str(totals["records"]), *(str(totals[s]) for s in STATE_COLUMNS))
    console.print(table)
    if not quiet:
        for residue in verdict.residue[:SHOWN_RESIDUES]:
            console.print(
                f"  [red]{STATE_COLUMNS[residue.state]}[/red] {residue.record} "
                f"-> {residue.found_at} ({residue.how})",
                soft_wrap=True,
            )
        hidden = len(verdict.residue) - SHOWN_RESIDUES
        if hidden > 0:
            console.print(
                f"  … {hidden} more residual records, all in {verdict.after_case}/verification.json",
                soft_wrap=True,
            )
        for store in verdict.not_checked:
            console.print(
                f"  [yellow]not checked[/yellow] {store.states['not_checked']} record(s) of "
                f"{store.store}: its source {store.source} has no replica among the after "
                f"sources (name one with --replica {Path(store.source).name}=AFTER_SOURCE)",
                soft_wrap=True,
            )
        for person, places in verdict.persons_present.items():
            console.print(
                f"  [yellow]note[/yellow] person {person}: another capture of the same face is "
                f"still at {', '.join(places)}",
                soft_wrap=True,
            )
    console.print(f"Checked: {', '.join(verdict.checked)}", soft_wrap=True)
    colour = {"clean": "green", "residual": "red", "incomplete": "yellow"}[verdict.status]
    console.print(f"[{colour}]{verdict.as_json()['verdict']}[/{colour}]")
