"""``report`` and ``verify-report``: write the evidence report, and check one later."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from venue_audit.case.stages import require_assessed
from venue_audit.cli.app import EXIT_INTEGRITY, app, console, open_case
from venue_audit.cli.options import AsJson, AsOf, CaseDir, Lang, Quiet
from venue_audit.cli.output import print_json
from venue_audit.cli.progress import StageProgress
from venue_audit.errors import UsageError
from venue_audit.preflight import parse_day, require_output_file


@app.command("report")
def report_command(
    case_dir: CaseDir,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="The PDF to write (annexes go beside it)."),
    ] = None,
    lang: Lang = "zh",
    as_of: AsOf = None,
    no_redact: Annotated[
        bool, typer.Option("--no-redact", help="Sharp thumbnails, for a sealed annex.")
    ] = False,
    sealed_contact_sheets: Annotated[
        bool,
        typer.Option(
            "--sealed-contact-sheets",
            help="Also write each person's contact sheet unblurred into sealed/ beside the "
            "report, with its own sealed.sha256, to be handed over sealed.",
        ),
    ] = False,
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign",
            metavar="FILE",
            help="Sign with this PKCS#12 (password from VENUE_AUDIT_P12_PASSWORD or a prompt).",
        ),
    ] = None,
    font: Annotated[
        Path | None,
        typer.Option(
            "--font",
            metavar="FILE",
            help="A TrueType font (.ttf, or .ttc#N) to embed instead of the bundled Noto Sans SC.",
        ),
    ] = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Write the evidence report (PDF) with summary.json, manifest.csv, findings.csv, persons.csv.

    Example: venue-audit report ./case-001 --out ./case-001/report.pdf --sign examiner.p12
    """
    from venue_audit.report import report_case
    from venue_audit.report.fonts import FONT_ENV, register_fonts
    from venue_audit.report.person_annexes import SEALED_DIR, SEALED_HASHES
    from venue_audit.report.sign import load_signer

    parse_day(as_of)
    if out is not None:
        require_output_file(out, "--out")
    if font is not None or os.environ.get(FONT_ENV):
        register_fonts(font_file=font)  # a font that cannot be embedded is refused here
    case = open_case(case_dir)
    require_assessed(case)
    password = None
    if sign is not None:
        if not sign.is_file():
            raise UsageError(f"--sign {sign}: no such file")
        secret = os.environ.get("VENUE_AUDIT_P12_PASSWORD")
        if secret is None:
            if not sys.stdin.isatty():
                raise UsageError(
                    f"--sign {sign}: set VENUE_AUDIT_P12_PASSWORD (no terminal to ask on)"
                )
            secret = typer.prompt(
                "PKCS#12 password", hide_input=True, default="", show_default=False
            )
        password = secret.encode() if secret else None
        load_signer(sign, password)
    target = out or case.directory / "report" / "report.pdf"  # report_case makes the folder
    with StageProgress(quiet) as shown:
        shown.stage("report")
        outputs = report_case(
            case,
            target,
            as_of=as_of,
            lang=lang,
            redact=not no_redact,
            sign_p12=sign,
            p12_password=password,
            font_file=font,
            command=sys.argv,
            sealed_contact_sheets=sealed_contact_sheets,
        )
    sealed = target.parent / SEALED_DIR if sealed_contact_sheets else None
    if as_json:
        print_json(
            {
                "report_id": outputs.report_id,
                "pdf": str(outputs.pdf),
                "pages": outputs.pages,
                "signed": outputs.signed,
                "annexes": {name: str(path) for name, path in outputs.annexes.items()},
                "hash_list": str(outputs.hash_list),
                "sealed_contact_sheets": str(sealed) if sealed else None,
            }
        )
        return
    console.print(
        f"Report {outputs.report_id}: {outputs.pdf} ({outputs.pages} pages{', signed' if outputs.signed else ''})"
    )
    for name, path in outputs.annexes.items():
        console.print(f"  {name}: {path}")
    console.print(f"  hashes: {outputs.hash_list}")
    if sealed is not None:
        console.print(f"  sealed contact sheets (unblurred): {sealed} ({sealed / SEALED_HASHES})")


@app.command("verify-report")
def verify_report_command(
    pdf: Annotated[
        Path,
        typer.Argument(
            help="The report PDF (annexes.sha256 beside it).", metavar="PDF", show_default=False
        ),
    ],
    require_signature: Annotated[
        bool, typer.Option("--require-signature", help="Fail when the PDF is unsigned.")
    ] = False,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Check a report's signature and re-hash its annexes; exit code 3 if anything differs.

    Example: venue-audit verify-report ./case-001/report/report.pdf --require-signature
    """
    from venue_audit.report import verify_report

    if not pdf.is_file():
        raise UsageError(f"{pdf} is not a file; name the report PDF (annexes.sha256 beside it)")
    result = verify_report(pdf, require_signature=require_signature)
    if as_json:
        print_json({**asdict(result), "ok": result.ok})
    else:
        for line in result.describe():
            console.print(line)
    if not result.ok:
        raise typer.Exit(EXIT_INTEGRITY)
