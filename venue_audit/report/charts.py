"""The report's charts, drawn as vector graphics with reportlab.graphics.

Drawn by hand from shapes rather than with a plotting library so they stay
vector (sharp when printed, text extractable), use the report's embedded CJK
font, and cost milliseconds for a year of daily bars.
"""

from __future__ import annotations

from datetime import date, timedelta

from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from venue_audit.report import i18n
from venue_audit.report.fonts import ReportFonts
from venue_audit.report.model import PERSON_STATUSES, LogEvent

CAPTURE_COLOUR = colors.HexColor("#4a7ab5")
EVENT_COLOURS = {
    "upload": colors.HexColor("#d9822b"),
    "delete": colors.HexColor("#c23b22"),
    "pack": colors.HexColor("#6a8d3a"),
}
STATUS_COLOURS = {
    "no_consent": colors.HexColor("#c23b22"),
    "withdrawn_retained": colors.HexColor("#d9822b"),
    "expired_retained": colors.HexColor("#b59a2b"),
    "consented": colors.HexColor("#4a8a4a"),
}
AXIS = colors.HexColor("#444444")
MARKER_DAYS = 120
RETENTION_BINS = ((0, 30), (30, 90), (90, 180), (180, 365), (365, 730), (730, None))


def captures_timeline(
    captures: dict[str, int],
    events: list[LogEvent],
    fonts: ReportFonts,
    lang: str,
    width: float = 480,
    height: float = 190,
) -> Drawing:
    """Daily capture bars with log events (upload / delete / pack) as marks on the same days.

    Events have their own scale (right axis) because a nightly upload of 900
    files would flatten a day of 30 captures; what the reader needs is that the
    two line up in time.
    """
    drawing = Drawing(width, height, initialFontName=fonts.regular)
    days = _parse_days(list(captures) + [e.date for e in events])
    left, right, bottom, top = 40, width - 40, 36, height - 22
    if not days:
        drawing.add(
            String(
                width / 2,
                height / 2,
                i18n.text("no_data", lang),
                fontName=fonts.regular,
                fontSize=9,
                textAnchor="middle",
            )
        )
        return drawing
    first, last = min(days), max(days)
    span = (last - first).days + 1
    slot = (right - left) / span
    max_captures = max(captures.values(), default=0) or 1
    for day, count in captures.items():
        parsed = _parse_day(day)
        if parsed is None or count <= 0:
            continue
        x = left + (parsed - first).days * slot
        bar = (top - bottom) * count / max_captures
        drawing.add(
            Rect(
                x + slot * 0.1,
                bottom,
                max(slot * 0.8, 0.3),
                bar,
                fillColor=CAPTURE_COLOUR,
                strokeColor=None,
            )
        )
    max_events = max((e.count for e in events), default=0) or 1
    points: dict[str, list[tuple[float, float]]] = {}
    for event in events:
        parsed = _parse_day(event.date)
        if parsed is None:
            continue
        x = left + ((parsed - first).days + 0.5) * slot
        y = bottom + (top - bottom) * event.count / max_events
        points.setdefault(event.kind, []).append((x, y))
    for kind, series in points.items():
        if span > MARKER_DAYS and len(series) > 1:
            # A year of daily marks is a blur; a thin line per kind keeps them apart.
            flat = [value for point in sorted(series) for value in point]
            drawing.add(PolyLine(flat, strokeColor=EVENT_COLOURS.get(kind, AXIS), strokeWidth=0.7))
        else:
            for x, y in series:
                drawing.add(_marker(kind, x, y))
    _axes(drawing, left, right, bottom, top, fonts)
    drawing.add(
        String(
            left - 4,
            top - 3,
            str(max_captures),
            fontName=fonts.regular,
            fontSize=7,
            textAnchor="end",
        )
    )
    drawing.add(
        String(left - 4, bottom - 3, "0", fontName=fonts.regular, fontSize=7, textAnchor="end")
    )
    if events:
        drawing.add(Line(right, bottom, right, top, strokeColor=AXIS, strokeWidth=0.5))
        drawing.add(String(right + 4, top - 3, str(max_events), fontName=fonts.regular, fontSize=7))
    for tick in _date_ticks(first, last, 6):
        x = left + ((tick - first).days + 0.5) * slot
        drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=AXIS, strokeWidth=0.5))
        drawing.add(
            String(
                x,
                bottom - 12,
                tick.isoformat(),
                fontName=fonts.regular,
                fontSize=7,
                textAnchor="middle",
            )
        )
    _legend(
        drawing,
        left,
        height - 10,
        fonts,
        lang,
        [("captures", "legend_captures")]
        + [
            (k, f"legend_{k}")
            for k in ("upload", "delete", "pack")
            if any(e.kind == k for e in events)
        ],
    )
    return drawing


