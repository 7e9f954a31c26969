"""``browse``: the case in a web browser (Datasette), read-only, on this machine."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from venue_audit.cli.app import EXIT_INTERNAL, app, console, fail, open_case
from venue_audit.cli.options import AsJson, CaseDir, Quiet
from venue_audit.cli.output import print_json


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end browsing as Ctrl-C does, so the server is stopped, not orphaned."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    wanted = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {number: signal.signal(number, stop) for number in wanted}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@app.command("browse")
def browse_command(
    case_dir: CaseDir,
    port: Annotated[
        int,
        typer.Option(
            "--port", metavar="PORT", min=1, max=65535, help="Port on 127.0.0.1 to serve on (1-65535)."
        ),
    ] = 8001,
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Open the case in a browser (Datasette), read-only, on this machine only; Ctrl-C stops it.

    Serves a copy of the case without face embeddings, with every table and column described,
    faces and findings linked to persons, the report's tables as views (report_stores,
    report_persons, report_findings, report_evidence) and canned queries (persons without
    consent, artifacts by store, skipped items, timeline). --json prints the address as JSON
    once the server answers.

    Example: venue-audit browse ./case-001 --port 8001
    """
    from venue_audit.browse import serve

    case = open_case(case_dir)
    with _stop_signals_interrupt():
        server = serve(case, port)
        try:
            if as_json:
                print_json(server.as_json())
            else:
                console.print(
                    f"Serving {server.database} read-only at {server.url} (Ctrl-C to stop)"
                )
            typer.get_text_stream("stdout").flush()
            code = server.process.wait()
        except KeyboardInterrupt:  # the way to stop browsing, not an interruption
            server.stop()
            if not quiet and not as_json:
                console.print("Stopped.")
            return
        finally:
            server.stop()
    if code != 0:
        raise fail(f"Datasette stopped with exit code {code}; see {server.log}", EXIT_INTERNAL)
