"""Turn a deletion verdict (``venue_audit.verify``) into the report's verification section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from venue_audit.report.model import VerificationRow, VerificationSection

if TYPE_CHECKING:
    from venue_audit.verify.deletion import DeletionVerdict

MAX_PERSON_ROWS = 50


def verification_section(verdict: DeletionVerdict) -> VerificationSection:
    """One row per baseline store, then the persons with anything left, worst first.

    Verdicts are the keys ``clean`` / ``residual``; the renderer words them in the
    report's language.
    """
    rows = []
    for store, states in sorted(verdict.by_store.items()):
        rows.append(_row(store, states))
    people = sorted(
        verdict.by_person.items(),
        key=lambda item: -(item[1].get("remaining_live", 0) + item[1].get("recoverable", 0)),
    )
    for person, states in people[:MAX_PERSON_ROWS]:
        if states.get("remaining_live", 0) or states.get("recoverable", 0):
            rows.append(_row(f"person {person}", states))
    return VerificationSection(
        verdict="clean" if verdict.clean else "residual",
        rows=rows,
        baseline="baseline scan",
        after=", ".join(verdict.checked),
    )


def _row(subject: str, states: dict[str, int]) -> VerificationRow:
    live = states.get("remaining_live", 0)
    recoverable = states.get("recoverable", 0)
    return VerificationRow(
        subject=subject,
        live=live,
        recoverable=recoverable,
        gone=states.get("gone", 0),
        verdict="residual" if live or recoverable else "clean",
    )
