"""The command line: parse arguments, call the library, print. No logic lives here."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from venue_audit import __version__
from venue_audit import acquire as acquisition
from venue_audit.case import Case, CaseError, CaseInfo
from venue_audit.errors import VenueAuditError

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTEGRITY = 3

app = typer.Typer(
    help="Audit the facial data a venue has kept: acquire exports forensically, find and count "
    "faces and persons, cross-check consent, write an evidence report, verify deletions.\n\n"
    "Example: venue-audit case new ./case-001 --case-no 沪青检-2025-001 --venue 'Sales office A' "
    "--examiner 张三 --examiner 李四",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
case_app = typer.Typer(help="Create and inspect case workspaces.", no_args_is_help=True)
app.add_typer(case_app, name="case")

console = Console()
errors = Console(stderr=True)

CaseDir = Annotated[
    Path, typer.Argument(help="The case folder (holds case.db).", show_default=False)
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress display; print only the result.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
Workers = Annotated[
    int | None, typer.Option("--workers", "-w", help="Processes to hash with (default: all cores).")
]
Offsite = Annotated[
    list[Path] | None,
    typer.Option(
        "--offsite",
        help="A source (or a folder in one) taken from outside the venue: a cloud export, "
        "another host. Venue faces found there are an off-site-transfer finding.",
    ),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"venue-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """venue-audit: forensic audit of a venue's face data."""


def _open_case(directory: Path) -> Case:
    try:
        return Case(directory)
    except CaseError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE) from error


@contextmanager
def _refusals():
    """A refusal from the library (errors.VenueAuditError) as one line and its exit code."""
    try:
        yield
    except VenueAuditError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(error.exit_code) from error


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def _byte_progress(label: str, quiet: bool):
    """A rich progress bar fed by the library's (done, total) callback."""
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@case_app.command("new")
def case_new(
    case_dir: CaseDir,
    case_no: Annotated[
        str, typer.Option("--case-no", help="Case number (案号), e.g. 沪青检-2025-001.")
    ],
    venue: Annotated[
        str, typer.Option("--venue", help="The venue examined (sales office, store …).")
    ],
    examiner: Annotated[
        list[str], typer.Option("--examiner", help="An examiner's name; give it at least twice.")
    ],
    org: Annotated[str, typer.Option("--org", help="Commissioning body (委托单位).")] = "",
    title: Annotated[str, typer.Option("--title", help="Cause of the case (案由).")] = "",
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone for every time the case records.")
    ] = "Asia/Shanghai",
    as_json: AsJson = False,
) -> None:
    """Create a case workspace: a folder (mode 0700) holding case.db and its custody log.

    Example: venue-audit case new ./case-001 --case-no 沪青检-2025-001 --venue 'Sales office A'
    --examiner 张三 --examiner 李四
    """
    info = CaseInfo(case_no=case_no, venue=venue, examiners=examiner, org=org, title=title, tz=tz)
    try:
        case = Case.create(case_dir, info, command=sys.argv)
    except VenueAuditError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(error.exit_code) from error
    if as_json:
        _print_json(
            {
                "case_dir": str(case.directory),
                "case_no": case_no,
                "created_at": case.info.created_at,
            }
        )
    else:
        console.print(f"Created case [bold]{case_no}[/bold] in {case.directory}")


