"""Chinese renders with an embedded TrueType CJK font, or else with the built-in CID font."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import pdf_text
from report_samples import make_report_data

from venue_audit.report.fonts import BUILTIN_CID_FONT, find_cjk_font, register_fonts
from venue_audit.report.render import render_report

NOTO_CJK = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)


def _fonts_in(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def test_cff_based_noto_cjk_is_refused_rather_than_embedded_wrongly() -> None:
    if not Path(NOTO_CJK[0]).is_file():
        pytest.skip("fonts-noto-cjk is not installed")
    assert find_cjk_font((NOTO_CJK,)) is None


def test_a_missing_font_file_is_skipped() -> None:
    assert find_cjk_font((("/nonexistent/font.ttc", 0),)) is None


def test_installed_truetype_cjk_font_is_embedded(tmp_path: Path) -> None:
    if find_cjk_font() is None:
        pytest.skip("no TrueType CJK font installed (apt-get install fonts-wqy-microhei)")
    outputs = render_report(make_report_data(records=30, persons=5), tmp_path / "report.pdf")
    assert outputs.fonts.embedded
    fonts = [line for line in _fonts_in(outputs.pdf).splitlines() if "+" in line]
    assert fonts and all(" yes yes yes " in line for line in fonts), fonts
    assert "电子数据清单" in pdf_text(outputs.pdf)


def test_without_an_embeddable_font_the_builtin_cid_font_still_gives_chinese(
    tmp_path: Path,
) -> None:
    assert register_fonts(force_builtin=True).regular == BUILTIN_CID_FONT
    outputs = render_report(
        make_report_data(records=30, persons=5), tmp_path / "report.pdf", force_builtin_font=True
    )
    assert not outputs.fonts.embedded
    assert BUILTIN_CID_FONT in _fonts_in(outputs.pdf)
    text = pdf_text(outputs.pdf)
    assert "电子数据清单" in text and "检验结论摘要" in text
    assert "未嵌入" in text, "the method section should say the font is not embedded"