def retention_histogram(
    ages_days: list[int],
    limit_days: int | None,
    fonts: ReportFonts,
    lang: str,
    width: float = 480,
    height: float = 170,
) -> Drawing:
    """How long the live records had been kept at the as-of date, in fixed bins."""
    drawing = Drawing(width, height, initialFontName=fonts.regular)
    labels = [f"{low}–{high}" if high is not None else f"≥{low}" for low, high in RETENTION_BINS]
    counts = [
        sum(1 for age in ages_days if age >= low and (high is None or age < high))
        for low, high in RETENTION_BINS
    ]
    left, right, bottom, top = 40, width - 10, 30, height - 12
    if not ages_days:
        drawing.add(
            String(
                width / 2,
                height / 2,
                i18n.text("no_data", lang),
                fontName=fonts.regular,
                fontSize=9,
                textAnchor="middle",
            )
        )
        return drawing
    slot = (right - left) / len(counts)
    highest = max(counts) or 1
    for index, (count, label) in enumerate(zip(counts, labels, strict=True)):
        x = left + index * slot
        low, _high = RETENTION_BINS[index]
        over = limit_days is not None and low >= limit_days
        bar = (top - bottom) * count / highest
        drawing.add(
            Rect(
                x + slot * 0.15,
                bottom,
                slot * 0.7,
                bar,
                fillColor=STATUS_COLOURS["expired_retained"] if over else CAPTURE_COLOUR,
                strokeColor=None,
            )
        )
        drawing.add(
            String(
                x + slot / 2,
                bottom + bar + 2,
                str(count),
                fontName=fonts.regular,
                fontSize=7,
                textAnchor="middle",
            )
        )
        drawing.add(
            String(
                x + slot / 2,
                bottom - 11,
                label,
                fontName=fonts.regular,
                fontSize=7,
                textAnchor="middle",
            )
        )
    _axes(drawing, left, right, bottom, top, fonts)
    if limit_days is not None:
        drawing.add(
            String(
                right,
                top + 2,
                i18n.text("retention_limit", lang, days=limit_days),
                fontName=fonts.regular,
                fontSize=7,
                textAnchor="end",
            )
        )
    return drawing


def status_bars(
    by_status: dict[str, int],
    fonts: ReportFonts,
    lang: str,
    width: float = 480,
    height: float = 120,
) -> Drawing:
    """Persons by status as horizontal bars, in the order the counting rule assigns them."""
    drawing = Drawing(width, height, initialFontName=fonts.regular)
    label_width = 170 if lang != "en" else 150
    if lang == "zh+en":
        label_width = 230
    left, right = label_width, width - 50
    row = (height - 10) / len(PERSON_STATUSES)
    highest = max(by_status.values(), default=0) or 1
    for index, status in enumerate(PERSON_STATUSES):
        count = by_status.get(status, 0)
        y = height - (index + 1) * row
        drawing.add(
            String(
                left - 6,
                y + row * 0.3,
                i18n.status_label(status, lang),
                fontName=fonts.regular,
                fontSize=8,
                textAnchor="end",
            )
        )
        length = (right - left) * count / highest
        drawing.add(
            Rect(
                left,
                y + row * 0.15,
                max(length, 0.5),
                row * 0.6,
                fillColor=STATUS_COLOURS[status],
                strokeColor=None,
            )
        )
        drawing.add(
            String(left + length + 4, y + row * 0.3, str(count), fontName=fonts.regular, fontSize=8)
        )
    return drawing


def _marker(kind: str, x: float, y: float) -> Polygon | PolyLine:
    colour = EVENT_COLOURS.get(kind, AXIS)
    if kind == "delete":
        return PolyLine(
            [x - 3, y - 3, x + 3, y + 3, x, y, x - 3, y + 3, x + 3, y - 3],
            strokeColor=colour,
            strokeWidth=1.2,
        )
    if kind == "pack":
        return Polygon([x - 3, y, x, y + 3, x + 3, y, x, y - 3], fillColor=colour, strokeColor=None)
    return Polygon([x - 3, y - 2.5, x + 3, y - 2.5, x, y + 3], fillColor=colour, strokeColor=None)


def _axes(
    drawing: Drawing, left: float, right: float, bottom: float, top: float, fonts: ReportFonts
) -> None:
    drawing.add(Line(left, bottom, right, bottom, strokeColor=AXIS, strokeWidth=0.7))
    drawing.add(Line(left, bottom, left, top, strokeColor=AXIS, strokeWidth=0.7))


def _legend(
    drawing: Drawing,
    x: float,
    y: float,
    fonts: ReportFonts,
    lang: str,
    entries: list[tuple[str, str]],
) -> None:
    for kind, key in entries:
        if kind == "captures":
            drawing.add(Rect(x, y - 1, 8, 6, fillColor=CAPTURE_COLOUR, strokeColor=None))
        else:
            drawing.add(_marker(kind, x + 4, y + 2))
        label = i18n.text(key, lang)
        drawing.add(String(x + 11, y, label, fontName=fonts.regular, fontSize=7))
        x += 22 + stringWidth(label, fonts.regular, 7)


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_days(values: list[str]) -> list[date]:
    return [d for d in (_parse_day(v) for v in values) if d is not None]


def _date_ticks(first: date, last: date, count: int) -> list[date]:
    span = (last - first).days
    if span == 0:
        return [first]
    step = max(1, span // (count - 1))
    ticks = [first + timedelta(days=i) for i in range(0, span + 1, step)]
    return ticks[:count]
