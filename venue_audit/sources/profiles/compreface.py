"""Exadel CompreFace (PostgreSQL): ``embedding.embedding`` float8[], ``img.content`` (formats.md §3).

Schema from exadel-inc/CompreFace ``java/admin/src/main/resources/db/changelog/
db.changelog-0.1.7.yaml`` (``embedding(id, subject_id, embedding float8[],
calculator varchar, img_id)``, ``img(id, content bytea)``). The model is named
per row by ``calculator``, the plugin's ``str()`` in
``embedding-calculator/src/services/facescan/plugins/base.py``:
``<backend>.Calculator`` when the plugin's first (default) model runs, and
``<backend>.Calculator@<model>`` otherwise. A default install
(``embedding-calculator/Dockerfile``: ``CALCULATION_PLUGIN="facenet.Calculator"``)
therefore writes ``facenet.Calculator``, which is FaceNet 20180402-114759.

What each template yields: ``person_key`` = ``subject_id`` (CompreFace's
subject UUID), no capture time (CompreFace keeps none), and one embedding
space per model, so FaceNet and ArcFace vectors are never clustered
together. ``img`` rows are whole uploaded example photos; their subject
comes from the embedding that points at them (``embedding`` is read before
``img``, by name).
"""

from __future__ import annotations

from typing import Any, ClassVar

from venue_audit.sources import values
from venue_audit.sources.profiles.base import Profile, Row, TableMap, Template, text
from venue_audit.sources.profiles.registry import register_profile

# (backend, model) -> (column, space, model description, dim); model None is the plugin's default
# (the first of its ml_models: facenet/facenet.py and insightface/insightface.py Calculator).
MODELS = {
    ("facenet", "20180402-114759"): (
        "embedding", "facenet-20180402-512",
        "FaceNet 20180402-114759 (CompreFace default), 512-d, L2-normalised", 512),
    ("facenet", "20180408-102900"): (
        "embedding (facenet 20180408-102900)", "facenet-20180408-512",
        "FaceNet 20180408-102900 CASIA-WebFace (CompreFace), 512-d, L2-normalised", 512),
    ("facenet", "inception_resnetv1_casia_masked"): (
        "embedding (facenet casia masked)", "facenet-casia-masked-512",
        "FaceNet Inception-ResNet-v1 CASIA masked (CompreFace), 512-d", 512),
    ("insightface", "arcface_r100_v1"): (
        "embedding (insightface arcface_r100_v1)", "arcface-r100-512",
        "InsightFace ArcFace r100 v1 (CompreFace insightface default), 512-d", 512),
    ("insightface", "arcface_resnet34"): (
        "embedding (insightface arcface_resnet34)", "arcface-resnet34-512",
        "InsightFace ArcFace ResNet34 (CompreFace), 512-d", 512),
    ("insightface", "arcface_resnet50"): (
        "embedding (insightface arcface_resnet50)", "arcface-resnet50-512",
        "InsightFace ArcFace ResNet50 (CompreFace), 512-d", 512),
    ("insightface", "arcface_mobilefacenet"): (
        "embedding (insightface mobilefacenet)", "arcface-mobilefacenet-128",
        "InsightFace ArcFace MobileFaceNet (CompreFace), 128-d", 128),
    ("insightface", "arcface-r50-msfdrop75"): (
        "embedding (insightface arcface-r50-msfdrop75)", "arcface-r50-msfdrop75-512",
        "InsightFace ArcFace r50 msfdrop75 (CompreFace GPU build), 512-d", 512),
    ("insightface", "arcface-r100-msfdrop75"): (
        "embedding (insightface arcface-r100-msfdrop75)", "arcface-r100-msfdrop75-512",
        "InsightFace ArcFace r100 msfdrop75 (CompreFace GPU build), 512-d", 512),
}
# db.changelog-0.1.7.yaml created subject/img/embedding: a store holding them is at that
# Liquibase schema or later (the dump does not say which CompreFace release wrote it)
SCHEMA = "database schema 0.1.7+ (embedding per calculator)"
DEFAULT_MODEL = {"facenet": "20180402-114759", "insightface": "arcface_r100_v1"}
# a calculator this profile does not know keeps its own space, one per vector length
OTHER = tuple(
    (f"embedding (other calculator, {dim}-d)", f"compreface-other-calculator-{dim}",
     f"unknown CompreFace calculator, {dim}-d", dim)
    for dim in (128, 512)
)
_COLUMNS = tuple(dict.fromkeys(column for column, *_ in MODELS.values()))


def calculator_model(calculator: str) -> tuple[str, str, str, int] | None:
    """``facenet.Calculator`` or ``insightface.Calculator@arcface_mobilefacenet`` → its model entry."""
    plugin, _, model = calculator.strip().partition("@")
    backend, _, cls = plugin.partition(".")
    if cls != "Calculator":
        return None
    return MODELS.get((backend, model or DEFAULT_MODEL.get(backend, "")))


_SUBJECT = "subject_id (embedding)"


def _vector(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        value = "[" + value[1:-1] + "]"
    found = values.vector(value)
    return None if found is None else found.tolist()


@register_profile
class CompreFace(Profile):
    NAME = "compreface"
    SYSTEM = "CompreFace"
    DESCRIPTION = "CompreFace recognition server: embedding float8[] per calculator, img.content"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "embedding": frozenset({"id", "subject_id", "embedding", "calculator"}),
        "img": frozenset({"id", "content"}),
    }
    TABLES = (
        TableMap(
            "embedding",
            frozenset({"id", "subject_id", "embedding", "calculator"}),
            templates=tuple(Template(*model) for model in MODELS.values())
            + tuple(Template(*other) for other in OTHER),
            person_key="subject_id",
            extra=_COLUMNS[1:] + tuple(o[0] for o in OTHER),
            version=SCHEMA,
        ),
        TableMap(
            "img",
            frozenset({"id", "content"}),
            images=("content",),
            person_key=_SUBJECT,
            extra=(_SUBJECT,),
            note="whole uploaded example photos",
            version=SCHEMA,
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table == "img":
            row[_SUBJECT] = state.get("img_subject", {}).get(text(row.get("id")))
            return row
        vector = _vector(row.get("embedding"))
        row["embedding"] = None
        known = calculator_model(text(row.get("calculator")) or "")
        if known is not None:
            row[known[0]] = vector
        elif vector is not None:
            for column, _, _, dim in OTHER:
                if len(vector) == dim:
                    row[column] = vector
        if text(row.get("img_id")):
            state.setdefault("img_subject", {})[text(row["img_id"])] = text(row.get("subject_id"))
        return row
