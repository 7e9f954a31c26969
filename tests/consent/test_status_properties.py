"""Status invariants over random venues, checked against a brute-force reading of the rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from venue_audit.consent import ConsentPolicy, PersonFacts, assess, load_consent_log

from .scenario import SHANGHAI

AS_OF = date(2024, 6, 30)
START = datetime(2024, 1, 1, tzinfo=SHANGHAI)
DAY = timedelta(days=1)

# day offsets from 2024-01-01; as-of is day 181
days = st.integers(min_value=0, max_value=200)
consent = st.tuples(days, st.one_of(st.none(), days))  # (signed day, withdrawn day or None)
person = st.tuples(st.lists(days, max_size=4), st.lists(consent, max_size=3))


def oracle(captures: list[int], consents: list[tuple[int, int | None]], retention: int) -> str:
    """The counting rule read literally, on whole days (times are all 10:00)."""
    as_of_day = (AS_OF - START.date()).days
    valid = [(s, w) for s, w in consents if s <= as_of_day]
    if not valid:
        return "no_consent"
    if all(w is not None and w <= as_of_day for _, w in valid):
        return "withdrawn_retained"
    if any(as_of_day - c > retention for c in captures):
        return "expired_retained"
    return "consented"


@settings(max_examples=40, deadline=None)
@given(st.lists(person, min_size=1, max_size=8), st.integers(min_value=0, max_value=120))
def test_every_person_gets_the_status_the_rules_give(
    tmp_path_factory, venue: list, retention: int  # type: ignore[no-untyped-def]
) -> None:
    folder: Path = tmp_path_factory.mktemp("venue")
    lines = ["访客编号,签署时间,撤回时间"]
    persons = []
    for i, (captures, consents) in enumerate(venue):
        at_ten = [START + c * DAY + timedelta(hours=10) for c in captures]
        persons.append(PersonFacts(str(i), {"visitor_id": {f"V{i:03d}"}}, at_ten))
        for signed, withdrawn in consents:
            signed_text = (START + signed * DAY).strftime("%Y-%m-%d 10:00")
            withdrawn_text = (START + withdrawn * DAY).strftime("%Y-%m-%d 10:00") if (
                withdrawn is not None
            ) else ""
            lines.append(f"V{i:03d},{signed_text},{withdrawn_text}")
    path = folder / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policy = ConsentPolicy(retention_days=retention).with_as_of(AS_OF)

    result = assess(persons, load_consent_log(path), policy)

    assert sum(result.by_status.values()) == len(persons)
    for (captures, consents), status in zip(venue, result.statuses, strict=True):
        assert status.status == oracle(captures, consents, retention)
        valid_signed = [s for s, _ in consents if s <= (AS_OF - START.date()).days]
        before = bool(captures and valid_signed and min(captures) < min(valid_signed))
        assert ("captured_before_consent" in status.flags) is before
