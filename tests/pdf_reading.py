"""Reading a report PDF back in tests, with pypdf and pypdfium2 only (never poppler).

pdfium is the engine of Chrome's viewer: a page it renders with every Chinese
glyph on a machine without any CJK font is a page every reader will see.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdf
import pypdfium2


def pdf_text(
    pdf: Path, layout: bool = True, first: int | None = None, last: int | None = None
) -> str:
    """The text of pages ``first``..``last`` (1-based, inclusive), laid out as on the page
    (table rows on one line) or, with ``layout=False``, run by run."""
    reader = pypdf.PdfReader(str(pdf))
    pages = reader.pages[(first or 1) - 1 : last or len(reader.pages)]
    mode = "layout" if layout else "plain"
    return "\n".join(page.extract_text(extraction_mode=mode) for page in pages)


def pdf_pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(str(pdf)).pages)


def line_with(text: str, label: str) -> str:
    """The lines of the laid-out text holding ``label`` (table rows), joined."""
    lines = [line for line in text.splitlines() if label in line]
    if not lines:
        raise AssertionError(f"{label!r} not found in the PDF text")
    return "\n".join(lines)


def pdf_fonts(pdf: Path) -> dict[str, bool]:
    """Every font the PDF's pages (and their forms) use -> whether its program is embedded.

    What ``pdffonts`` shows in its ``emb`` column.
    """
    fonts: dict[str, bool] = {}

    def visit(resources: object) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font.get("/BaseFont"))] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
        for form in (resources.get("/XObject") or {}).values():
            visit(form.get_object().get("/Resources"))

    for page in pypdf.PdfReader(str(pdf)).pages:
        visit(page.get("/Resources"))
    return fonts


def render_pages(pdf: Path, scale: float = 1.0) -> list[np.ndarray]:
    """Every page rendered by pdfium, as greyscale arrays (0 black, 255 white)."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [
            np.asarray(document[index].render(scale=scale).to_pil().convert("L"))
            for index in range(len(document))
        ]
    finally:
        document.close()


def ink_in_text_boxes(pdf: Path, page_number: int, needle: str, scale: float = 2.0) -> list[float]:
    """For each place ``needle`` stands on the page, the share of dark pixels pdfium drew there.

    Text extraction reads the characters from the file whether or not a font can
    draw them; this looks at the pixels, so a blank or tofu-free empty box shows as 0.
    """
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[page_number - 1]
        text = page.get_textpage()
        image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
        height = page.get_height()
        shares = []
        searcher = text.search(needle)
        while (found := searcher.get_next()) is not None:
            start, count = found
            boxes = [text.get_charbox(i) for i in range(start, start + count)]
            left = min(b[0] for b in boxes)
            bottom = min(b[1] for b in boxes)
            right = max(b[2] for b in boxes)
            top = max(b[3] for b in boxes)
            region = image[
                int((height - top) * scale) : int((height - bottom) * scale) + 1,
                int(left * scale) : int(right * scale) + 1,
            ]
            shares.append(float((region < 128).mean()) if region.size else 0.0)
        return shares
    finally:
        document.close()


def embedded_images(pdf: Path) -> list[np.ndarray]:
    """Every raster image drawn on the pages, once per drawing, as RGB arrays (as ``pdfimages``)."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        images = []
        for index in range(len(document)):
            for item in document[index].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]):
                images.append(np.asarray(item.get_bitmap().to_pil().convert("RGB")))
        return images
    finally:
        document.close()


def undrawn_chinese_characters(pdf: Path, scale: float = 2.0) -> list[tuple[int, str]]:
    """Every CJK character pdfium did not draw: (page, character) where its box has no ink.

    The font check says a font program is in the file; this says each Chinese character
    on each page was actually drawn from it, as a reader without any CJK font sees it.
    """
    undrawn = []
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage()
            image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
            height = page.get_height()
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if not ("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"):
                    continue
                left, bottom, right, top = text.get_charbox(i)
                region = image[
                    int((height - top) * scale) : int((height - bottom) * scale) + 1,
                    int(left * scale) : int(right * scale) + 1,
                ]
                if not region.size or region.min() >= 160:
                    undrawn.append((index + 1, char))
        return undrawn
    finally:
        document.close()
