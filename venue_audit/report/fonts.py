"""The report's one font, embedded: Noto Sans SC from the Python install, never from the OS.

A court exhibit must render the same in every viewer, so every glyph it uses
is embedded. The font comes with the package ``pylopdf-fonts-zh-cn`` (Noto
Sans SC, SIL Open Font License 1.1, licence file in its dist-info), so a fresh
machine with no CJK font renders the report exactly as the examiner's does.

reportlab embeds only TrueType outlines and Noto Sans SC is OpenType/CFF, so
the font is first cut down with fontTools to the characters the report uses
(a few hundred glyphs, ~15 KB) and its cubic outlines are converted to
quadratic ones (cu2qu, within one font unit). reportlab then embeds that
subset. Latin text, digits and hashes use the same font, so no standard
(non-embedded) PDF font appears anywhere in the file.

An examiner may choose a TrueType font of their own instead (``font_file`` or
the ``VENUE_AUDIT_CJK_FONT`` environment variable, ``path[#index]``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import string
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from venue_audit.cache_dir import default_cache_dir
from venue_audit.errors import UsageError

FONT_ENV = "VENUE_AUDIT_CJK_FONT"
BUNDLED_PACKAGE = "pylopdf_fonts_zh_cn"
BUNDLED_FILE = "NotoSansSC-Regular.otf"
REGISTERED_PREFIX = "VenueAuditNotoSansSC"
SUBSET_FORMAT = 1  # part of the subset cache's key: raise it when subset_as_truetype changes
CU2QU_MAX_ERROR = 1.0  # font units (of 1000): invisible at any print size
# Always in the subset, whatever the data: what printable() and the layout can emit.
BASE_CHARACTERS = string.printable + "—–…·、，。：；（）《》〔〕“”‘’【】×→≥≤±°■□"


class FontError(UsageError, ValueError):
    """A font the examiner chose cannot be embedded; the message says why."""


@dataclass(frozen=True)
class ReportFonts:
    """The font names the renderer uses, and where the font came from."""

    regular: str
    bold: str
    mono: str
    embedded: bool
    source: str
    missing: str = ""  # characters of the report the font has no glyph for


def register_fonts(text: str = "", font_file: str | Path | None = None) -> ReportFonts:
    """Register an embeddable font holding every character of ``text`` and say which it is.

    ``font_file`` (or ``VENUE_AUDIT_CJK_FONT``) chooses a TrueType font, as
    ``path`` or ``path#subfont-index``; otherwise the bundled Noto Sans SC is
    subset to ``text``.
    """
    chosen = str(font_file) if font_file else os.environ.get(FONT_ENV, "")
    if chosen:
        return _register_file(chosen)
    # What printable() leaves unescaped: surrogates and control characters never reach the page.
    characters = "".join(sorted(c for c in set(BASE_CHARACTERS) | set(text) if c.isprintable()))
    name, missing = _register_bundled(characters)
    return ReportFonts(
        name,
        name,
        name,
        embedded=True,
        source=f"{BUNDLED_PACKAGE}/{BUNDLED_FILE} (Noto Sans SC, SIL OFL 1.1)",
        missing=missing,
    )


def bundled_font_path() -> Path:
    return Path(str(resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FILE)))


@functools.cache
def _register_bundled(characters: str) -> tuple[str, str]:
    digest = hashlib.sha256(characters.encode()).hexdigest()[:12]
    # reportlab keeps one font per PostScript name: each subset needs a name of its own.
    name = f"{REGISTERED_PREFIX}-{digest}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(_bundled_subset(name, characters, f"-{digest[:8]}"))
    has_glyph = pdfmetrics.getFont(name).face.charToGlyph
    missing = "".join(c for c in characters if ord(c) not in has_glyph and c.isprintable())
    return name, missing


def _bundled_subset(name: str, characters: str, name_suffix: str) -> TTFont:
    """The subset for ``characters``, from the cache folder when an earlier report made it.

    Cutting and converting the font costs ~0.6 s, more than the rest of a small
    report; the wording is the same in every report, so most reports need a subset
    made before. The cache key covers everything the bytes depend on; a cache
    file that cannot be read is made again, and a folder that cannot be written
    only costs the time.
    """
    otf = bundled_font_path()
    stat = otf.stat()
    key = hashlib.sha256(
        "\0".join(
            [
                str(SUBSET_FORMAT),
                _fonttools_version(),
                str(otf),
                str(stat.st_size),
                str(stat.st_mtime_ns),
                name_suffix,
                characters,
            ]
        ).encode()
    ).hexdigest()[:32]
    cached = default_cache_dir() / "fonts" / f"{key}.ttf"
    with contextlib.suppress(OSError, TTFError, ValueError, KeyError, IndexError, struct.error):
        return TTFont(name, io.BytesIO(cached.read_bytes()))
    data, _ = subset_as_truetype(otf, characters, name_suffix)
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, cached)
    return TTFont(name, io.BytesIO(data))


def _fonttools_version() -> str:
    from importlib.metadata import version

    return version("fonttools")


def subset_as_truetype(otf: Path, characters: str, name_suffix: str = "") -> tuple[bytes, str]:
    """The glyphs of ``characters`` from an OpenType/CFF font, as a TrueType font file.

    Returns the font's bytes and the characters it has no glyph for;
    ``name_suffix`` is appended to the font's PostScript name.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont as FontToolsFont

    font = FontToolsFont(str(otf), lazy=True)
    cmap = font.getBestCmap()
    missing = "".join(c for c in characters if ord(c) not in cmap and c.isprintable())
    options = subset.Options()
    # Outlines are redrawn as TrueType below, so CFF hints and subroutines never reach the
    # PDF: keeping them spares the subsetter running every charstring twice.
    options.desubroutinize = False
    options.hinting = True
    options.layout_features = []
    # Shaping tables and vertical metrics: reportlab uses neither.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"]
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_glyf(font)
    if name_suffix:
        for record in font["name"].names:
            if record.nameID == 6:
                record.string = record.toUnicode() + name_suffix
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), missing


def _cff_to_glyf(font) -> None:
    """Replace CFF (cubic) outlines with glyf (quadratic) ones, as TrueType needs."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, CU2QU_MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    metrics = font["hmtx"].metrics
    for name, glyph in glyphs.items():
        advance, _ = metrics[name]
        metrics[name] = (advance, getattr(glyph, "xMin", 0) if glyph.numberOfContours else 0)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.maxComponentElements = 0
    font["maxp"] = maxp
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _register_file(chosen: str) -> ReportFonts:
    path, _, index_text = chosen.partition("#")
    index = int(index_text) if index_text.isdigit() else 0
    if not Path(path).exists():
        raise FontError(f"font {path} does not exist")
    if not Path(path).is_file():
        raise FontError(f"font {path} is not a regular file; choose a TrueType (.ttf/.ttc) font")
    name = f"VenueAuditCJK-{Path(path).stem}-{index}"
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError, KeyError, IndexError) as error:
        raise FontError(
            f"font {path} cannot be embedded ({error}); choose a TrueType (.ttf/.ttc) font"
        ) from error
    if ord("中") not in font.face.charToGlyph:
        raise FontError(f"font {path} has no Chinese glyphs")
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    return ReportFonts(name, name, name, True, f"{path}#{index}")
