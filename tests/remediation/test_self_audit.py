"""``venue-audit self-audit`` of the sample venue: one responsible person, a 合规自查报告, the list.

The run itself is the session fixture ``self_audit_run`` (the CLI, as a business would call it);
these tests read what it left: the case, the report and its annexes, the list and its SQL.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from tests.pdf_reading import pdf_text
from tests.remediation.conftest import RESPONSIBLE, SERVER_DB, TRUTH, sample_rows
from tests.remediation.test_to_delete import expected_files, expected_rows
from venue_audit.case import Case
from venue_audit.cli import app
from venue_audit.remediation import load_to_delete


def test_the_case_has_one_responsible_person_and_is_a_self_audit(self_audit_run: Path) -> None:
    case = Case(self_audit_run / "case")
    assert (case.info.purpose, case.info.examiners) == ("self-audit", [RESPONSIBLE])
    created = next(e for e in case.custody_events() if e["action"] == "case.new")
    assert '"purpose": "self-audit"' in created["detail"]
    assert case.verify_custody() == []


def test_the_report_is_worded_as_a_self_audit_not_an_examination(self_audit_run: Path) -> None:
    pdf = self_audit_run / "report" / "自查报告.pdf"
    text = "".join(pdf_text(pdf, layout=False).split())  # lines wrap anywhere in Chinese
    cover = "".join(pdf_text(pdf, layout=False, last=1).split())
    assert "个人信息保护合规自查报告" in cover
    assert "个人信息保护负责人" in cover and RESPONSIBLE in cover
    assert "不是电子数据检验报告" in cover  # clearly marked as not an examination record
    for absent in ("人脸信息留存情况电子数据检验报告", "检验人员", "委托单位", "见证人", "持有人", "检验意见"):
        assert absent not in text, absent
    for section in ("自查结论摘要", "法定义务核对", "待删除清单", "自查发现", "自查结论"):
        assert section in text, section
    # the same numbers as the examination report: the summary's records and persons
    assert f"{TRUTH['faces']['records']}" in text
    assert "向省级网信部门备案" in text and "未达到" in text  # 5 persons, far under 100,000
    assert "个人信息保护影响评估" in text and "oss://scrm-cloud-backup/faces/" in text


def test_the_list_beside_the_report_holds_every_record_that_must_go(self_audit_run: Path) -> None:
    folder = self_audit_run / "report"
    with (folder / "待删除清单.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    listed = load_to_delete(Case(self_audit_run / "case"))
    assert listed is not None and len(rows) == len(listed.items)
    table_rows = {
        int(r["主键值"]): r for r in rows if r["数据表"] == "t_face_capture" and r["主键值"]
    }
    assert set(table_rows) == set(expected_rows())
    assert all(r["主键列"] == "id" and r["文件"] == "export/server/face_capture.db"
               for r in table_rows.values())
    assert {r["文件"] for r in rows if r["处理方式"] == "删除该文件"} == set(expected_files())
    assert sum("场所以外" in r["删除原因"] for r in rows) == 4  # the cloud backup's members
    assert sum(r["数据状态"] == "已删除但可恢复" for r in rows) == TRUTH["faces"]["deleted_recoverable"]
    hashes = (folder / "annexes.sha256").read_text(encoding="utf-8")
    for name in ("待删除清单.csv", "待删除清单.xlsx", "待删除清单-face_capture.db.sql"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in hashes or f"{digest} *{name}" in hashes or digest in hashes


def test_the_sql_beside_the_list_parses_and_targets_exactly_those_rows(
    self_audit_run: Path, tmp_path: Path
) -> None:
    script = (self_audit_run / "待删除清单-face_capture.db.sql").read_text(encoding="utf-8")
    assert sqlite3.complete_statement(script)
    copy = tmp_path / "face_capture.db"
    shutil.copyfile(SERVER_DB, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    connection.executescript(script)
    remaining = {row[0] for row in connection.execute("select id from t_face_capture")}
    connection.close()
    assert remaining == {row_id for row_id, _, _ in sample_rows()} - set(expected_rows())


def test_a_self_audit_names_one_responsible_person(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(
        app,
        ["case", "new", str(tmp_path / "a"), "--case-no", "S", "--venue", "v",
         "--responsible", "王五", "--examiner", "赵六"],
    )
    assert both.exit_code == 2 and "not both" in both.output
    made = runner.invoke(
        app, ["case", "new", str(tmp_path / "b"), "--case-no", "S", "--venue", "v",
              "--responsible", "王五"],
    )
    assert made.exit_code == 0 and Case(tmp_path / "b").info.purpose == "self-audit"
    missing = runner.invoke(app, ["self-audit", str(tmp_path), "--case", str(tmp_path / "c")])
    assert missing.exit_code == 2 and "--responsible" in missing.output
