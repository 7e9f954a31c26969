"""Outputs are refused in, on or around the evidence, before any work starts.

The hostile run: ``audit EV --json EV/ok.jpg`` replaced the evidence with
summary.json and exited 0; ``--report EV/r.pdf`` wrote six files into the
export; ``--case EV/case`` made the case inside it; ``acquire CASE CASE``
acquired 0 files and exited 0. Each is now exit 2 with a one-line message, and
the evidence (bytes, mtimes, atimes) is exactly as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_FACES
from tests.hostile.evidence_state import age_atimes, evidence_state
from venue_audit.case import Case, CaseInfo
from venue_audit.case.output_paths import OutputPathError, refuse_overlap
from venue_audit.cli import app

runner = CliRunner()
EXAMINERS = ["--examiner", "甲", "--examiner", "乙"]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    (root / "day1").mkdir(parents=True)
    (root / "ok.jpg").write_bytes((TEST_FACES / "obama" / "7_small.jpg").read_bytes())
    (root / "day1" / "b.jpg").write_bytes((TEST_FACES / "biden" / "1.jpg").read_bytes())
    age_atimes(root)
    return root


def audit(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", *args, *EXAMINERS])
    return result.exit_code, " ".join(result.output.split())  # unwrapped from the console width


@pytest.mark.parametrize(
    "option, target",
    [
        ("--json-out", "ok.jpg"),  # onto an evidence file
        ("--json-out", "day1/new.json"),  # into the evidence
        ("--report", "r.pdf"),  # report and annexes into the evidence
        ("--report", "day1/report/r.pdf"),
        ("--case", "case"),  # the case folder inside the evidence
        ("--case", "."),  # the case folder is the evidence
    ],
)
def test_an_output_in_or_on_the_evidence_is_refused_before_any_work(
    export: Path, tmp_path: Path, option: str, target: str
) -> None:
    before = evidence_state(export)
    outputs = {"--case": str(tmp_path / "case"), option: str(export / target)}
    args = [str(export)]
    for name, value in outputs.items():
        args += [name, value]
    code, output = audit(*args)
    assert code == 2, output
    assert "evidence" in output and "Traceback" not in output
    assert evidence_state(export) == before
    assert not (tmp_path / "case").exists()


def test_an_output_above_the_evidence_is_refused(export: Path, tmp_path: Path) -> None:
    before = evidence_state(export)
    code, output = audit(
        str(export / "day1"), "--case", str(tmp_path / "c"), "--json-out", str(export)
    )
    assert code == 2 and "contains the evidence" in output
    code, output = audit(str(export / "day1"), "--case", str(export))
    assert code == 2 and "contains the evidence" in output
    assert evidence_state(export) == before


def test_a_symlink_leading_into_the_evidence_is_resolved_and_refused(
    export: Path, tmp_path: Path
) -> None:
    (tmp_path / "out").symlink_to(export / "day1")
    before = evidence_state(export)
    code, output = audit(
        str(export), "--case", str(tmp_path / "case"), "--json-out", str(tmp_path / "out" / "s.json")
    )
    assert code == 2 and "is inside the evidence" in output
    assert evidence_state(export) == before


def test_an_existing_output_with_a_second_hard_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kept.json").write_text("{}")
    os.link(tmp_path / "kept.json", tmp_path / "summary.json")
    with pytest.raises(OutputPathError, match="2 hard links"):
        refuse_overlap([("--json", tmp_path / "summary.json")], [tmp_path / "elsewhere"])


def test_acquiring_the_case_as_its_own_evidence_is_refused(tmp_path: Path) -> None:
    case = Case.create(tmp_path / "case", CaseInfo("T", "V", ["甲", "乙"]))
    for source in (case.directory, case.directory / "case.db", tmp_path):
        result = runner.invoke(app, ["acquire", str(case.directory), str(source), "--quiet"])
        assert result.exit_code == 2, result.output
        assert "the case folder" in result.output
    assert case.db["evidence"].count == 0


def test_a_report_into_the_evidence_is_refused(export: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    Case.create(case_dir, CaseInfo("T", "V", ["甲", "乙"]))
    assert runner.invoke(app, ["acquire", str(case_dir), str(export), "-q"]).exit_code == 0
    age_atimes(export)
    before = evidence_state(export)
    result = runner.invoke(app, ["report", str(case_dir), "--out", str(export / "r" / "r.pdf")])
    assert result.exit_code == 2, result.output
    assert evidence_state(export) == before and not (export / "r").exists()


def test_verify_deletion_refuses_a_report_into_the_after_state(
    export: Path, tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    Case.create(case_dir, CaseInfo("T", "V", ["甲", "乙"]))
    after = tmp_path / "after"
    after.mkdir()
    result = runner.invoke(
        app, ["verify-deletion", str(case_dir), str(after), "--out", str(after / "v.pdf")]
    )
    assert result.exit_code == 2, result.output
    assert list(after.iterdir()) == []
    assert not list(case_dir.glob("after-*"))
