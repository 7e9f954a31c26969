"""Every command that writes a file refuses to write it in, on or around the evidence.

The first hostile run found ``audit --json-out``, ``--report`` and ``--case``
writing into the export. The commands added since write files too: the
self-audit's report, summary and to-delete list, ``to-delete --out`` and the
SQL scripts beside it, ``export --out``, ``audit --to-delete``,
``verify-deletion --json-out`` and ``demo --out``. Each is refused with exit 2
before any work, the evidence (bytes, mtimes, atimes) is exactly as before, and
nothing is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_FACES
from tests.hostile.evidence_state import age_atimes, evidence_state
from venue_audit.acquire import acquire
from venue_audit.assess import assess_case
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import Case, CaseInfo
from venue_audit.case.output_paths import OutputPathError, refuse_overlap
from venue_audit.cli import app
from venue_audit.identify import identify
from venue_audit.remediation.export import to_delete_outputs
from venue_audit.report.case_report import report_output_paths
from venue_audit.scan import ScanOptions, scan

runner = CliRunner()
FACE = TEST_FACES / "obama" / "7_small.jpg"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export with one face picture and a case that acquired, scanned and assessed it."""
    base = tmp_path_factory.mktemp("outputs")
    (base / "export" / "day1").mkdir(parents=True)
    (base / "export" / "day1" / "face.jpg").write_bytes(FACE.read_bytes())
    case = Case.create(base / "case", CaseInfo("T-OUT", "V", ["甲", "乙"]))
    acquire(case, [base / "export"], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    assess_case(case, None, as_of="2024-06-30")
    case.close()
    return base


@pytest.fixture
def workspace(assessed: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(case folder, export) copied for one test, the export's access times aged."""
    shutil.copytree(assessed / "export", tmp_path / "export")
    shutil.copytree(assessed / "case", tmp_path / "case")
    with Case(tmp_path / "case").db.conn as db:  # the copy's evidence is the copied export
        db.execute("update sources set root = ?", [str(tmp_path / "export")])
    age_atimes(tmp_path / "export")
    return tmp_path / "case", tmp_path / "export"


def custody_actions(case_dir: Path) -> list[str]:
    return [event["action"] for event in Case(case_dir).custody_events()]


def refused_untouched(
    code: int, output: str, export: Path, before: dict, case_dir: Path | None, actions: list[str]
) -> None:
    assert code == 2, output
    assert "outputs are never written into, onto or around evidence" in output, output
    assert "Traceback" not in output
    assert evidence_state(export) == before
    if case_dir is not None:
        assert custody_actions(case_dir) == actions  # refused before any work was logged


# -- commands on an existing case -------------------------------------------------------------


@pytest.mark.parametrize("target", ["list.csv", "day1/list.xlsx"])
def test_to_delete_refuses_a_list_in_the_evidence(
    workspace: tuple[Path, Path], target: str
) -> None:
    case_dir, export = workspace
    before, actions = evidence_state(export), custody_actions(case_dir)
    code, output = run("to-delete", str(case_dir), "--out", str(export / target))
    refused_untouched(code, output, export, before, case_dir, actions)


def test_export_refuses_a_folder_in_the_evidence(workspace: tuple[Path, Path]) -> None:
    case_dir, export = workspace
    before, actions = evidence_state(export), custody_actions(case_dir)
    for target in (export / "timeline", export):
        code, output = run("export", str(case_dir), "--out", str(target))
        refused_untouched(code, output, export, before, case_dir, actions)


def test_export_beside_the_evidence_writes_its_files_and_leaves_the_evidence(
    workspace: tuple[Path, Path],
) -> None:
    """A folder that holds the evidence is fine when no file it writes is evidence."""
    case_dir, export = workspace
    before = evidence_state(export)
    code, output = run("export", str(case_dir), "--out", str(export.parent), "-q")
    assert code == 0, output
    assert (export.parent / "timeline.jsonl").is_file()
    assert evidence_state(export) == before


def test_verify_deletion_refuses_a_json_out_in_the_evidence_or_the_after_state(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    case_dir, export = workspace
    after = tmp_path / "after"
    after.mkdir()
    before, actions = evidence_state(export), custody_actions(case_dir)
    for target in (export / "v.json", after / "v.json"):
        code, output = run(
            "verify-deletion", str(case_dir), str(after), "--json-out", str(target), "-q"
        )
        refused_untouched(code, output, export, before, case_dir, actions)
    assert list(after.iterdir()) == [] and not list(case_dir.glob("after-*"))


def test_report_refuses_annexes_that_would_overwrite_evidence_beside_it(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    """The PDF itself is not evidence, but the manifest.csv written beside it would be."""
    case_dir, _ = workspace
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "manifest.csv").write_text("visitor,photo\nV1,\n", encoding="utf-8")
    case = Case(case_dir)
    acquire(case, [loose / "manifest.csv"], workers=1)
    scan(case, ScanOptions(workers=1))
    identify(case)
    assess_case(case, None, as_of="2024-06-30")
    case.close()
    age_atimes(loose)
    before, actions = evidence_state(loose), custody_actions(case_dir)
    code, output = run("report", str(case_dir), "--out", str(loose / "r.pdf"))
    refused_untouched(code, output, loose, before, case_dir, actions)
    assert "manifest.csv" in output and not (loose / "r.pdf").exists()


# -- commands that make their own case -------------------------------------------------------

SELF_AUDIT = ["--responsible", "王五", "--venue", "V"]


@pytest.mark.parametrize(
    "option, target",
    [("--report", "r/r.pdf"), ("--json-out", "s.json"), ("--to-delete", "day1/list.csv")],
)
def test_self_audit_refuses_each_output_in_the_evidence(
    workspace: tuple[Path, Path], tmp_path: Path, option: str, target: str
) -> None:
    _, export = workspace
    before = evidence_state(export)
    code, output = run(
        "self-audit", str(export), "--case", str(tmp_path / "new"), *SELF_AUDIT,
        option, str(export / target),
    )  # fmt: skip
    refused_untouched(code, output, export, before, None, [])
    assert not (tmp_path / "new").exists()


def test_an_audit_request_refuses_a_to_delete_list_in_the_evidence(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    """``audit`` has no --to-delete option; a Python caller's request is checked the same way."""
    _, export = workspace
    before = evidence_state(export)
    request = AuditRequest(
        sources=[export],
        case_dir=tmp_path / "new",
        case_info=CaseInfo("T", "V", ["甲", "乙"]),
        to_delete=export / "day1" / "待删除清单.xlsx",
    )
    with pytest.raises(OutputPathError, match=r"the to-delete list .* is inside the evidence"):
        audit(request)
    assert evidence_state(export) == before
    assert not (tmp_path / "new").exists()


def test_demo_refuses_an_out_folder_inside_its_sample_export(tmp_path: Path) -> None:
    """The demo removes its old demo case first: that must never be a folder of evidence."""
    sample = tmp_path / "sample"
    (sample / "export" / "demo-case").mkdir(parents=True)
    (sample / "export" / "demo-case" / "face.jpg").write_bytes(FACE.read_bytes())
    (sample / "consent").mkdir()
    age_atimes(sample / "export")
    before = evidence_state(sample / "export")
    code, output = run("demo", "--sample-data", str(sample), "--out", str(sample / "export"))
    refused_untouched(code, output, sample / "export", before, None, [])


# -- what each command would write, named for the check --------------------------------------


@pytest.mark.parametrize(
    "evidence",
    [
        "manifest.csv",
        "persons.xlsx",
        "faces.csv",
        "summary.json",
        "annexes.sha256",
        "contact-sheet-person-000003.png",
        "sealed/face.jpg",
        "待删除清单.xlsx",
        "待删除清单-face.db.sql",
    ],
)
def test_the_report_names_every_file_it_writes_beside_the_pdf(
    tmp_path: Path, evidence: str
) -> None:
    with pytest.raises(OutputPathError, match="evidence"):
        refuse_overlap(report_output_paths(tmp_path / "r.pdf"), [tmp_path / evidence])


def test_a_report_beside_a_folder_of_evidence_is_allowed(tmp_path: Path) -> None:
    refuse_overlap(report_output_paths(tmp_path / "r.pdf"), [tmp_path / "export"])


def test_the_sql_scripts_beside_a_to_delete_list_are_outputs_too(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="SQL scripts"):
        refuse_overlap(to_delete_outputs("--out", tmp_path / "l.xlsx"), [tmp_path / "l-x.db.sql"])
    refuse_overlap(to_delete_outputs("--out", tmp_path / "l.xlsx"), [tmp_path / "other.sql"])


def test_an_existing_annex_with_a_second_hard_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kept.csv").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "findings.csv").hardlink_to(tmp_path / "kept.csv")
    with pytest.raises(OutputPathError, match="2 hard links"):
        refuse_overlap(report_output_paths(tmp_path / "out" / "r.pdf"), [tmp_path / "elsewhere"])
