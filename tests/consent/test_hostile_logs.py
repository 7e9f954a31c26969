"""Whatever bytes a consent log holds, loading ends in records, problems or ConsentLogError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venue_audit.consent import (
    ConsentLogError,
    ConsentPolicy,
    PersonFacts,
    assess,
    load_consent_log,
)

HEADER = "访客编号,手机号,签署时间,撤回时间,用途,照片,人脸特征\n".encode()


def load_or_refuse(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            log = load_consent_log(path)
        except ConsentLogError:
            return
        persons = [PersonFacts("1", {"visitor_id": {"V1"}, "phone": {"13800138000"}})]
        result = assess(persons, log, ConsentPolicy().with_as_of("2024-06-30"))
        assert sum(result.by_status.values()) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), st.sampled_from(["c.csv", "c.json", "c.xlsx", "c.db", "c.txt"]))
def test_random_bytes_never_crash(data: bytes, name: str) -> None:
    load_or_refuse(data, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.text(max_size=40), max_size=9), max_size=12))
def test_random_rows_under_a_real_header_never_crash(rows: list[list[str]]) -> None:
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows)
    load_or_refuse(HEADER + body.encode("utf-8", errors="surrogatepass"), "c.csv")
