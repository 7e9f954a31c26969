"""``scan``: find and count every stored face image and face template in the evidence."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from venue_audit.case.stages import require_acquired
from venue_audit.cli.app import app, console, open_case
from venue_audit.cli.options import AsJson, CaseDir, Encoder, Quiet, Workers
from venue_audit.cli.output import print_json
from venue_audit.cli.progress import StageProgress
from venue_audit.errors import UsageError

if TYPE_CHECKING:
    from venue_audit.faces import EngineConfig


def _passwords(path: Path | None) -> tuple[str, ...]:
    from venue_audit.user_files import read_password_file

    return read_password_file(path) if path is not None else ()


def engine_config(encoder: str, min_face_size: int | None = None) -> EngineConfig:
    """The face engine's settings, refused as options before any work (not as a crash later)."""
    from venue_audit.faces import EngineConfig

    if min_face_size is None:
        min_face_size = EngineConfig.min_face_size
    try:
        return EngineConfig(min_face_size=min_face_size, encoder=encoder)
    except ValueError as error:
        if "encoder" in str(error):
            raise UsageError(f"--encoder {encoder}: {error}") from None
        side = EngineConfig().photo_max_side
        if not side:
            raise UsageError(f"--min-face-size {min_face_size}: give 8 pixels or more") from None
        raise UsageError(
            f"--min-face-size {min_face_size}: give 8 to {side // 4} pixels "
            f"(photos are analysed at up to {side} pixels a side)"
        ) from None


def _scheduler(address: str | None) -> str | None:
    """A Dask scheduler address as distributed parses it (``tcp://HOST:PORT``), answering."""
    if address is None:
        return None
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise UsageError("--dask-scheduler needs Dask: pip install 'venue-audit[dask]'") from None
    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except ValueError as error:
        raise UsageError(
            f"--dask-scheduler {address!r}: {error}; write it as tcp://HOST:PORT"
        ) from None
    if host is not None:
        try:
            socket.create_connection((host, port), timeout=5).close()
        except OSError as error:
            raise UsageError(
                f"--dask-scheduler {address}: nothing answers there ({error.strerror or error})"
            ) from None
    return address


@app.command("scan")
def scan_command(
    case_dir: CaseDir,
    workers: Workers = None,
    min_face_size: Annotated[
        int,
        typer.Option("--min-face-size", metavar="PIXELS", help="Smallest face to look for."),
    ] = 40,
    encoder: Encoder = "auto",
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            metavar="ADDR",
            help="Run extraction on a Dask cluster (tcp://HOST:PORT).",
        ),
    ] = None,
    zip_password_file: Annotated[
        Path | None,
        typer.Option(
            "--zip-password-file",
            metavar="FILE",
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
    from venue_audit.scan import ScanOptions, count_faces, scan

    options = ScanOptions(
        workers=workers or 0,
        engine=engine_config(encoder, min_face_size),
        dask_scheduler=_scheduler(dask_scheduler),
        zip_passwords=_passwords(zip_password_file),
    )
    case = open_case(case_dir)
    require_acquired(case)
    with StageProgress(quiet) as shown:
        shown.stage("scan")
        run = scan(case, options, progress=shown.update, command=sys.argv)
    counts = count_faces(case)
    stores = list(case.db.query("select id, locator, kind, profile from stores order by locator"))
    if as_json:
        print_json(
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
