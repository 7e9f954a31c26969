"""The rule table turns planted case facts into exactly the expected findings and citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from consent.scenario import POLICY, planted_persons, write_csv

from venue_audit.consent import assess, load_consent_log
from venue_audit.findings import (
    CONDITIONS,
    CaseFacts,
    RuleTableError,
    evaluate,
    load_rules,
)

EXPECTED_CITATIONS = {
    "no-consent": ["PIPL Art. 29", "PIPL Art. 14", "PIPL Art. 13", "Measures Art. 6",
                   "SPC JI Art. 2(3)"],
    "withdrawn-retained": ["PIPL Art. 47", "PIPL Art. 15", "GB/T 41819-2022 ch.11"],
    "retained-past-period": ["PIPL Art. 19", "PIPL Art. 47", "Measures Art. 8", "GB/T 35273-2020",
                             "GB/T 41819-2022 ch.7", "GB/T 41819-2022 ch.11"],
    "captured-before-consent": ["PIPL Art. 14", "PIPL Art. 29", "Measures Art. 6",
                                "SPC JI Art. 2(3)"],
    "purpose-mismatch": ["PIPL Art. 26", "PIPL Art. 28", "PIPL Art. 6", "SPC JI Art. 2(1)",
                         "SPC JI Art. 2(4)", "GB/T 41819-2022"],
    "raw-images-kept": ["GB/T 35273-2020", "GB/T 41819-2022 ch.7", "PIPL Art. 19",
                        "Measures Art. 8"],
    "offsite-transfer": ["Measures Art. 8", "PIPL Art. 51"],
    "filing-threshold": ["Measures Art. 15"],
    "residual-after-deletion": ["PIPL Art. 47", "GB/T 41819-2022 ch.11", "PIPL Art. 66"],
}


def every_condition_planted() -> CaseFacts:
    return CaseFacts(
        distinct_persons=100_000,
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
        "offsite-transfer": 1, "filing-threshold": 100_000, "residual-after-deletion": 1,
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
    assert all(c.zh and c.en for f in findings.values() for c in f.citations)


def test_a_clean_case_has_no_findings() -> None:
    facts = CaseFacts(distinct_persons=3, persons_by_status={"consented": ["1", "2", "3"]})
    assert evaluate(facts) == []


@pytest.mark.parametrize(("persons", "fires"), [(99_999, False), (100_000, True)])
def test_filing_threshold_is_one_hundred_thousand_persons(persons: int, fires: bool) -> None:
    rules = [f.rule for f in evaluate(CaseFacts(distinct_persons=persons))]
    assert ("filing-threshold" in rules) is fires


def test_summary_entries_match_the_json_contract() -> None:
    finding = evaluate(CaseFacts(offsite_transfers=["upload.log line 1"]))[0]
    assert finding.to_summary() == {
        "rule": "offsite-transfer", "severity": "high", "count": 1,
        "citations": ["Measures Art. 8", "PIPL Art. 51"],
    }


def test_unconfirmed_article_numbers_are_marked_unchecked() -> None:
    citations = {c.code: c for rule in load_rules() for c in rule.citations}
    assert citations["Measures Art. 15"].checked is True  # read in the CAC notice
    assert citations["Measures Art. 8"].checked is False  # number from summaries only
    assert citations["PIPL Art. 29"].checked is True


def test_from_a_consent_assessment_end_to_end(tmp_path: Path) -> None:
    result = assess([p.facts for p in planted_persons()], load_consent_log(write_csv(tmp_path)),
                    POLICY)
    facts = CaseFacts.from_assessment(
        result, person_locators={"P05": ["nvr/CH01_20240601120000.jpg"]},
        offsite_transfers=["upload.log line 3"],
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

CITATION = '[citations."X"]\nzh = "甲"\nen = "x"\nchecked = true\n'


def table(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text("[[rules]]\n" + rule + "\n" + CITATION, encoding="utf-8")
    return path


GOOD = (
    'id = "r"\ncondition = "count_at_least"\n'
    'params = { measure = "distinct_persons", threshold = 5 }\n'
    'severity = "low"\ntitle_zh = "甲"\ntitle_en = "a"\ncitations = ["X"]\n'
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
        (('["X"]', '["Y"]'), "unknown citation"),
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
