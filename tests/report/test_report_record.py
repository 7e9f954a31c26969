"""The report is an examination record: who commissioned what, where the evidence came from,
who handed it over, who witnessed, and who signs; custody names the examiners."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.pdf_reading import pdf_text
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.cli import app
from venue_audit.report import report_case

RECORD = CaseInfo(
    case_no="沪青检技〔2024〕9号",
    venue="某楼盘售楼处",
    examiners=["张三", "李四"],
    title="售楼处违法收集人脸信息公益诉讼案",
    org="上海市青浦区人民检察院",
    commissioned_at="2024-06-01",
    place="检察技术实验室（青浦）",
    material_source="售楼处物业经理王五导出服务器数据库至U盘，封存编号 FC-0601-01",
    handover_at="2024-06-01T15:30:00+08:00",
    requirements="查明存储的人脸信息数量、人数及是否取得单独同意",
    witnesses=["赵六"],
    holder="王五",
)


def test_the_cover_custody_and_signatures_form_an_examination_record(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "notes.txt").write_text("no faces here", encoding="utf-8")
    case = Case.create(tmp_path / "case", RECORD, command=["venue-audit", "case", "new"])
    acquire(case, [export], workers=1)
    outputs = report_case(case, tmp_path / "report" / "report.pdf", as_of="2024-06-30",
                          thumbnails=False)
    cover = pdf_text(outputs.pdf, first=1, last=1)
    for value in (RECORD.title, RECORD.org, RECORD.commissioned_at, RECORD.place,
                  RECORD.requirements, "赵六", "王五", "FC-0601-01"):
        assert value in cover.replace("\n", ""), value
    assert "（未填写）" not in cover
    assert case.info.witnesses == ["赵六"] and case.info.holder == "王五"
    events = case.custody_events()
    assert events[0]["action"] == "handover"  # custody begins before the tool ingests anything
    assert json.loads(events[0]["detail"])["handed_over_at"] == RECORD.handover_at
    assert all(json.loads(e["examiners"]) == ["张三", "李四"] for e in events)
    assert not case.verify_custody()
    text = pdf_text(outputs.pdf, layout=False).replace("\n", "")
    assert "检材移交（所述时间 2024-06-01T15:30:00+08:00）" in text
    assert "张三、李四" in text and "系统账户" in text
    last = pdf_text(outputs.pdf, first=outputs.pages, last=outputs.pages)
    for role in ("检验人：张三", "检验人：李四", "见证人：赵六", "持有人：王五", "检验机构盖章"):
        assert role in last, role
    assert "检验意见" in text


RECORD_OPTIONS = [
    "--org", "--title", "--commissioned-at", "--place", "--material-source", "--handover-at",
    "--requirements", "--witness", "--holder",
]


def _options(*path: str) -> list[str]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return [opt for param in command.params for opt in param.opts]


def test_case_new_and_audit_take_the_same_examination_record_options() -> None:
    for path in (("case", "new"), ("audit",)):
        options = _options(*path)
        assert [o for o in options if o in RECORD_OPTIONS] == RECORD_OPTIONS, path


def test_case_new_stores_every_examination_record_option(tmp_path: Path) -> None:
    values = {
        "--org": RECORD.org, "--title": RECORD.title, "--commissioned-at": RECORD.commissioned_at,
        "--place": RECORD.place, "--material-source": RECORD.material_source,
        "--handover-at": RECORD.handover_at, "--requirements": RECORD.requirements,
        "--holder": RECORD.holder,
    }
    arguments = ["case", "new", str(tmp_path / "case"), "--case-no", RECORD.case_no,
                 "--venue", RECORD.venue, "--examiner", "张三", "--examiner", "李四",
                 "--witness", "赵六", "--witness", "钱七"]
    for option, value in values.items():
        arguments += [option, value]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    info = Case(tmp_path / "case").info
    assert (info.org, info.title, info.commissioned_at, info.place, info.material_source,
            info.handover_at, info.requirements, info.holder) == tuple(values.values())
    assert info.witnesses == ["赵六", "钱七"]
