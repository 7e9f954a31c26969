"""The PDF reads as a Chinese evidence report and carries the summary's numbers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from conftest import line_with, pdf_pages, pdf_text

from venue_audit.report import i18n
from venue_audit.report.model import PERSON_STATUSES, ReportData
from venue_audit.report.render import ReportOutputs, render_report

CHINESE_HEADINGS = [
    "人脸信息留存情况电子数据检验报告",
    "检验结论摘要",
    "电子数据清单",
    "完整性校验",
    "检验方法",
    "检验发现",
    "图表",
    "人员统计",
    "监督保管记录",
    "附件",
    "检验意见",
    "签名",
]


def test_chinese_headings_appear_in_the_extracted_text(zh_report: ReportOutputs) -> None:
    text = pdf_text(zh_report.pdf)
    for heading in CHINESE_HEADINGS:
        assert heading in text, heading
    assert "Evidence list" not in text


def test_summary_numbers_appear_on_their_rows(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    summary = sample_data.summary
    text = pdf_text(zh_report.pdf, first=2, last=2)
    faces, persons = summary["faces"], summary["persons"]
    expected = {
        "人脸采集记录（人次）": faces["records"],
        "不同自然人（人数）": persons["distinct"],
        "仅见于已删除可恢复数据的人数": persons["only_in_deleted"],
        "图像中检出的人脸": faces["faces_in_images"],
        "完全重复项": faces["exact_duplicates"],
        "已删除但可恢复的记录": faces["deleted_recoverable"],
        "含人脸的视频帧": faces["video_frames_with_faces"],
        "检材总字节数": summary["evidence"]["bytes"],
    }
    for status in PERSON_STATUSES:
        expected[i18n.STATUS_LABELS[status][0]] = persons["by_status"][status]
    for label, number in expected.items():
        assert re.search(rf"{re.escape(label)}\s+{number}(\D|$)", line_with(text, label)), (
            label,
            number,
        )
    low, high = sample_data.persons_band
    assert f"阈值敏感性区间 {low}–{high}" in line_with(text, "不同自然人（人数）")
    assert re.search(r"(?<!统计学意义上的)置信区间", text) is None  # a sweep, not a CI
    for finding in sample_data.findings:
        assert re.search(rf"\s{finding.count}\s", line_with(text, finding.title_zh[:10])), (
            finding.rule
        )


def test_every_page_has_page_x_of_y_report_id_and_summary_hash(zh_report: ReportOutputs) -> None:
    pages = pdf_pages(zh_report.pdf)
    assert pages == zh_report.pages
    for page in range(1, pages + 1):
        text = pdf_text(zh_report.pdf, first=page, last=page)
        assert f"第 {page} 页 共 {pages} 页" in text
        assert zh_report.report_id in text
        assert zh_report.summary_sha256 in text


def test_evidence_list_shows_all_three_hashes_and_flags_the_changed_item(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    text = pdf_text(zh_report.pdf, layout=False)
    item = sample_data.evidence[5]
    for digest in (item.md5, item.sha256, item.sm3):
        assert digest in text
    assert "一致 11 项，不一致 1 项，未复核 0 项" in text
    assert "f" * 64 in text


def test_english_report_has_english_headings_only(tmp_path: Path, sample_data: ReportData) -> None:
    outputs = render_report(sample_data, tmp_path / "report.pdf", lang="en", redact=True)
    text = pdf_text(outputs.pdf)
    assert "Evidence list" in text and "Summary of results" in text
    assert "电子数据清单" not in text
    assert f"Page 1 of {outputs.pages}" in text


def test_a_count_of_one_is_singular_in_english(tmp_path: Path) -> None:
    from report_samples import make_report_data

    data = make_report_data(records=20, persons=4)
    data.findings[0].count, data.findings[0].unit = 1, "persons"
    text = pdf_text(render_report(data, tmp_path / "r.pdf", lang="en").pdf, first=2, last=2)
    assert re.search(r"\s1 person\s", text) and "1 persons" not in text


def test_bilingual_report_shows_both_languages(tmp_path: Path, sample_data: ReportData) -> None:
    outputs = render_report(sample_data, tmp_path / "report.pdf", lang="zh+en")
    text = pdf_text(outputs.pdf)
    assert "电子数据清单 / Evidence list" in text
    assert "《中华人民共和国个人信息保护法》第二十九条" in text and "PIPL Art. 29" in text


def test_bilingual_sentences_are_whole_in_each_language(tmp_path: Path, sample_data: ReportData) -> None:
    """zh+en pairs whole sentences: the Chinese one, then the English one, never a Chinese
    sentence with English pieces inside (the range, the log totals, the conclusion)."""
    outputs = render_report(sample_data, tmp_path / "report.pdf", lang="zh+en")
    text = pdf_text(outputs.pdf, layout=False).replace("\n", "")
    assert re.search(r"经检验，[^/]*?计数规则与检验过程见“检验方法”部分。\s*/\s*The evidence of", text)
    assert "（阈值敏感性区间 312–325）；另有 5 人" in text
    assert "阈值敏感性区间 / threshold" not in text and "312–325 / " not in text


def test_unknown_language_is_refused(tmp_path: Path, sample_data: ReportData) -> None:
    try:
        render_report(sample_data, tmp_path / "report.pdf", lang="fr")
    except ValueError as error:
        assert "fr" in str(error)
    else:
        raise AssertionError("lang='fr' was accepted")


def test_deletion_verification_section_and_sealed_notice(tmp_path: Path) -> None:
    from report_samples import make_report_data

    from venue_audit.report.model import VerificationRow, VerificationSection

    data = make_report_data(records=30, persons=6)
    data.verification = VerificationSection(
        verdict="未彻底删除 NOT DELETED",
        baseline="2024-06-01",
        after="2024-07-01",
        rows=[VerificationRow("server/facedb.sqlite", 3, 12, 15, "残留")],
    )
    outputs = render_report(data, tmp_path / "report.pdf", redact=False)
    text = pdf_text(outputs.pdf)
    assert "删除验证" in text and "未彻底删除 NOT DELETED" in text
    assert re.search(r"server/facedb\.sqlite\s+3\s+12\s+15\s+残留", text)
    assert "密封附件" in pdf_text(outputs.pdf, first=1, last=1)
    redacted = render_report(data, tmp_path / "redacted" / "report.pdf")
    assert "密封附件" not in pdf_text(redacted.pdf)


def test_a_single_examiner_is_flagged_on_the_cover(tmp_path: Path) -> None:
    from report_samples import make_report_data

    data = make_report_data(records=20, persons=4)
    assert "检验人员少于两名" not in pdf_text(render_report(data, tmp_path / "a" / "r.pdf").pdf)
    data.case.examiners = ["张三"]
    cover = pdf_text(render_report(data, tmp_path / "b" / "r.pdf").pdf, first=1, last=1)
    assert "检验人员少于两名" in cover


def test_a_deletion_verdict_becomes_a_worded_verification_section(tmp_path: Path) -> None:
    from report_samples import make_report_data

    from venue_audit.report.verification import verification_section
    from venue_audit.verify import DeletionVerdict, StoreResult

    store = StoreResult("server/face_capture.db", "/mnt/export/server", "/mnt/after/server")
    store.states.update({"gone": 10, "recoverable": 2, "remaining_live": 1})
    verdict = DeletionVerdict(
        after_case=tmp_path,
        checked=["/mnt/after/server"],
        replicas={"/mnt/export/server": "/mnt/after/server"},
        stores={store.store: store},
        by_person={7: Counter({"gone": 3, "recoverable": 2}), 8: Counter({"gone": 4})},
    )
    section = verification_section(verdict)
    assert [
        (r.subject, r.person, r.live, r.recoverable, r.gone, r.verdict) for r in section.rows
    ] == [
        ("server/face_capture.db", False, 1, 2, 10, "residual"),
        ("7", True, 0, 2, 3, "residual"),
    ]
    data = make_report_data(records=20, persons=4)
    data.verification = section
    text = pdf_text(render_report(data, tmp_path / "out" / "r.pdf").pdf)
    assert "结论：发现残留人脸数据" in text
    assert re.search(r"server/face_capture\.db\s+1\s+2\s+10\s+发现残留人脸数据", text)
    assert re.search(r"人员 7\s+0\s+2\s+3\s+发现残留人脸数据", text)


def test_log_events_are_totalled_per_action_and_remote_host(
    zh_report: ReportOutputs, sample_data: ReportData
) -> None:
    uploads = [e for e in sample_data.timeline.log_events if e.kind == "upload"]
    row = line_with(pdf_text(zh_report.pdf), "oss-cn-shanghai.example.com")
    days, lines, files = len(uploads), len(uploads), sum(e.files or 0 for e in uploads)
    assert re.search(rf"上传\s+oss-cn-shanghai\.example\.com\s+{days}\s+{lines}\s+{files}\s", row)
    deletions = line_with(pdf_text(zh_report.pdf), "删除  ")  # no host, no number of files
    assert "（日志未记载）" in deletions and "未记载" in deletions


def test_log_lines_naming_files_are_not_called_device_face_events(tmp_path: Path) -> None:
    from report_samples import make_report_data

    from venue_audit.report.model import LogEvent

    data = make_report_data(records=20, persons=4)
    data.timeline.log_events = [
        LogEvent("2024-03-15", "upload", 12, "oss://bucket/faces/", 1, 12, linked=0, unlinked=1),
        LogEvent("2024-03-15", "face capture", 1, "", 2, None, linked=1, unlinked=1),
    ]
    text = pdf_text(render_report(data, tmp_path / "r.pdf").pdf, layout=False).replace("\n", "")
    assert "日志中的上传记录：0 行所列文件为证据中的采集记录；1 行所列文件不在检材中" in text
    assert "设备人脸事件（上传）" not in text
    assert "设备人脸事件（人脸抓拍）：1 条事件的图片已链接到证据中的抓拍记录" in text


def test_hostile_text_is_shown_literally_and_never_breaks_the_layout(tmp_path: Path) -> None:
    from report_samples import make_report_data

    from venue_audit.report.model import SkippedItem

    data = make_report_data(records=20, persons=4)
    data.case.case_no = "案<1>\udcff"
    data.evidence[0].path = "evil/<b>bold</b>&amp;\x00\x1b/\udcff.jpg"
    data.evidence[0].md5 = "<font>"
    data.findings[0].locators.insert(0, "db, table <x>, rowid 1 & more \x07")
    data.custody[0].command = "venue-audit scan '<para>'"
    data.skipped.append(SkippedItem(locator="\ud800bad", reason="</para>", stage="scan"))
    outputs = render_report(data, tmp_path / "report.pdf")
    text = pdf_text(outputs.pdf, layout=False)
    for shown in (
        "evil/<b>bold</b>&amp;\\x00\\x1b/\\xff.jpg",
        "table <x>, rowid 1 & more \\x07",
        "</para>",
        "案<1>\\xff",
    ):
        assert shown in text, shown
    assert "\\udcff" in outputs.annexes["manifest.csv"].read_text(encoding="utf-8-sig")


def test_citations_quote_the_verified_text_and_nothing_is_left_to_confirm(
    zh_report: ReportOutputs,
) -> None:
    text = pdf_text(zh_report.pdf, layout=False).replace("\n", "")
    assert "待核对" not in text and "to be confirmed" not in text
    assert "处理敏感个人信息应当取得个人的单独同意" in text  # PIPL Art. 29, quoted
    assert "2021-11-01起施行" in text


def test_a_webp_named_jpg_is_flagged_in_the_evidence_list(tmp_path: Path) -> None:
    from report_samples import make_report_data

    data = make_report_data(records=20, persons=4)
    data.evidence[1].type = "webp"  # path part001.jpg
    outputs = render_report(data, tmp_path / "report.pdf")
    text = pdf_text(outputs.pdf, layout=False).replace("\n", "")
    assert "扩展名与内容不符：扩展名为 .jpg，内容为 webp" in text
    assert re.search(r"扩展名与内容不符的检材\s*1", pdf_text(outputs.pdf, first=2, last=2))


def test_chinese_punctuation_never_opens_a_line() -> None:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    import venue_audit.report.layout  # noqa: F401 - sets the line-breaking rule
    from venue_audit.report.fonts import register_fonts

    fonts = register_fonts("一二三四五，六七八九；")
    style = ParagraphStyle("p", fontName=fonts.regular, fontSize=10, leading=12, wordWrap="CJK")
    for text in ("一二三四五，六七八九", "一二三四五；六七八九"):
        paragraph = Paragraph(text, style)
        paragraph.wrap(50.5, 1000)  # room for five characters a line
        lines = ["".join(words) for _, words in paragraph.blPara.lines]
        assert len(lines) == 2 and lines[1][0] not in "，；", lines
