"""Every glyph is embedded: the report reads the same on a machine with no CJK font at all.

This machine (and CI) has no CJK font installed, which is the point: pdfium,
the engine of Chrome's viewer, draws a non-embedded Chinese font as blank boxes
here, so ink where the Chinese text stands proves the font travelled with the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_samples import make_report_data

from tests.pdf_reading import (
    ink_in_text_boxes,
    pdf_fonts,
    pdf_text,
    render_pages,
    undrawn_chinese_characters,
)
from venue_audit.report.fonts import FontError, register_fonts, subset_as_truetype
from venue_audit.report.render import render_report


def test_every_font_in_the_report_is_embedded(zh_report) -> None:
    fonts = pdf_fonts(zh_report.pdf)
    assert fonts, "the PDF names no font at all"
    assert all(fonts.values()), f"not embedded: {[f for f, e in fonts.items() if not e]}"
    assert not any("Helvetica" in f or "Courier" in f or "STSong" in f for f in fonts)


def test_pdfium_draws_the_chinese_text_without_any_system_font(zh_report) -> None:
    for page, words in (
        (1, ("人脸信息留存情况电子数据检验报告",)),
        (2, ("检验结论摘要", "人脸采集记录")),
    ):
        for word in words:
            shares = ink_in_text_boxes(zh_report.pdf, page, word)
            assert shares, f"{word!r} is not on page {page}"
            assert all(share > 0.03 for share in shares), (word, shares)


def test_every_chinese_character_on_every_page_is_drawn(zh_report) -> None:
    assert "检验" in pdf_text(zh_report.pdf)
    assert undrawn_chinese_characters(zh_report.pdf) == []


def test_a_font_left_out_of_the_file_is_caught_by_the_drawing_check(tmp_path: Path) -> None:
    """The control: reportlab's built-in CJK font is only named, never embedded, and this
    machine has no CJK font to stand in for it, so pdfium draws none of its characters."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    drawing = canvas.Canvas(str(tmp_path / "named-only.pdf"))
    drawing.setFont("STSong-Light", 14)
    drawing.drawString(100, 700, "检验报告")
    drawing.save()
    assert not all(pdf_fonts(tmp_path / "named-only.pdf").values())
    assert undrawn_chinese_characters(tmp_path / "named-only.pdf") == [
        (1, "检"),
        (1, "验"),
        (1, "报"),
        (1, "告"),
    ]


def test_no_page_is_blank(zh_report) -> None:
    pages = render_pages(zh_report.pdf, scale=0.5)
    assert len(pages) == zh_report.pages
    for number, grey in enumerate(pages, 1):
        body = grey[: int(grey.shape[0] * 0.85)]  # above the footer
        assert (body < 128).mean() > 0.0002, f"page {number} has nothing above its footer"


def test_characters_only_in_the_data_are_in_the_subset(tmp_path: Path) -> None:
    data = make_report_data(records=20, persons=4)
    data.case.venue = "鑫瀚楼盘營銷中心"  # characters no fixed wording of the report uses
    outputs = render_report(data, tmp_path / "report.pdf")
    assert not outputs.notes, outputs.notes
    shares = ink_in_text_boxes(outputs.pdf, 1, "鑫瀚楼盘營銷中心")
    assert shares and all(share > 0.03 for share in shares), shares
    assert "鑫瀚楼盘營銷中心" in pdf_text(outputs.pdf, first=1, last=1)


def test_the_subset_is_truetype_and_small() -> None:
    from fontTools.ttLib import TTFont

    from venue_audit.report.fonts import bundled_font_path

    data, missing = subset_as_truetype(bundled_font_path(), "检验报告 0123456789abcdef")
    assert missing == ""
    font = TTFont(__import__("io").BytesIO(data))
    assert "glyf" in font and "CFF " not in font
    assert len(data) < 60_000


def _tables_but_head(data: bytes) -> dict[str, bytes]:
    """The font's tables; head holds the time the font was saved."""
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    return {tag: font.reader[tag] for tag in font.reader.tables if tag != "head"}


def test_a_subset_made_once_is_read_back_from_the_cache_folder_and_a_broken_one_is_remade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venue_audit.report.fonts import _bundled_subset, bundled_font_path

    monkeypatch.setenv("VENUE_AUDIT_CACHE", str(tmp_path))
    characters = "检验报告 0123"
    first = _bundled_subset("CacheTestA", characters, "-cachetst")
    (cached,) = (tmp_path / "fonts").glob("*.ttf")
    expected, _ = subset_as_truetype(bundled_font_path(), characters, "-cachetst")
    assert _tables_but_head(cached.read_bytes()) == _tables_but_head(expected)
    again = _bundled_subset("CacheTestB", characters, "-cachetst")
    assert again.face.charToGlyph == first.face.charToGlyph
    cached.write_bytes(b"not a font")
    remade = _bundled_subset("CacheTestC", characters, "-cachetst")
    assert remade.face.charToGlyph == first.face.charToGlyph
    assert cached.read_bytes()[:4] == b"\x00\x01\x00\x00"


def test_a_chosen_font_that_cannot_be_embedded_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="does not exist"):
        register_fonts("检验", font_file=tmp_path / "nonexistent.ttf")
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(FontError, match="cannot be embedded"):
        register_fonts("检验", font_file=bogus)
    pipe = tmp_path / "pipe.ttf"
    os.mkfifo(pipe)
    with pytest.raises(FontError, match="is not a regular file"):
        register_fonts("检验", font_file=pipe)
    with pytest.raises(FontError, match="is not a regular file"):
        register_fonts("检验", font_file=tmp_path)
