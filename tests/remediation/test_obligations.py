"""Duties the numbers trigger: filing at 100,000 persons, the impact assessment, consent gaps."""

from __future__ import annotations

from datetime import date

import pytest

from tests.remediation.conftest import TRUTH
from venue_audit.remediation.obligations import (
    FILING_THRESHOLD,
    case_obligations,
    filing_obligation,
)

IN_FORCE = date(2025, 6, 1)  # the Measures (CAC/MPS Order No. 19)


@pytest.mark.parametrize(
    ("persons", "interval", "lower_bound", "verdict"),
    [
        (99_999, (97_000, 99_999), 96_500, "not_reached"),
        (100_000, (100_000, 100_000), 100_000, "reached"),
        (100_001, (99_000, 103_000), 98_800, "possibly_reached"),  # the bound is under
        (98_000, (95_000, 100_400), 94_000, "possibly_reached"),  # only the interval reaches
        (130_000, (120_000, 140_000), 118_000, "reached"),
        (5, (5, 5), 5, "not_reached"),
    ],
)
def test_filing_is_judged_on_the_count_its_interval_and_lower_bound(
    persons: int, interval: tuple[int, int], lower_bound: int, verdict: str
) -> None:
    duty = filing_obligation(persons, date(2025, 9, 1), interval, lower_bound)
    assert duty.verdict == verdict
    assert duty.facts == {
        "persons": persons,
        "interval": list(interval),
        "lower_bound": lower_bound,
        "threshold": FILING_THRESHOLD,
    }


def test_filing_duty_is_cited_only_once_the_measures_are_in_force() -> None:
    after = filing_obligation(150_000, IN_FORCE)
    assert (after.verdict, after.in_force, after.citations) == ("reached", True, ["Measures Art. 15"])
    before = filing_obligation(150_000, date(2025, 5, 31))
    assert (before.verdict, before.in_force, before.citations) == ("reached", False, [])
    assert before.later_guidance == ["Measures Art. 15"]
    assert before.in_force_from == "2025-06-01"


def test_the_sample_venues_duties_carry_the_audits_facts(sample_case) -> None:
    filing, assessment, consent = case_obligations(sample_case)
    persons = TRUTH["persons"]["distinct"]
    assert (filing.verdict, filing.facts["persons"]) == ("not_reached", persons)
    assert filing.citations == [] and filing.later_guidance == ["Measures Art. 15"]
    assert assessment.verdict == "required"
    assert assessment.citations == ["PIPL Art. 55", "PIPL Art. 56"]
    facts = assessment.facts
    assert facts["records"] == TRUTH["faces"]["records"]
    assert facts["persons"] == persons
    assert facts["sent_to"] == ["oss://scrm-cloud-backup/faces/"]
    assert facts["upload_days"] == 6
    assert facts["retention_days"] == 90
    assert facts["first_capture"].startswith("2024-02-15")
    assert {s["store"] for s in facts["offsite_stores"]} == {"export/cloud/backup_20240316.zip"}
    assert consent.verdict == "gaps"
    assert consent.facts["no_consent"] == TRUTH["persons"]["by_status"]["no_consent"]
    assert consent.facts["withdrawn_retained"] == 1
    assert consent.facts["captured_before_consent"] == 1  # kit_harington: captured, then signed
    assert "PIPL Art. 26" in consent.citations  # signs where cameras capture faces
