"""``audit`` and ``demo``: every stage in one command, on the venue's exports or the sample."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from venue_audit.case import CaseInfo
from venue_audit.cli.app import app
from venue_audit.cli.options import (
    RECORD,
    AsJson,
    AsOf,
    Encoder,
    ExaminationRecord,
    Examiners,
    JsonOut,
    Lang,
    Offsite,
    Quiet,
    Workers,
    examination_record_options,
)
from venue_audit.cli.output import print_audit_summary, print_json
from venue_audit.cli.progress import StageProgress


@app.command("audit")
@examination_record_options
def audit_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="The venue's exports: folders, archives, databases, dumps.",
            metavar="SOURCE...",
            show_default=False,
        ),
    ],
    case_dir: Annotated[
        Path,
        typer.Option("--case", metavar="CASE_DIR", help="Case folder (created when missing)."),
    ],
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Where to write the PDF report."),
    ] = None,
    json_out: JsonOut = None,
    consent_log: Annotated[
        Path | None,
        typer.Option("--consent", metavar="FILE", help="Consent register (CSV/XLSX/JSON/SQLite)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", metavar="FILE", help="Retention and purpose policy (TOML)."),
    ] = None,
    as_of: AsOf = None,
    case_no: Annotated[
        str,
        typer.Option(
            "--case-no", metavar="NO", help="Case number (案号); required for a new case."
        ),
    ] = "",
    venue: Annotated[
        str,
        typer.Option("--venue", metavar="NAME", help="The venue; required for a new case."),
    ] = "",
    examiner: Examiners = None,
    amend: Annotated[
        bool,
        typer.Option(
            "--amend",
            help="The case exists with other details: record the ones given as an amendment.",
        ),
    ] = False,
    record: ExaminationRecord = RECORD,
    lang: Lang = "zh",
    offsite: Offsite = None,
    workers: Workers = None,
    encoder: Encoder = "auto",
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Run the whole audit in one command: acquire, scan, count persons, check consent, report.

    A case folder that exists is reused: acquisition and scan resume, and case details given
    again must match it (or --amend records the change in custody).

    Example: venue-audit audit /mnt/export --case ./case-001 --case-no 沪青检-2025-001
    --venue 某售楼处 --examiner 张三 --examiner 李四 --consent 同意书.csv --policy policy.toml
    --as-of 2024-06-30 --report report.pdf --json-out summary.json
    """
    from venue_audit.audit import AuditRequest, audit
    from venue_audit.cli.scan import engine_config

    info = CaseInfo(
        case_no=case_no, venue=venue, examiners=examiner or [], **record.case_fields()
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
        amend=amend,
        engine=engine_config(encoder),
    )
    with StageProgress(quiet) as shown:
        result = audit(request, shown.stage, sys.argv, shown.update)
    if as_json:
        print_json(result.summary)
        return
    print_audit_summary(
        result.summary,
        {
            k: v
            for k, v in (("report", report), ("summary", json_out), ("case", result.case_dir))
            if v
        },
    )


@app.command("demo")
def demo_command(
    sample_data: Annotated[
        Path | None,
        typer.Option("--sample-data", metavar="DIR", help="The sample export to audit."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Where the demo case and report go.")
    ] = Path("reports"),
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Audit the bundled sample sales office end to end and write reports/demo-report.pdf.

    Example: venue-audit demo
    """
    from venue_audit.demo import run_demo

    with StageProgress(quiet) as shown:
        result = run_demo(sample_data, out, shown.stage, sys.argv, shown.update)
    if as_json:
        print_json(result.audit.summary)
        return
    print_audit_summary(
        result.audit.summary,
        {"report": result.pdf, "summary": result.summary_json, "case": result.audit.case_dir},
    )