@app.command("acquire")
def acquire_command(
    case_dir: CaseDir,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders exported from the venue, or postgresql:// / mysql:// URLs.",
            show_default=False,
        ),
    ],
    tables: Annotated[
        list[str] | None,
        typer.Option("--tables", help="Live databases: also copy these tables (globs)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Live databases: never copy these tables (globs)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Live databases: list schemas, tables and counts; copy nothing."
        ),
    ] = False,
    offsite: Offsite = None,
    workers: Workers = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Hash every file and archive member of the sources into the case, read-only.

    Records path, size, mtime, type, MD5, SHA-256 and SM3 per item, then writes
    manifest.csv (电子数据清单), manifest.hashdeep and manifest.dfxml into the case.
    A running PostgreSQL or MySQL/MariaDB server is read in one read-only snapshot; its face
    tables are copied into a snapshot file inside the case (password from VENUE_AUDIT_DB_PASSWORD
    or a prompt, never from the command line).

    Example: venue-audit acquire ./case-001 /mnt/export/server /mnt/export/cloud-backup.zip
    """
    from venue_audit.acquire.live import LiveAcquisitionError, acquire_database, is_database_url

    case = _open_case(case_dir)
    databases = [s for s in sources if is_database_url(s)]
    paths = [Path(s) for s in sources if not is_database_url(s)]
    for source in paths:
        if not source.exists() and not source.is_symlink():
            errors.print(f"[red]error:[/red] source {source} does not exist")
            raise typer.Exit(EXIT_USAGE)
    live = []
    for url in databases:
        try:
            live.append(
                acquire_database(
                    case,
                    url,
                    tables=tables or (),
                    exclude=exclude or (),
                    dry_run=dry_run,
                    prompt=lambda q: typer.prompt(q, hide_input=True),
                    command=sys.argv,
                )
            )
        except LiveAcquisitionError as error:
            errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(EXIT_USAGE) from error
    result = None
    if paths:
        with _refusals(), _byte_progress("Hashing", quiet) as progress:
            result = acquisition.acquire(
                case, paths, workers=workers, progress=progress, command=sys.argv
            )
    exports = acquisition.export_manifest(case)
    if offsite:
        from venue_audit.offsite import mark_offsite

        mark_offsite(case, offsite, sys.argv)
    summary = {
        "files": result.files if result else 0,
        "bytes": result.bytes if result else 0,
        "sources": [
            {
                "root": s.root,
                "files": s.files,
                "bytes": s.bytes,
                "new": len(s.new),
                "unchanged": len(s.unchanged),
                "changed": s.changed,
                "missing": s.missing,
                "errors": [{"path": p, "error": e} for p, e in s.errors],
            }
            for s in (result.sources if result else [])
        ],
        "databases": [item.as_summary() for item in live],
        "manifest_sha256": acquisition.manifest_digest(case),
        "exports": {k: str(v) for k, v in exports.items()},
    }
    if as_json:
        _print_json(summary)
        return
    for item in live:
        database = item.as_summary()
        console.print_json(data=database) if dry_run else console.print(
            f"Database {item.target.display}: copied {len(item.copied)} table(s) into {item.snapshot}"
        )
    if result:
        table = Table(title="Acquired", show_lines=False)
        for column in (
            "source",
            "files",
            "bytes",
            "new",
            "unchanged",
            "changed",
            "missing",
            "problems",
        ):
            table.add_column(column, justify="left" if column == "source" else "right")
        for s in result.sources:
            table.add_row(
                s.root,
                str(s.files),
                f"{s.bytes:,}",
                str(len(s.new)),
                str(len(s.unchanged)),
                str(len(s.changed)),
                str(len(s.missing)),
                str(len(s.errors)),
            )
        console.print(table)
        if not quiet:
            for s in result.sources:
                for path, error in s.errors[:20]:
                    console.print(f"  [yellow]note[/yellow] {path}: {error}")
                for path in s.changed[:20]:
                    console.print(f"  [yellow]changed since last acquisition[/yellow] {path}")
    console.print(f"Manifest SHA-256 {summary['manifest_sha256']}")
    console.print(f"Written: {', '.join(str(p) for p in exports.values())}")


@app.command("verify-manifest")
def verify_manifest_command(
    case_dir: CaseDir,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Sources to audit (default: all of the case's).", show_default=False),
    ] = None,
    workers: Workers = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Re-hash the evidence and compare it with the manifest; exit code 3 on any difference.

    Reports matched / changed / moved / missing / new, as hashdeep's audit mode does.

    Example: venue-audit verify-manifest ./case-001
    """
    case = _open_case(case_dir)
    with _refusals(), _byte_progress("Re-hashing", quiet) as progress:
        result = acquisition.verify_manifest(
            case, sources or None, workers=workers, progress=progress, command=sys.argv
        )
    if as_json:
        _print_json(
            {
                "passed": result.passed,
                "counts": result.counts(),
                "changed": result.changed,
                "moved": result.moved,
                "missing": result.missing,
                "new": result.new,
            }
        )
    else:
        counts = result.counts()
        console.print("  ".join(f"{name}: {count}" for name, count in counts.items()))
        for path in result.changed:
            console.print(f"  [red]changed[/red] {path}")
        for origin, path in result.moved:
            console.print(f"  [red]moved[/red] {origin} -> {path}")
        for path in result.missing:
            console.print(f"  [red]missing[/red] {path}")
        for path in result.new:
            console.print(f"  [red]new[/red] {path}")
        console.print("[green]Audit passed[/green]" if result.passed else "[red]Audit FAILED[/red]")
    if not result.passed:
        raise typer.Exit(EXIT_INTEGRITY)


