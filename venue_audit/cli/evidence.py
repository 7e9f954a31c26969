"""``acquire`` and ``verify-manifest``: hash the evidence read-only, and re-check it later."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from venue_audit import acquire as acquisition
from venue_audit.acquire.items import MEMBER_SEPARATOR
from venue_audit.cli.app import EXIT_INTEGRITY, app, console, open_case
from venue_audit.cli.options import AsJson, CaseDir, Offsite, Quiet, Workers
from venue_audit.cli.output import print_json
from venue_audit.cli.progress import StageProgress
from venue_audit.preflight import require_sources, require_within_sources


@app.command("acquire")
def acquire_command(
    case_dir: CaseDir,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders exported from the venue, or postgresql:// / mysql:// URLs.",
            metavar="SOURCE...",
            show_default=False,
        ),
    ],
    tables: Annotated[
        list[str] | None,
        typer.Option(
            "--tables", metavar="GLOB", help="Live databases: also copy these tables (globs)."
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", metavar="GLOB", help="Live databases: never copy these tables (globs)."
        ),
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
    from venue_audit.acquire.live import acquire_database, is_database_url

    databases = [s for s in sources if is_database_url(s)]
    paths = [Path(s) for s in sources if not is_database_url(s)]
    if paths:
        require_sources(paths)
    case = open_case(case_dir)
    acquired = [row["root"] for row in case.db.query("select root from sources")]
    require_within_sources(offsite or [], [*paths, *acquired])
    live = []
    for url in databases:
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
    result = None
    if paths:
        with StageProgress(quiet) as shown:
            shown.stage("acquire")
            result = acquisition.acquire(
                case, paths, workers=workers, progress=shown.update, command=sys.argv
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
        print_json(summary)
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
        typer.Argument(
            help="Sources to audit (default: all of the case's).",
            metavar="[SOURCE]...",
            show_default=False,
        ),
    ] = None,
    workers: Workers = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Re-hash the evidence and compare it with the manifest; exit code 3 on any difference.

    Reports matched / changed / moved / missing / new, as hashdeep's audit mode does.

    Example: venue-audit verify-manifest ./case-001
    """
    from venue_audit.case.stages import require_acquired

    case = open_case(case_dir)
    require_acquired(case)  # an empty manifest would "pass" without checking anything
    with StageProgress(quiet) as shown:
        shown.stage("re-hashing")
        result = acquisition.verify_manifest(
            case, sources or None, workers=workers, progress=shown.update, command=sys.argv
        )
    members = sum(MEMBER_SEPARATOR in path for path in result.matched)
    if as_json:
        print_json(
            {
                "passed": result.passed,
                "counts": result.counts(),
                "matched_files": len(result.matched) - members,
                "matched_archive_members": members,
                "changed": result.changed,
                "moved": result.moved,
                "missing": result.missing,
                "new": result.new,
            }
        )
    else:
        counts = result.counts()
        console.print("  ".join(f"{name}: {count}" for name, count in counts.items()))
        console.print(
            f"matched = {len(result.matched) - members} files on disk (what hashdeep checks) "
            f"+ {members} archive members (read inside their archives)"
        )
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
