"""Turn a deletion verdict (``venue_audit.verify``) into the report's verification section.

``verify-deletion`` stores each verdict in ``case_meta`` (``verify-deletion:after-NNN``),
so any later report of the case carries the latest one: its verdict on the summary
page, a residual-data finding with the locations, the after-state evidence in the
evidence list, and the verdict itself as the annex ``verification.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from venue_audit.report.model import ResidualRow, VerificationRow, VerificationSection
from venue_audit.summary import latest_verdict, verification_entry

if TYPE_CHECKING:
    from venue_audit.verify.deletion import DeletionVerdict

__all__ = ["latest_verdict", "section_from_json", "verification_entry", "verification_section"]

MAX_PERSON_ROWS = 50
MAX_RESIDUAL_ROWS = 200


def verification_section(verdict: DeletionVerdict) -> VerificationSection:
    """The section for a verdict just made (``verify-deletion --out``)."""
    return section_from_json(verdict.as_json())


def section_from_json(verdict: dict[str, Any]) -> VerificationSection:
    """One row per baseline store, then the persons with anything left, worst first; then
    where each residual item was found.

    Verdicts are the keys ``clean`` / ``residual``; the renderer words them in the
    report's language.
    """
    rows = [_row(store, states) for store, states in sorted(verdict.get("by_store", {}).items())]
    people = sorted(
        verdict.get("by_person", {}).items(),
        key=lambda item: -(item[1].get("remaining_live", 0) + item[1].get("recoverable", 0)),
    )
    for person, states in people[:MAX_PERSON_ROWS]:
        if states.get("remaining_live", 0) or states.get("recoverable", 0):
            rows.append(_row(str(person), states, person=True))
    residual = [
        ResidualRow(
            baseline=str(item.get("baseline", "")),
            found_at=str(item.get("found_at", "")),
            how=str(item.get("how", "")),
            state=str(item.get("state", "")),
        )
        for item in verdict.get("residual", [])[:MAX_RESIDUAL_ROWS]
        if isinstance(item, dict)
    ]
    return VerificationSection(
        verdict="clean" if verdict.get("clean") else "residual",
        rows=rows,
        baseline="",
        after=", ".join(verdict.get("checked", [])),
        residual=residual,
        residual_total=len(verdict.get("residual", [])),
        raw=verdict,
    )


def _row(subject: str, states: dict[str, int], person: bool = False) -> VerificationRow:
    live = states.get("remaining_live", 0)
    recoverable = states.get("recoverable", 0)
    return VerificationRow(
        subject=subject,
        live=live,
        recoverable=recoverable,
        gone=states.get("gone", 0),
        verdict="residual" if live or recoverable else "clean",
        person=person,
    )