def _passwords(path: Path | None) -> tuple[str, ...]:
    from venue_audit.user_files import read_password_file

    if path is None:
        return ()
    with _refusals():
        return read_password_file(path)


@app.command("scan")
def scan_command(
    case_dir: CaseDir,
    workers: Workers = None,
    min_face_size: Annotated[
        int, typer.Option("--min-face-size", help="Smallest face, in pixels, to look for.")
    ] = 40,
    encoder: Annotated[
        str,
        typer.Option(
            "--encoder",
            help="auto (onnx if installed, else numpy), onnx, numpy, or dlib (the reference).",
        ),
    ] = "auto",
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler", help="Run extraction on a Dask cluster (tcp://HOST:PORT)."
        ),
    ] = None,
    zip_password_file: Annotated[
        Path | None,
        typer.Option(
            "--zip-password-file",
            help="Passwords for encrypted zips, one per line (kept out of the custody log).",
        ),
    ] = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Find every stored face image and face template in the acquired evidence, and count them.

    Reads folders, archives, SQLite databases, SQL dumps, CSV/JSON exports, videos and logs;
    resumable: run it again after an interruption and nothing is counted twice.

    Example: venue-audit scan ./case-001 --workers 2
    """
    from venue_audit.faces import EngineConfig
    from venue_audit.scan import ScanOptions, count_faces, scan

    case = _open_case(case_dir)
    options = ScanOptions(
        workers=workers or 0,
        engine=EngineConfig(min_face_size=min_face_size, encoder=encoder),
        dask_scheduler=dask_scheduler,
        zip_passwords=_passwords(zip_password_file),
    )
    with _refusals(), _byte_progress("Scanning", quiet) as progress:
        run = scan(case, options, progress=progress, command=sys.argv)
    counts = count_faces(case)
    stores = list(case.db.query("select id, locator, kind, profile from stores order by locator"))
    if as_json:
        _print_json(
            {
                "run": {"items": run.items, "already_done": run.resumed_after, **dict(run.stats)},
                "faces": counts.as_summary(),
                "stores": [
                    {**s, **counts.by_store[s["id"]].__dict__}
                    for s in stores
                    if counts.by_store.get(s["id"])
                ],
            }
        )
        return
    table = Table(title="Face data found")
    for column in ("store", "kind", "records", "face images", "templates", "duplicates"):
        table.add_column(column, justify="left" if column in ("store", "kind") else "right")
    for store in stores:
        found = counts.by_store.get(store["id"])
        if found:
            table.add_row(
                store["locator"],
                f"{store['kind']}/{store['profile']}",
                str(found.records),
                str(found.face_images),
                str(found.face_templates),
                str(found.duplicates),
            )
    console.print(table)
    totals = counts.as_summary()
    console.print("  ".join(f"{name}: {value}" for name, value in totals.items()))
    if run.stats.get("skipped"):
        console.print(
            f"[yellow]{run.stats['skipped']} item(s) skipped; see the report's list of skipped items[/yellow]"
        )


@app.command("report")
def report_command(
    case_dir: CaseDir,
    out: Annotated[
        Path | None, typer.Option("--out", help="The PDF to write (annexes go beside it).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh (default), en, or zh+en.")] = "zh",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date the report is judged at.")
    ] = None,
    no_redact: Annotated[
        bool, typer.Option("--no-redact", help="Sharp thumbnails, for a sealed annex.")
    ] = False,
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign",
            help="Sign with this PKCS#12 (password from VENUE_AUDIT_P12_PASSWORD or a prompt).",
        ),
    ] = None,
) -> None:
    """Write the evidence report (PDF) with summary.json, manifest.csv, findings.csv, persons.csv.

    Example: venue-audit report ./case-001 --out ./case-001/report.pdf --sign examiner.p12
    """
    import os

    from venue_audit.report import report_case

    case = _open_case(case_dir)
    password = None
    if sign is not None:
        secret = os.environ.get("VENUE_AUDIT_P12_PASSWORD")
        if secret is None:
            secret = typer.prompt(
                "PKCS#12 password", hide_input=True, default="", show_default=False
            )
        password = secret.encode() if secret else None
    target = out or case.directory / "report" / "report.pdf"
    try:
        outputs = report_case(
            case,
            target,
            as_of=as_of,
            lang=lang,
            redact=not no_redact,
            sign_p12=sign,
            p12_password=password,
            command=sys.argv,
        )
    except VenueAuditError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(error.exit_code) from error
    except ValueError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE) from error
    console.print(
        f"Report {outputs.report_id}: {outputs.pdf} ({outputs.pages} pages{', signed' if outputs.signed else ''})"
    )
    for name, path in outputs.annexes.items():
        console.print(f"  {name}: {path}")
    console.print(f"  hashes: {outputs.hash_list}")


@app.command("verify-report")
def verify_report_command(
    pdf: Annotated[
        Path, typer.Argument(help="The report PDF (annexes.sha256 beside it).", show_default=False)
    ],
    require_signature: Annotated[
        bool, typer.Option("--require-signature", help="Fail when the PDF is unsigned.")
    ] = False,
) -> None:
    """Check a report's signature and re-hash its annexes; exit code 3 if anything differs.

    Example: venue-audit verify-report ./case-001/report/report.pdf --require-signature
    """
    from venue_audit.report import verify_report

    result = verify_report(pdf, require_signature=require_signature)
    for line in result.describe():
        console.print(line)
    if not result.ok:
        raise typer.Exit(EXIT_INTEGRITY)


@app.command("verify-deletion")
def verify_deletion_command(
    case_dir: CaseDir,
    after_sources: Annotated[
        list[Path],
        typer.Argument(
            help="Every replica after the deletion: server, cloud export, backups.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the report with its verification section (PDF)."),
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

    case = _open_case(case_dir)
    for source in after_sources:
        if not source.exists():
            errors.print(f"[red]error:[/red] source {source} does not exist")
            raise typer.Exit(EXIT_USAGE)
    with _refusals():
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
        _print_json(verdict.as_json())
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
        raise typer.Exit(EXIT_FINDINGS)


@app.command("custody")
def custody_command(
    case_dir: CaseDir,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the hash chain; exit code 3 if broken.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Print the chain-of-custody log; with --verify, prove no event was edited, inserted or removed.

    Example: venue-audit custody ./case-001 --verify
    """
    case = _open_case(case_dir)
    problems = case.verify_integrity() if verify else []
    events = case.custody_events()
    if as_json:
        _print_json(
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
        with _refusals():
            case.log("custody.verify", {"events": len(events), "intact": True}, sys.argv)


def _print_summary(summary: dict[str, Any], outputs: dict[str, Any]) -> None:
    """The closing table of an audit: what a reader needs on one screen."""
    faces, persons = summary["faces"], summary["persons"]
    table = Table(title=f"Audit of case {summary.get('case_no', '')} as of {summary.get('as_of')}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("capture records (人次)", faces["records"]),
        ("face images / faces in them", f"{faces['face_images']} / {faces['faces_in_images']}"),
        ("face templates", faces["face_templates"]),
        ("exact duplicates (linked, not counted)", faces["exact_duplicates"]),
        ("deleted but recoverable records", faces["deleted_recoverable"]),
        (
            "distinct persons (人数)",
            f"{persons['distinct']}  (band {persons['band'][0]}–{persons['band'][1]})",
        ),
        ("persons only in deleted data", persons["only_in_deleted"]),
    ]
    rows += [(f"  status: {status}", count) for status, count in persons["by_status"].items()]
    rows += [(f"  finding: {f['rule']} ({f['severity']})", f["count"]) for f in summary["findings"]]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    for name, path in outputs.items():
        console.print(f"{name}: {path}")


def _stage_printer(quiet: bool):
    if quiet:
        return None

    def show(name: str, index: int, total: int) -> None:
        errors.print(f"[{index + 1}/{total}] {name}")

    return show


@app.command("consent")
def consent_command(
    case_dir: CaseDir,
    consent_log: Annotated[
        Path | None, typer.Argument(help="Consent register: CSV, XLSX, JSON or SQLite.")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Retention and purpose policy (TOML).")
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option("--link", help="DB_COL=LOG_COL: how persons' keys map to log columns."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date the audit is judged at (YYYY-MM-DD).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Cross-check the persons found against a consent register and a retention policy.

    Gives every person exactly one status (no_consent, withdrawn_retained, expired_retained,
    consented) and derives the findings with their legal citations.

    Example: venue-audit consent ./case-001 到访登记同意书.csv --policy policy.toml --as-of 2024-06-30
    """
    from venue_audit.assess import assess_case
    from venue_audit.consent import ConsentLogError, LinkError, PolicyError, parse_link
    from venue_audit.identify import identify
    from venue_audit.user_files import require_inputs

    case = _open_case(case_dir)
    try:
        links = [parse_link(spec) for spec in link or []]
        require_inputs((consent_log, "consent register"), (policy, "policy file"))
        if not case.db["persons"].count:
            identify(case, sys.argv)
        outcome = assess_case(case, consent_log, policy, links, as_of, sys.argv)
    except VenueAuditError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(error.exit_code) from error
    except (ConsentLogError, PolicyError, LinkError, ValueError) as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE) from error
    result = outcome.assessment
    if as_json:
        _print_json(
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
    for problem in result.problems[:20]:
        console.print(f"  [yellow]consent log:[/yellow] {problem}")


@app.command("audit")
def audit_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="The venue's exports: folders, archives, databases, dumps.", show_default=False
        ),
    ],
    case_dir: Annotated[Path, typer.Option("--case", help="Case folder (created when missing).")],
    report: Annotated[
        Path | None, typer.Option("--report", help="Where to write the PDF report.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Where to write summary.json.")
    ] = None,
    consent_log: Annotated[
        Path | None, typer.Option("--consent", help="Consent register (CSV/XLSX/JSON/SQLite).")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Retention and purpose policy (TOML).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date the audit is judged at (YYYY-MM-DD).")
    ] = None,
    case_no: Annotated[
        str, typer.Option("--case-no", help="Case number for a new case.")
    ] = "AUDIT-1",
    venue: Annotated[str, typer.Option("--venue", help="Venue name for a new case.")] = "",
    examiner: Annotated[
        list[str] | None, typer.Option("--examiner", help="Examiner (twice) for a new case.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh, en or zh+en.")] = "zh",
    offsite: Offsite = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Run the whole audit in one command: acquire, scan, count persons, check consent, report.

    Example: venue-audit audit /mnt/export --consent 同意书.csv --policy policy.toml --as-of 2024-06-30
    --case ./case-001 --report report.pdf --json summary.json --examiner 张三 --examiner 李四
    """
    from venue_audit.audit import AuditRequest, audit

    info = CaseInfo(
        case_no=case_no,
        venue=venue or (sources[0].name if sources else ""),
        examiners=examiner or [],
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
    )
    try:
        result = audit(request, _stage_printer(quiet), sys.argv)
    except VenueAuditError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(error.exit_code) from error
    except ValueError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE) from error
    _print_summary(
        result.summary,
        {
            k: v
            for k, v in (("report", report), ("summary", json_out), ("case", result.case_dir))
            if v
        },
    )


@app.command("browse")
def browse_command(
    case_dir: CaseDir,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 to serve on.")] = 8001,
) -> None:
    """Open the case database in a browser (Datasette), read-only, on this machine only.

    Offers canned queries: persons without consent, artifacts by store, findings, skipped items.

    Example: venue-audit browse ./case-001 --port 8001
    """
    from venue_audit.browse import serve

    case = _open_case(case_dir)
    try:
        process = serve(case, port)
    except RuntimeError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE) from error
    console.print(
        f"Serving {case.db_path} read-only at http://127.0.0.1:{port}/case (Ctrl-C to stop)"
    )
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()


@app.command("demo")
def demo_command(
    sample_data: Annotated[
        Path | None, typer.Option("--sample-data", help="The sample export to audit.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Where the demo case and report go.")] = Path(
        "reports"
    ),
    quiet: Quiet = False,
) -> None:
    """Audit the bundled sample sales office end to end and write reports/demo-report.pdf.

    Example: venue-audit demo
    """
    from venue_audit.demo import run_demo

    result = run_demo(sample_data, out, _stage_printer(quiet), sys.argv)
    _print_summary(
        result.audit.summary,
        {"report": result.pdf, "summary": result.summary_json, "case": result.audit.case_dir},
    )


if __name__ == "__main__":
    app()
