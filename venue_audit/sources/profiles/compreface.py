"""Exadel CompreFace (PostgreSQL): ``embedding.embedding`` float8[], ``img.content`` (formats.md §3).

The model is named per row by ``calculator``; each calculator's templates
get their own column and space, so FaceNet and ArcFace vectors are never
clustered together. ``img`` rows are whole uploaded example photos; their
subject comes from the embedding that points at them (``embedding`` is read
before ``img``, by name). CompreFace keeps no capture times.
"""

from __future__ import annotations

from typing import Any, ClassVar

from venue_audit.sources import values
from venue_audit.sources.profiles.base import Profile, Row, TableMap, Template, text
from venue_audit.sources.profiles.registry import register_profile

# calculator prefix -> (column, space, model, dim)
CALCULATORS = (
    ("facenet.Calculator@20180402-114759", "embedding", "facenet-20180402-512",
     "FaceNet 20180402-114759 (CompreFace default), 512-d, L2-normalised", 512),
    ("insightface.Calculator@arcface_r100", "embedding (insightface arcface_r100)",
     "arcface-r100-512", "InsightFace ArcFace r100 (CompreFace), 512-d, L2-normalised", 512),
    ("insightface.Calculator@arcface_mobilefacenet", "embedding (insightface mobilefacenet)",
     "arcface-mobilefacenet-128", "InsightFace ArcFace MobileFaceNet (CompreFace), 128-d", 128),
)
# a calculator this profile does not know keeps its own space, one per vector length
OTHER = tuple(
    (f"embedding (other calculator, {dim}-d)", f"compreface-other-calculator-{dim}",
     f"unknown CompreFace calculator, {dim}-d", dim)
    for dim in (128, 512)
)
_SUBJECT = "subject_id (embedding)"


def _vector(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        value = "[" + value[1:-1] + "]"
    found = values.vector(value)
    return None if found is None else found.tolist()


@register_profile
class CompreFace(Profile):
    NAME = "compreface"
    DESCRIPTION = "CompreFace recognition server: embedding float8[] per calculator, img.content"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "embedding": frozenset({"id", "subject_id", "embedding", "calculator"}),
        "img": frozenset({"id", "content"}),
    }
    TABLES = (
        TableMap(
            "embedding",
            frozenset({"id", "subject_id", "embedding", "calculator"}),
            templates=tuple(Template(c, s, m, d) for _, c, s, m, d in CALCULATORS)
            + tuple(Template(*other) for other in OTHER),
            person_key="subject_id",
            extra=tuple(c for _, c, *_ in CALCULATORS[1:]) + tuple(o[0] for o in OTHER),
        ),
        TableMap(
            "img",
            frozenset({"id", "content"}),
            images=("content",),
            person_key=_SUBJECT,
            extra=(_SUBJECT,),
            note="whole uploaded example photos",
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table == "img":
            row[_SUBJECT] = state.get("img_subject", {}).get(text(row.get("id")))
            return row
        vector = _vector(row.get("embedding"))
        row["embedding"] = None
        calculator = text(row.get("calculator")) or ""
        known = [column for prefix, column, *_ in CALCULATORS if calculator.startswith(prefix)]
        if known:
            row[known[0]] = vector
        elif vector is not None:
            for column, _, _, dim in OTHER:
                if len(vector) == dim:
                    row[column] = vector
        if text(row.get("img_id")):
            state.setdefault("img_subject", {})[text(row["img_id"])] = text(row.get("subject_id"))
        return row
