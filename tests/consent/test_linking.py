"""Which consent rows belong to which person: by header, by values, by explicit link."""

from __future__ import annotations

from pathlib import Path

import pytest

from venue_audit.consent import (
    ConsentLog,
    LinkError,
    PersonFacts,
    link_consents,
    load_consent_log,
    parse_link,
)

from .scenario import md5, sha256


def log_of(tmp_path: Path, header: str, *rows: str) -> ConsentLog:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return load_consent_log(path)


def pairs(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(link.consent_id, link.person_id) for link in result.links}


def test_phone_links_to_its_sha256_and_md5_in_either_direction(tmp_path: Path) -> None:
    persons = [
        PersonFacts("A", {"phone": {"138 0013 8000"}}),
        PersonFacts("B", {"phone_sha256": {sha256("13900139000").upper()}}),
        PersonFacts("C", {"phone": {"+8613700137000"}}),
    ]
    log = log_of(
        tmp_path, "手机号哈希,手机号,签署时间",
        f"{sha256('13800138000')},,2024-01-01",
        ",139-0013-9000,2024-01-01",
        f"{md5('13700137000')},,2024-01-01",
    )
    result = link_consents(persons, log)
    assert pairs(result) == {("log.csv:2", "A"), ("log.csv:3", "B"), ("log.csv:4", "C")}
    assert all(link.method.startswith("key:") for link in result.links)


def test_header_named_key_links_when_values_agree(tmp_path: Path) -> None:
    persons = [
        PersonFacts("1", {"visitor_id": {"V001"}}),
        PersonFacts("2", {"visitor_id": {"V002"}}),
    ]
    log = log_of(tmp_path, "客户编号,签署时间", "v001,2024-01-01", "V003,2024-01-01")
    result = link_consents(persons, log)
    assert pairs(result) == {("log.csv:2", "1")}
    assert [k.describe() for k in result.key_links] == ["visitor_id=客户编号 (header, 1 rows)"]


def test_an_unnamed_column_links_when_enough_values_agree(tmp_path: Path) -> None:
    persons = [PersonFacts(str(i), {"member_no": {f"M{i:05d}"}}) for i in range(5)]
    rows = [f"M{i:05d},2024-01-01" for i in range(4)] + ["M99999,2024-01-01"]
    result = link_consents(persons, log_of(tmp_path, "会员卡,签署时间", *rows))
    assert len(result.links) == 4
    assert result.key_links[0].method == "values"


def test_short_or_sparse_value_overlap_is_not_a_link(tmp_path: Path) -> None:
    # A row-number column that happens to equal small person ids must not link.
    persons = [PersonFacts(str(i), {"member_no": {str(i)}}) for i in range(1, 6)]
    rows = [f"{i},2024-01-01" for i in range(1, 6)]
    assert link_consents(persons, log_of(tmp_path, "序号,签署时间", *rows)).links == []
    # Two chance matches among twenty rows are not enough either.
    persons = [PersonFacts(str(i), {"member_no": {f"M{i:05d}"}}) for i in range(2)]
    rows = [f"M{i:05d},2024-01-01" for i in range(20)]
    assert link_consents(persons, log_of(tmp_path, "会员卡,签署时间", *rows)).links == []


def test_explicit_link_overrides_auto_detection(tmp_path: Path) -> None:
    persons = [PersonFacts("1", {"visitor_id": {"V001"}, "crm_id": {"C-7"}})]
    log = log_of(
        tmp_path, "访客编号,备注,签署时间",
        "V001,,2024-01-01",
        "V999,C-7,2024-02-01",
    )
    auto = link_consents(persons, log)
    assert pairs(auto) == {("log.csv:2", "1")}
    explicit = link_consents(persons, log, [parse_link("visitor_id=备注"), ("crm_id", "备注")])
    assert pairs(explicit) == {("log.csv:3", "1")}
    assert {k.method for k in explicit.key_links} == {"explicit"}


def test_explicit_link_to_a_missing_column_is_an_error(tmp_path: Path) -> None:
    log = log_of(tmp_path, "访客编号,签署时间", "V001,2024-01-01")
    with pytest.raises(LinkError, match="no column"):
        link_consents([PersonFacts("1", {"visitor_id": {"V001"}})], log, [("visitor_id", "卡号")])


@pytest.mark.parametrize("spec", ["visitor_id", "=x", "a=", ""])
def test_malformed_link_specs_are_rejected(spec: str) -> None:
    with pytest.raises(LinkError):
        parse_link(spec)


def test_one_consent_may_cover_two_clusters_of_the_same_key(tmp_path: Path) -> None:
    persons = [PersonFacts(pid, {"phone": {"13800138000"}}) for pid in ("1", "2")]
    log = log_of(tmp_path, "手机号,签署时间", "13800138000,2024-01-01")
    assert pairs(link_consents(persons, log)) == {("log.csv:2", "1"), ("log.csv:2", "2")}


def test_stored_subject_keys_never_hold_a_phone_number(tmp_path: Path) -> None:
    log = log_of(tmp_path, "手机号,签署时间", "13800138000,2024-01-01")
    assert log.records[0].subject() == ("phone", f"sha256:{sha256('13800138000')}")


def test_case_db_rows_keep_the_locator_and_hash_the_phone(tmp_path: Path) -> None:
    log = log_of(tmp_path, "手机号,签署时间,撤回时间,用途", "13800138000,2024-01-01 09:00,是,安防")
    assert log.records[0].to_row("consent.csv") == {
        "subject_key": f"sha256:{sha256('13800138000')}",
        "key_kind": "phone",
        "signed_at": "2024-01-01T09:00:00+08:00",
        "withdrawn_at": "unknown",
        "purpose": "安防",
        "source": "consent.csv",
        "source_row": "log.csv row 2",
    }


def test_id_numbers_link_to_their_hashes(tmp_path: Path) -> None:
    id_number = "11010519491231002X"
    persons = [PersonFacts("A", {"id_number": {id_number.lower()}})]
    log = log_of(tmp_path, "身份证号哈希,签署时间", f"{sha256(id_number)},2024-01-01")
    assert pairs(link_consents(persons, log)) == {("log.csv:2", "A")}
