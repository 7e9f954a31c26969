"""Every command run the way a script runs it: ``-q --json``, the result as JSON on stdout,
nothing on stderr, exit code 0. (``demo --json`` is run by test_demo_end_to_end.py, ``browse
--json`` by test_browse.py; ``-h`` of every command by test_cli_conventions.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_FACES
from venue_audit.cli import app

runner = CliRunner()
NEW_CASE = ["--case-no", "J-1", "--venue", "售楼处", "--examiner", "张三", "--examiner", "李四"]


def scripted(*args: object) -> dict:
    """Run ``venue-audit ARGS -q --json`` and return the parsed JSON."""
    result = runner.invoke(app, [*map(str, args), "-q", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("json")
    export = root / "export"
    export.mkdir()
    shutil.copy(TEST_FACES / "obama" / "1.jpg", export / "CH01_20240315101523.jpg")
    (root / "after").mkdir()
    return root


@pytest.mark.slow
def test_every_step_of_a_case_answers_in_json(workspace: Path) -> None:
    case, export = workspace / "case", workspace / "export"
    assert scripted("case", "new", case, *NEW_CASE)["case_no"] == "J-1"
    acquired = scripted("acquire", case, export)
    assert acquired["files"] == 1 and len(acquired["manifest_sha256"]) == 64
    assert scripted("verify-manifest", case)["passed"] is True
    assert scripted("scan", case, "-w", "1")["faces"]["records"] == 1
    assert scripted("consent", case, "--as-of", "2024-06-30")["by_status"]["no_consent"] == 1
    report = scripted("report", case, "--out", workspace / "report" / "report.pdf")
    assert Path(report["pdf"]).is_file() and report["pages"] > 0
    assert scripted("verify-report", report["pdf"])["ok"] is True
    exported = scripted("export", case, "--out", workspace / "exports")
    assert set(exported["files"]) == {"timeline.l2t.csv", "timeline.jsonl", "case-uco.jsonld"}
    deletion = scripted("verify-deletion", case, workspace / "after", "-w", "1")
    assert deletion["status"] == "clean" and deletion["totals"]["gone"] == 1
    listed = scripted("to-delete", case, "--out", workspace / "待删除清单.csv")
    assert listed["items"] == listed["by_reason"]["no_consent"] == 1
    custody = scripted("custody", case, "--verify")
    assert custody["verified"] is True
    assert {"case.new", "acquire", "scan.end", "assess", "report", "export"} <= {
        e["action"] for e in custody["events"]
    }


@pytest.mark.slow
def test_the_one_command_audits_answer_in_json(workspace: Path) -> None:
    export = workspace / "export"
    summary = scripted(
        "audit", export, "--case", workspace / "audit-case", *NEW_CASE, "--as-of", "2024-06-30",
        "-w", "1",
    )  # fmt: skip
    assert summary["schema"] == "venue-audit.summary/1" and summary["faces"]["records"] == 1
    own = scripted(
        "self-audit", export, "--case", workspace / "self-case", "--responsible", "王五",
        "--venue", "售楼处", "--as-of", "2024-06-30", "-w", "1",
    )  # fmt: skip
    assert own["case_no"] == "自查" and own["faces"]["records"] == 1
