"""The zh report says in Chinese why something was not read and why a person has their status.

Readers, the face engine and the consent check give every problem a reason code with the
values of its sentence; the report words the code from one table. A code without a wording
is shown in the tool's own sentence, labelled as such, never half-translated.
"""

from __future__ import annotations

import re
import string

import pytest

from tests.hostile.corpus import Canary, build_all
from tests.pdf_reading import pdf_text
from venue_audit.acquire import acquire
from venue_audit.assess import assess_case
from venue_audit.case import Case, CaseInfo
from venue_audit.report import i18n, report_case
from venue_audit.report.reasons import REASONS
from venue_audit.scan import ScanOptions, scan

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CJK = re.compile(r"[\u4e00-\u9fff]")
# hostile inputs whose readers give coded problems, and the Chinese the report must print
CASES = {
    "fifo": "命名管道（FIFO）：已记录，未读取",
    "sql_dump_unbalanced_quotes": "引号不配对：跳过该语句直至下一条语句",
    "jpeg_truncated": "图像数据不完整（文件被截断），无法解码",
    "npy_object_dtype": "对象数组（|O）：其元素为 pickle 序列化数据，拒绝读取，从不加载",
    "pickle_os_system": "反序列化将执行这些代码",
}
ENGLISH = (
    "fifo: recorded, not read",
    "unbalanced quote",
    "image data is truncated",
    "object array",
    "pickle not loaded",
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_reason_is_worded_in_chinese_with_the_values_of_its_english_sentence() -> None:
    for code, (zh, en) in REASONS.items():
        assert CJK.search(zh), code
        assert _fields(zh) <= _fields(en) | {"detail", "error"}, code
        assert _fields(en) <= _fields(zh) | {"detail", "error"}, code


def test_a_reason_without_a_wording_is_the_tools_own_sentence_labelled() -> None:
    assert i18n.reason_text("no.such.code", {}, "it broke", "zh") == "（工具原文）it broke"
    assert i18n.reason_text("no.such.code", {}, "it broke", "en") == "it broke"
    # a known code whose values are missing is not guessed at either
    assert i18n.reason_text("line.too_long", {}, "line too long", "zh") == "（工具原文）line too long"
    worded = i18n.reason_text("line.too_long", {"limit": 4096}, "line longer than 4096 bytes", "zh+en")
    assert worded == "该行超过 4096 字节，已跳过 / line longer than 4096 bytes"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("reasons")
    build_all(root / "export", Canary(root / "canary"), list(CASES))
    register = root / "consent.csv"
    register.write_text(
        "访客编号,签署时间,用途\nV1,3/15,到访登记\nV2,2024-03-01 10:00,到访登记\n", encoding="utf-8"
    )
    case = Case.create(root / "case", CaseInfo("T-REASONS", "V", ["甲", "乙"]))
    acquire(case, [root / "export"], workers=1)
    scan(case, ScanOptions(workers=1))
    assess_case(case, register, as_of="2024-06-30")
    texts = {}
    for lang in ("zh", "en"):
        out = report_case(case, root / lang / "report.pdf", lang=lang, thumbnails=False)
        texts[lang] = pdf_text(out.pdf, layout=False).replace("\n", "")
    return texts


def test_skipped_items_are_listed_in_chinese_in_the_zh_report(reports: dict[str, str]) -> None:
    zh = reports["zh"]
    for wording in CASES.values():
        assert wording in zh, wording
    for sentence in ENGLISH:
        assert sentence not in zh, sentence
    assert "（工具原文）" not in zh
    assert i18n.stage_label("faces", "zh") == "人脸分析" and "人脸分析" in zh


def test_the_en_report_keeps_the_tools_english_sentences(reports: dict[str, str]) -> None:
    for sentence in ENGLISH:
        assert sentence in reports["en"], sentence
    assert "命名管道" not in reports["en"]


def test_consent_register_problems_are_listed_in_chinese(reports: dict[str, str]) -> None:
    assert "同意记录中未能读取或关联的内容" in reports["zh"]
    assert "签署时间 '3/15' 无法识别" in reports["zh"]
    assert "unreadable signed time '3/15'" in reports["en"]
