"""The rule table turns planted case facts into exactly the expected findings and citations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from consent.scenario import POLICY, planted_persons, write_csv

from venue_audit.consent import assess, load_consent_log
from venue_audit.findings import (
    CONDITIONS,
    CaseFacts,
    RuleTableError,
    evaluate,
    load_citations,
    load_rules,
)

EXPECTED_CITATIONS = {
    "no-consent": ["PIPL Art. 28", "PIPL Art. 29", "PIPL Art. 14", "PIPL Art. 13",
                   "Civil Code Art. 1035", "SPC JI Art. 2(3)", "CSL Art. 41"],
    "withdrawn-retained": ["PIPL Art. 15", "PIPL Art. 47"],
    "retained-past-period": ["PIPL Art. 19", "PIPL Art. 47", "Measures Art. 8"],
    "captured-before-consent": ["PIPL Art. 14", "PIPL Art. 29", "SPC JI Art. 2(3)"],
    "purpose-mismatch": ["PIPL Art. 26", "PIPL Art. 28", "PIPL Art. 6", "SPC JI Art. 2(1)",
                         "SPC JI Art. 2(4)"],
    "raw-images-kept": ["PIPL Art. 6", "GB/T 35273-2020 6.3 c)"],
    "offsite-transfer": ["PIPL Art. 29", "Civil Code Art. 1035", "PIPL Art. 51",
                         "Measures Art. 8"],
    "filing-threshold": ["Measures Art. 15"],
    "criminal-quantity": ["Criminal Law Art. 253-1", "SPC/SPP 2017 Art. 5(1)(5)",
                          "SPC/SPP 2017 Art. 11"],
    "residual-after-deletion": ["PIPL Art. 47", "Civil Code Art. 1037", "PIPL Art. 66"],
}
AFTER_THE_MEASURES = date(2025, 7, 1)


def every_condition_planted() -> CaseFacts:
    return CaseFacts(
        distinct_persons=100_000,
        records=250_000,
        as_of=AFTER_THE_MEASURES,
        persons_by_status={
            "no_consent": ["1", "2", "3"], "withdrawn_retained": ["4"],
            "expired_retained": ["5", "6"], "consented": ["7"],
        },
        persons_by_flag={"captured_before_consent": ["7"], "purpose_mismatch": ["5", "7"]},
        person_locators={
            "1": ["faces.db table snap row 1", "faces.db table snap row 2"],
            "2": ["faces.db table snap row 2"],  # a shared record is listed once
            "4": ["nvr/CH01_20240101101010.jpg"],
        },
        raw_images_kept=["faces.db table snap row 1 photo", "faces.db table snap row 1 photo",
                         "faces.db table snap row 9 photo"],
        offsite_transfers=["upload.log line 12: POST https://oss.example.cn/pack_20240315.zip"],
        residual_after_deletion=["after/server.db freelist page 7 record 3"],
    )


def test_each_rule_yields_its_finding_with_counts_and_citations() -> None:
    findings = {f.rule: f for f in evaluate(every_condition_planted())}

    assert list(findings) == list(EXPECTED_CITATIONS)
    assert {rule: f.citation_codes for rule, f in findings.items()} == EXPECTED_CITATIONS
    assert {rule: f.count for rule, f in findings.items()} == {
        "no-consent": 3, "withdrawn-retained": 1, "retained-past-period": 2,
        "captured-before-consent": 1, "purpose-mismatch": 2, "raw-images-kept": 2,
        "offsite-transfer": 1, "filing-threshold": 100_000, "criminal-quantity": 250_000,
        "residual-after-deletion": 1,
    }


def test_findings_point_at_persons_and_artifacts() -> None:
    findings = {f.rule: f for f in evaluate(every_condition_planted())}

    assert findings["no-consent"].person_ids == ["1", "2", "3"]
    assert findings["no-consent"].locators == [
        "faces.db table snap row 1", "faces.db table snap row 2",
    ]
    assert findings["withdrawn-retained"].locators == ["nvr/CH01_20240101101010.jpg"]
    assert findings["raw-images-kept"].locators == [
        "faces.db table snap row 1 photo", "faces.db table snap row 9 photo",
    ]
    assert findings["offsite-transfer"].locators[0].startswith("upload.log line 12")


def test_severity_and_bilingual_titles() -> None:
    findings = {f.rule: f for f in evaluate(every_condition_planted())}
    assert findings["no-consent"].severity == "high"
    assert findings["filing-threshold"].severity == "medium"
    assert findings["no-consent"].title_zh == "存储人脸信息但无对应的单独同意记录"
    assert all(f.title_zh and f.title_en for f in findings.values())
    assert all(c.heading_zh and c.quote and c.en for f in findings.values() for c in f.citations)


def test_a_clean_case_has_no_findings() -> None:
    facts = CaseFacts(distinct_persons=3, persons_by_status={"consented": ["1", "2", "3"]})
    assert evaluate(facts) == []


@pytest.mark.parametrize(("persons", "fires"), [(99_999, False), (100_000, True)])
def test_filing_threshold_is_one_hundred_thousand_persons(persons: int, fires: bool) -> None:
    rules = [f.rule for f in evaluate(CaseFacts(distinct_persons=persons))]
    assert ("filing-threshold" in rules) is fires


def test_summary_entries_match_the_json_contract() -> None:
    facts = CaseFacts(offsite_transfers=["upload.log line 1"], as_of=date(2024, 6, 30))
    finding = evaluate(facts)[0]
    assert finding.to_summary() == {
        "rule": "offsite-transfer", "severity": "high", "count": 1, "unit": "log_lines",
        "citations": ["PIPL Art. 29", "Civil Code Art. 1035", "PIPL Art. 51"],
        "later_guidance": ["Measures Art. 8"],
    }


# --- the law: quoted, dated, applied only to conduct after it came into force ---------------


def test_every_citation_quotes_its_verified_text_with_article_and_date() -> None:
    citations = load_citations()
    assert len(citations) >= 30
    for code, citation in citations.items():
        assert citation.quote.strip() and len(citation.quote) >= 15, code
        assert citation.article.strip(), code
        assert citation.instrument.source.strip(), code
        assert citation.in_force <= date(2025, 6, 1), code
        assert "待核对" not in citation.quote + citation.heading_zh, code
        assert "confirm" not in citation.en, code
    assert citations["PIPL Art. 29"].quote.startswith("处理敏感个人信息应当取得个人的单独同意")
    assert citations["Measures Art. 8"].in_force == date(2025, 6, 1)
    assert citations["GB/T 35273-2020 6.3 c)"].instrument.kind == "recommended_standard"


def test_a_citation_without_its_quote_is_refused(tmp_path: Path) -> None:
    path = table(tmp_path, GOOD)
    path.write_text(path.read_text(encoding="utf-8").replace('quote = "甲乙"\n', ""), "utf-8")
    with pytest.raises(RuleTableError, match="needs its quote"):
        load_rules(path)


@pytest.mark.parametrize("as_of", [date(2024, 6, 30), date(2025, 5, 31)])
def test_the_measures_never_judge_conduct_before_they_came_into_force(as_of: date) -> None:
    facts = every_condition_planted()
    facts.as_of = as_of
    facts.person_periods = {p: (date(2024, 3, 1), date(2024, 5, 1)) for p in "1234567"}
    findings = {f.rule: f for f in evaluate(facts)}
    for finding in findings.values():
        cited = {c.instrument.key for c in finding.citations}
        assert "Measures" not in cited, finding.rule
        assert all(c.in_force <= (finding.conduct[1] or as_of) for c in finding.citations)
    assert "filing-threshold" not in findings  # the duty to file did not exist yet
    assert [c.code for c in findings["retained-past-period"].later_guidance] == ["Measures Art. 8"]


def test_conduct_after_the_measures_is_judged_under_them() -> None:
    facts = every_condition_planted()
    facts.person_periods = {"5": (date(2025, 6, 2), date(2025, 6, 20))}
    findings = {f.rule: f for f in evaluate(facts)}
    assert "Measures Art. 8" in findings["retained-past-period"].citation_codes
    assert findings["filing-threshold"].citation_codes == ["Measures Art. 15"]


def test_a_capture_before_the_spc_provisions_is_not_judged_under_them() -> None:
    facts = CaseFacts(
        persons_by_status={"no_consent": ["1"]},
        person_periods={"1": (date(2021, 3, 1), date(2021, 7, 31))},
        as_of=date(2021, 12, 31),
    )
    finding = evaluate(facts)[0]
    assert "SPC JI Art. 2(3)" not in finding.citation_codes  # in force 2021-08-01
    assert "PIPL Art. 29" not in finding.citation_codes  # in force 2021-11-01
    assert "Civil Code Art. 1035" in finding.citation_codes


def test_from_a_consent_assessment_end_to_end(tmp_path: Path) -> None:
    result = assess([p.facts for p in planted_persons()], load_consent_log(write_csv(tmp_path)),
                    POLICY)
    facts = CaseFacts.from_assessment(
        result, person_locators={"P05": ["nvr/CH01_20240601120000.jpg"]},
        offsite_transfers=["upload.log line 3"], as_of=date(2024, 6, 30),
    )
    assert facts.distinct_persons == 16
    findings = {f.rule: f for f in evaluate(facts)}
    assert {rule: f.count for rule, f in findings.items()} == {
        "no-consent": 3, "withdrawn-retained": 2, "retained-past-period": 2,
        "captured-before-consent": 2, "purpose-mismatch": 2, "offsite-transfer": 1,
    }
    assert findings["no-consent"].person_ids == ["P05", "P06", "P07"]
    assert findings["no-consent"].locators == ["nvr/CH01_20240601120000.jpg"]


# --- the table itself is checked when loaded --------------------------------------------------

CITATION = (
    '[instruments.LAW]\nzh = "《甲法》"\nen = "Law"\nkind = "law"\nin_force = "2020-01-01"\n'
    'source = "test"\n[citations."LAW Art. 1"]\narticle = "第一条"\nquote = "甲乙"\nen = "x"\n'
)


def table(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text("[[rules]]\n" + rule + "\n" + CITATION, encoding="utf-8")
    return path


GOOD = (
    'id = "r"\ncondition = "count_at_least"\n'
    'params = { measure = "distinct_persons", threshold = 5 }\n'
    'severity = "low"\ntitle_zh = "甲"\ntitle_en = "a"\ncitations = ["LAW Art. 1"]\n'
)


def test_a_custom_table_with_another_threshold(tmp_path: Path) -> None:
    rules = load_rules(table(tmp_path, GOOD))
    assert [f.count for f in evaluate(CaseFacts(distinct_persons=5), rules)] == [5]
    assert evaluate(CaseFacts(distinct_persons=4), rules) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"count_at_least"', '"count_atleast"'), "unknown condition"),
        (("threshold = 5", "limit = 5"), "do not fit"),
        (('["LAW Art. 1"]', '["LAW Art. 2"]'), "unknown citation"),
        (('"low"', '"critical"'), "severity"),
        (('title_en = "a"\n', ""), "missing title_en"),
    ],
)
def test_faulty_tables_fail_when_loaded(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(RuleTableError, match=message):
        load_rules(table(tmp_path, GOOD.replace(*change)))


def test_the_packaged_table_uses_only_registered_conditions() -> None:
    assert {rule.condition for rule in load_rules()} <= set(CONDITIONS)
    assert len(load_rules()) == len(EXPECTED_CITATIONS)
