"""Status precedence, retention day-counting, and the two flags, rule by rule."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from venue_audit.consent import (
    ConsentLog,
    ConsentPolicy,
    PersonFacts,
    PolicyError,
    assess,
    load_consent_log,
)

from .scenario import at

AS_OF = date(2024, 6, 30)


HEADER = "访客编号,签署时间,撤回时间,用途"
LATER = "2024-06-20 10:00"


def log_of(tmp_path: Path, *rows: str, header: str = HEADER) -> ConsentLog:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return load_consent_log(path)


def status_of(
    tmp_path: Path, person: PersonFacts, *rows: str, policy: ConsentPolicy | None = None
) -> tuple[str, set[str], str]:
    policy = (policy or ConsentPolicy()).with_as_of(AS_OF)
    result = assess([person], log_of(tmp_path, *rows), policy)
    status = result.statuses[0]
    return status.status, status.flags, status.reason


def visitor(*captures: str, purposes: set[str] | None = None) -> PersonFacts:
    return PersonFacts("1", {"visitor_id": {"V1"}}, [at(c) for c in captures], purposes)


def test_no_row_means_no_consent(tmp_path: Path) -> None:
    status, flags, reason = status_of(tmp_path, visitor("2024-06-20 10:00"), "V2,2024-01-01,,安防")
    assert (status, flags) == ("no_consent", set())
    assert "no consent row linked" in reason


def test_withdrawal_takes_precedence_over_expiry(tmp_path: Path) -> None:
    person = visitor("2023-01-01 10:00")
    status, _, reason = status_of(tmp_path, person, "V1,2022-12-01,2024-02-01 08:00,安防")
    assert status == "withdrawn_retained"
    assert "2024-02-01 08:00" in reason


def test_retention_counts_calendar_days_in_the_case_zone(tmp_path: Path) -> None:
    rows = ("V1,2024-01-01,,安防",)
    # 30 days' retention: 05-31 is still inside on 06-30, 05-30 is not.
    assert status_of(tmp_path, visitor("2024-05-31 23:59"), *rows)[0] == "consented"
    assert status_of(tmp_path, visitor("2024-05-30 00:01"), *rows)[0] == "expired_retained"
    # 2024-05-30 16:30 UTC is 05-31 00:30 in Shanghai: inside.
    utc = PersonFacts("1", {"visitor_id": {"V1"}}, [datetime.fromisoformat("2024-05-30T16:30Z")])
    assert status_of(tmp_path, utc, *rows)[0] == "consented"


def test_naive_capture_times_are_read_in_the_case_zone(tmp_path: Path) -> None:
    naive = PersonFacts("1", {"visitor_id": {"V1"}}, [datetime(2024, 6, 10, 9, 0)])
    status, flags, _ = status_of(tmp_path, naive, "V1,2024-06-10 09:30,,安防")
    assert (status, flags) == ("consented", {"captured_before_consent"})


def test_retention_days_come_from_the_policy(tmp_path: Path) -> None:
    policy = ConsentPolicy(retention_days=180)
    person = visitor("2024-02-01 10:00")
    assert status_of(tmp_path, person, "V1,2024-01-01,,安防", policy=policy)[0] == "consented"


def test_the_as_of_day_is_included_whole(tmp_path: Path) -> None:
    person = visitor("2024-06-30 08:00")
    assert status_of(tmp_path, person, "V1,2024-06-30 23:30,,安防")[0] == "consented"
    assert status_of(tmp_path, person, "V1,2024-07-01 00:00,,安防")[0] == "no_consent"
    withdrawn_late = "V1,2024-06-01,2024-06-30 23:59,安防"
    assert status_of(tmp_path, person, withdrawn_late)[0] == "withdrawn_retained"
    withdrawn_after = "V1,2024-06-01,2024-07-01 00:00,安防"
    assert status_of(tmp_path, person, withdrawn_after)[0] == "consented"


def test_a_later_fresh_consent_outweighs_an_earlier_withdrawn_one(tmp_path: Path) -> None:
    rows = ("V1,2024-01-01,2024-02-01,安防", "V1,2024-03-01,,安防")
    assert status_of(tmp_path, visitor("2024-06-20 10:00"), *rows)[0] == "consented"


@pytest.mark.parametrize("marker", ["是", "已撤回", "yes"])
def test_a_withdrawal_marker_without_time_counts_as_withdrawn(tmp_path: Path, marker: str) -> None:
    status, _, reason = status_of(tmp_path, visitor(LATER), f"V1,2024-01-01,{marker},安防")
    assert status == "withdrawn_retained"
    assert "unreadable time" in reason


def test_not_withdrawn_markers_are_not_withdrawals(tmp_path: Path) -> None:
    assert status_of(tmp_path, visitor(LATER), "V1,2024-01-01,否,安防")[0] == "consented"


def test_an_unreadable_withdrawal_time_counts_as_withdrawn_and_is_reported(tmp_path: Path) -> None:
    log = log_of(tmp_path, "V1,2024-01-01,上周三,安防")
    result = assess([visitor("2024-06-20 10:00")], log, ConsentPolicy().with_as_of(AS_OF))
    assert result.by_status["withdrawn_retained"] == 1
    assert [str(p) for p in result.problems] == [
        "log.csv row 2: unreadable withdrawal time '上周三' (counted as withdrawn)"
    ]


def test_captured_before_consent_only_when_the_policy_requires_it(tmp_path: Path) -> None:
    person = visitor("2024-06-10 09:00")
    rows = ("V1,2024-06-10 10:00,,安防",)
    status, flags, reason = status_of(tmp_path, person, *rows)
    assert (status, flags) == ("consented", {"captured_before_consent"})
    assert "first capture 2024-06-10 09:00 before consent signed 2024-06-10 10:00" in reason
    lenient = ConsentPolicy(consent_required_before_capture=False)
    assert status_of(tmp_path, person, *rows, policy=lenient)[1] == set()


def test_a_date_only_signature_covers_the_whole_day(tmp_path: Path) -> None:
    assert status_of(tmp_path, visitor("2024-06-10 09:00"), "V1,2024年6月10日,,安防")[1] == set()


def test_purpose_outside_the_policy_is_flagged(tmp_path: Path) -> None:
    status, flags, reason = status_of(tmp_path, visitor(LATER), "V1,2024-01-01,,佣金结算")
    assert (status, flags) == ("consented", {"purpose_mismatch"})
    assert "佣金结算" in reason
    allowing = ConsentPolicy(allowed_purposes=frozenset({"安防", "佣金结算"}))
    person = visitor("2024-06-20 10:00")
    assert status_of(tmp_path, person, "V1,2024-01-01,,佣金结算", policy=allowing)[1] == set()


def test_actual_use_beyond_the_consented_purpose_is_flagged(tmp_path: Path) -> None:
    allowing = ConsentPolicy(allowed_purposes=frozenset({"安防", "客户分析"}))
    used = visitor("2024-06-20 10:00", purposes={"客户分析"})
    _, flags, reason = status_of(tmp_path, used, "V1,2024-01-01,,安防", policy=allowing)
    assert flags == {"purpose_mismatch"}
    assert "beyond the consented purposes: 客户分析" in reason
    within = visitor("2024-06-20 10:00", purposes={"安防"})
    assert status_of(tmp_path, within, "V1,2024-01-01,,安防", policy=allowing)[1] == set()


def test_person_without_consent_but_used_for_a_forbidden_purpose_is_flagged(tmp_path: Path) -> None:
    used = visitor("2024-06-20 10:00", purposes={"佣金结算"})
    got = status_of(tmp_path, used, "V2,2024-01-01,,安防")[:2]
    assert got == ("no_consent", {"purpose_mismatch"})


def test_by_status_always_has_every_status_and_sums_to_persons(tmp_path: Path) -> None:
    persons = [PersonFacts(str(i), {"visitor_id": {f"X{i}"}}, []) for i in range(5)]
    log = log_of(tmp_path, "V1,2024-01-01,,安防")
    result = assess(persons, log, ConsentPolicy().with_as_of(AS_OF))
    assert result.by_status == {
        "no_consent": 5, "withdrawn_retained": 0, "expired_retained": 0, "consented": 0,
    }


def test_the_as_of_date_must_be_fixed(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="as-of"):
        assess([visitor()], log_of(tmp_path, "V1,2024-01-01,,安防"), ConsentPolicy())


def test_person_ids_must_be_unique(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        assess([visitor(), visitor()], log_of(tmp_path), ConsentPolicy().with_as_of(AS_OF))
