"""Find a Chinese font that reportlab can embed, or fall back to a built-in CID font.

An embedded font renders the same in every viewer, which is what a court
exhibit needs. reportlab embeds only TrueType outlines: the Noto CJK fonts most
Linux systems ship (fonts-noto-cjk) are CFF-based OpenType and are refused
("postscript outlines are not supported"), so the search prefers WenQuanYi
(Debian ``fonts-wqy-microhei`` / ``fonts-wqy-zenhei``) and other TrueType CJK
fonts, then anything ``fc-list :lang=zh`` names that loads. When none loads,
``STSong-Light`` (an Adobe CID font reportlab knows by name) is used: it is
not embedded, so the viewer substitutes a local CJK font — readable in Acrobat
and poppler, but not guaranteed everywhere, which the method section says.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

BUILTIN_CID_FONT = "STSong-Light"
FONT_ENV = "VENUE_AUDIT_CJK_FONT"
REGULAR_NAME = "VenueAuditCJK"
MONO_FONT = "Courier"

KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
)


@dataclass(frozen=True)
class ReportFonts:
    """The font names the renderer uses, and where the CJK font came from."""

    regular: str
    bold: str
    mono: str
    embedded: bool
    source: str


def find_cjk_font(candidates: tuple[tuple[str, int], ...] | None = None) -> tuple[str, int] | None:
    """The first (path, subfont index) that reportlab can load and that has Chinese glyphs."""
    if candidates is None:
        return _default_cjk_font(os.environ.get(FONT_ENV, ""))
    return _first_loadable(candidates)


@functools.cache
def _default_cjk_font(_env_value: str) -> tuple[str, int] | None:
    # Cached because probing a system with only CFF fonts opens every one of them.
    return _first_loadable(None)


def _first_loadable(candidates: tuple[tuple[str, int], ...] | None) -> tuple[str, int] | None:
    for path, index in _candidates(candidates):
        if _loads(path, index):
            return path, index
    return None


def register_fonts(
    force_builtin: bool = False, candidates: tuple[tuple[str, int], ...] | None = None
) -> ReportFonts:
    """Register the report's fonts with reportlab and say which ones were used."""
    found = None if force_builtin else find_cjk_font(candidates)
    if found is not None:
        path, index = found
        name = f"{REGULAR_NAME}-{Path(path).stem}-{index}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        return ReportFonts(name, name, MONO_FONT, True, f"{path}#{index}")
    if BUILTIN_CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CID_FONT))
    return ReportFonts(BUILTIN_CID_FONT, BUILTIN_CID_FONT, MONO_FONT, False, BUILTIN_CID_FONT)


def _candidates(explicit: tuple[tuple[str, int], ...] | None) -> list[tuple[str, int]]:
    if explicit is not None:
        return list(explicit)
    found: list[tuple[str, int]] = []
    chosen = os.environ.get(FONT_ENV)
    if chosen:
        path, _, index = chosen.partition("#")
        found.append((path, int(index) if index.isdigit() else 0))
    found.extend(KNOWN_FONTS)
    found.extend(_fontconfig_cjk_fonts())
    return found


def _fontconfig_cjk_fonts() -> list[tuple[str, int]]:
    if shutil.which("fc-list") is None:
        return []
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file", "index"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in sorted(listing.splitlines()):
        path, _, rest = line.partition(":")
        index = rest.split("index=")[-1].strip() if "index=" in rest else "0"
        if path.lower().endswith((".ttf", ".ttc", ".otf")):
            fonts.append((path.strip(), int(index) if index.isdigit() else 0))
    return fonts


def _loads(path: str, index: int) -> bool:
    if not Path(path).is_file():
        return False
    try:
        font = TTFont(f"probe-{index}", path, subfontIndex=index)
    except (TTFError, OSError, ValueError, KeyError, IndexError):
        return False
    return ord("中") in font.face.charToGlyph
