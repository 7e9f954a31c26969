"""``browse``: the case database in a web browser (Datasette), read-only, on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from venue_audit.cli.app import app, console, fail, open_case
from venue_audit.cli.options import CaseDir


@app.command("browse")
def browse_command(
    case_dir: CaseDir,
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Port on 127.0.0.1 to serve on.")
    ] = 8001,
) -> None:
    """Open the case database in a browser (Datasette), read-only, on this machine only.

    Offers canned queries: persons without consent, artifacts by store, findings, skipped items.

    Example: venue-audit browse ./case-001 --port 8001
    """
    from venue_audit.browse import serve

    case = open_case(case_dir)
    try:
        process = serve(case, port)
    except RuntimeError as error:
        raise fail(str(error)) from error
    console.print(
        f"Serving {case.db_path} read-only at http://127.0.0.1:{port}/case (Ctrl-C to stop)"
    )
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
