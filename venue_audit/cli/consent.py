"""``consent``: give every person one consent status and derive the findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from venue_audit.case.stages import require_scanned
from venue_audit.cli.app import app, console, open_case
from venue_audit.cli.options import AsJson, AsOf, CaseDir, Quiet
from venue_audit.cli.output import print_json
from venue_audit.cli.progress import StageProgress
from venue_audit.preflight import judged_at, parse_day


@app.command("consent")
def consent_command(
    case_dir: CaseDir,
    consent_log: Annotated[
        Path | None,
        typer.Argument(
            help="Consent register: CSV, XLSX, JSON or SQLite.",
            metavar="[CONSENT_LOG]",
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", metavar="FILE", help="Retention and purpose policy (TOML)."),
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option(
            "--link",
            metavar="DB_COL=LOG_COL",
            help="How persons' keys map to the register's columns.",
        ),
    ] = None,
    as_of: AsOf = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Cross-check the persons found against a consent register and a retention policy.

    Gives every person exactly one status (no_consent, withdrawn_retained, expired_retained,
    consented) and derives the findings with their legal citations.

    Example: venue-audit consent ./case-001 到访登记同意书.csv --policy policy.toml --as-of 2024-06-30
    """
    from venue_audit.assess import assess_case
    from venue_audit.consent import parse_link
    from venue_audit.identify import identify
    from venue_audit.user_files import require_inputs

    parse_day(as_of)
    require_inputs((consent_log, "consent register"), (policy, "policy file"))
    case = open_case(case_dir)
    stages = require_scanned(case)
    day = judged_at(as_of, policy, case.info.as_of)
    links = [parse_link(spec) for spec in link or []]
    with StageProgress(quiet) as shown:
        if not stages.identify_current:
            shown.stage("identify", 0, 2)
            identify(case, sys.argv)
        shown.stage("assess", 1, 2)
        outcome = assess_case(case, consent_log, policy, links, day.isoformat(), sys.argv)
    result = outcome.assessment
    if as_json:
        print_json(
            {
                "by_status": result.by_status,
                "by_flag": result.by_flag,
                "findings": [f.to_summary() for f in outcome.findings],
                "problems": [str(p) for p in result.problems],
            }
        )
        return
    table = Table(title=f"Consent status at {result.as_of}")
    table.add_column("status")
    table.add_column("persons", justify="right")
    for status, count in result.by_status.items():
        table.add_row(status, str(count))
    for flag, count in result.by_flag.items():
        table.add_row(f"flag: {flag}", str(count))
    console.print(table)
    for finding in outcome.findings:
        console.print(
            f"[bold]{finding.rule}[/bold] ({finding.severity}) ×{finding.count}: {', '.join(finding.citation_codes)}"
        )
    if not quiet:
        for problem in result.problems[:20]:
            console.print(f"  [yellow]consent log:[/yellow] {problem}")
