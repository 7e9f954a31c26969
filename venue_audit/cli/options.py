"""Options shared by several commands: one spelling and one meaning everywhere.

``--json`` prints the command's result as JSON on stdout; ``--json-out FILE`` writes it to a
file; ``-q/--quiet`` turns off progress and notes; ``-w/--workers N`` is the number of
processes; ``--as-of DATE`` is the day the audit is judged at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CaseDir = Annotated[
    Path,
    typer.Argument(help="The case folder (holds case.db).", metavar="CASE_DIR", show_default=False),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress display or notes; print only the result."),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout (for scripts).")
]
JsonOut = Annotated[
    Path | None,
    typer.Option("--json-out", metavar="FILE", help="Also write the result as JSON to FILE."),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers", "-w", metavar="N", help="Worker processes to use (default: all cores)."
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="The day the audit is judged at (YYYY-MM-DD); recorded, so a rerun is identical.",
    ),
]
Offsite = Annotated[
    list[Path] | None,
    typer.Option(
        "--offsite",
        metavar="PATH",
        help="A source (or a folder in one) taken from outside the venue: a cloud export, "
        "another host. Venue faces found there are an off-site-transfer finding.",
    ),
]
Examiners = Annotated[
    list[str] | None,
    typer.Option(
        "--examiner", metavar="NAME", help="An examiner's name; give two different names."
    ),
]
