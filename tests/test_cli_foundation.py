"""The foundation commands as a user runs them: case new, acquire, verify-manifest, custody."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from venue_audit.cli import app

runner = CliRunner()


def _new_case(case_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "case",
            "new",
            str(case_dir),
            "--case-no",
            "沪-001",
            "--venue",
            "售楼处",
            "--examiner",
            "张三",
            "--examiner",
            "李四",
        ],
    )
    assert result.exit_code == 0, result.output


def _acquired(tmp_path: Path, evidence_tree: Path) -> Path:
    case_dir = tmp_path / "case"
    _new_case(case_dir)
    result = runner.invoke(app, ["acquire", str(case_dir), str(evidence_tree), "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    return case_dir


def test_case_new_makes_a_private_folder_with_every_table(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    _new_case(case_dir)
    assert stat.S_IMODE(case_dir.stat().st_mode) == 0o700
    import sqlite_utils

    tables = set(sqlite_utils.Database(case_dir / "case.db").table_names())
    assert {
        "case_info",
        "custody",
        "evidence",
        "stores",
        "artifacts",
        "faces",
        "persons",
        "consents",
        "findings",
    } <= tables


def test_case_new_refuses_one_examiner(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "case",
            "new",
            str(tmp_path / "c"),
            "--case-no",
            "1",
            "--venue",
            "v",
            "--examiner",
            "only",
        ],
    )
    assert result.exit_code == 2
    assert "two examiners" in result.output


def test_every_command_explains_itself_with_an_example() -> None:
    for command in (["case", "new"], ["acquire"], ["verify-manifest"], ["custody"], ["demo"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output, command


def test_acquire_writes_the_three_manifest_forms(tmp_path: Path, evidence_tree: Path) -> None:
    case_dir = _acquired(tmp_path, evidence_tree)
    header = (case_dir / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "序号,文件名,路径,类型,大小,修改时间,MD5,SHA-256,SM3"
    assert (case_dir / "manifest.hashdeep").read_text().startswith("%%%% HASHDEEP-1.0")
    assert '<hashdigest type="sm3">' in (case_dir / "manifest.dfxml").read_text()


def test_verify_manifest_passes_on_an_untouched_tree(tmp_path: Path, evidence_tree: Path) -> None:
    case_dir = _acquired(tmp_path, evidence_tree)
    result = runner.invoke(app, ["verify-manifest", str(case_dir), "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] and report["counts"]["matched"] > 10


@pytest.mark.parametrize(
    "change, expected",
    [
        ("flip", {"changed": 1}),
        ("delete", {"missing": 1}),
        ("add", {"new": 1}),
        ("move", {"moved": 1}),
    ],
)
def test_verify_manifest_catches_each_kind_of_change(
    tmp_path: Path, evidence_tree: Path, change: str, expected: dict[str, int]
) -> None:
    case_dir = _acquired(tmp_path, evidence_tree)
    target = evidence_tree / "server" / "face.db"
    if change == "flip":
        data = bytearray(target.read_bytes())
        data[100] ^= 0x01
        target.write_bytes(bytes(data))
    elif change == "delete":
        target.unlink()
    elif change == "add":
        (evidence_tree / "planted.jpg").write_bytes(b"\xff\xd8\xff new")
    else:
        target.rename(evidence_tree / "face-renamed.db")
    result = runner.invoke(app, ["verify-manifest", str(case_dir), "--quiet", "--json"])
    assert result.exit_code == 3
    report = json.loads(result.output)
    assert {k: v for k, v in report["counts"].items() if k != "matched" and v} == expected
    assert report["passed"] is False


@pytest.mark.skipif(
    shutil.which("hashdeep") is None, reason="hashdeep not installed (.ci/run installs it)"
)
def test_hashdeep_audits_the_evidence_against_our_manifest(
    tmp_path: Path, evidence_tree: Path
) -> None:
    (evidence_tree / "link-to-etc").unlink()  # hashdeep -r follows directory links; we never do
    case_dir = _acquired(tmp_path, evidence_tree)
    audit = ["hashdeep", "-a", "-k", str(case_dir / "manifest.hashdeep"), "-r", str(evidence_tree)]
    passed = subprocess.run(audit, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Audit passed" in passed.stdout
    (evidence_tree / "nvr" / "CH01" / "CH01_20240315101523.jpg").write_bytes(
        b"\xff\xd8\xff altered"
    )
    failed = subprocess.run(audit, capture_output=True, text=True)
    assert failed.returncode != 0
    assert "Audit failed" in failed.stdout


def test_custody_verify_reports_a_tampered_log_with_exit_code_3(
    tmp_path: Path, evidence_tree: Path
) -> None:
    import sqlite3

    case_dir = _acquired(tmp_path, evidence_tree)
    assert runner.invoke(app, ["custody", str(case_dir), "--verify"]).exit_code == 0
    with sqlite3.connect(case_dir / "case.db") as conn:
        conn.execute("update custody set actor = 'someone else' where seq = 2")
    result = runner.invoke(app, ["custody", str(case_dir), "--verify", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.output)["problems"][0]["seq"] == 2
