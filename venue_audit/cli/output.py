"""What commands print: JSON for scripts, the closing audit table."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.table import Table

from venue_audit.cli.app import console


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_audit_summary(summary: dict[str, Any], outputs: dict[str, Any]) -> None:
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
            f"{persons['distinct']}  (interval {persons['interval'][0]}–{persons['interval'][1]},"
            f" at least {persons['lower_bound']})",
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
