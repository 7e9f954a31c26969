"""What the method section shows: tools, models, parameters, how persons were counted,
the transformations between evidence bytes and counts, and the commands that were run.

Everything comes from ``case_meta`` and the custody log, so a reviewer can rerun the
examination with the same settings (SPP appraisal rules Art. 16; 2016 rules Art. 22).
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import platform
import shlex
import sqlite3
import sys
from collections import Counter
from typing import Any

from venue_audit import TOOL_NAME
from venue_audit.case import Case
from venue_audit.report import i18n
from venue_audit.report.model import Methodology, ModelFile, Transformation

LIBRARIES = (
    "numpy",
    "pillow",
    "opencv-python-headless",
    "dlib-bin",
    "face-recognition-models",
    "pdqhash",
    "faiss-cpu",
    "scipy",
    "sqlite-utils",
    "reportlab",
    "pyhanko",
)


def scalar(db: Any, sql: str, params: list[Any] | None = None) -> int:
    row = db.execute(sql, params or []).fetchone()
    return int(row[0] or 0) if row else 0


def latest_detail(events: list[dict[str, Any]], action: str) -> dict[str, Any]:
    for event in reversed(events):
        if event["action"] == action:
            return json_object(event["detail"])
    return {}


def _parameters(meta: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the examiner needs to rerun the scan and the clustering with the same settings.

    ``case_meta.parameters`` wins when a stage wrote one; otherwise the scan's
    engine options (custody ``scan.start``) and each embedding space's
    clustering parameters (``case_meta.identify``) are gathered.
    """
    if isinstance(meta.get("parameters"), dict):
        return dict(meta["parameters"])
    parameters: dict[str, Any] = {}
    for event in reversed(events):
        detail = json_object(event["detail"])
        if isinstance(detail.get("parameters"), dict):
            parameters.update(detail["parameters"])
            break
    engine = latest_detail(events, "scan.start").get("engine")
    if isinstance(engine, dict):
        parameters.update({k: v for k, v in engine.items() if not str(k).startswith("_")})
    identify = meta.get("identify")
    if isinstance(identify, dict):
        for space, entry in identify.items():
            if isinstance(entry, dict) and isinstance(entry.get("parameters"), dict):
                for key, value in entry["parameters"].items():
                    parameters[f"{space}.{key}"] = value
    return parameters


def _clustering_text(meta: dict[str, Any], lang: str) -> str:
    """How persons were counted, per embedding space, in the report's language.

    The persons stage's own description is English; the Chinese text is built from
    its parameters, so a zh report never switches language mid-section.
    """
    if isinstance(meta.get(f"clustering_{lang}"), str):  # written by the identify stage
        return meta[f"clustering_{lang}"]
    if isinstance(meta.get("clustering"), str):
        return meta["clustering"]
    identify = meta.get("identify")
    if not isinstance(identify, dict):
        return ""
    parts = []
    for space, entry in identify.items():
        if not isinstance(entry, dict):
            continue
        if lang == "en":
            parts.append(f"{space}: {entry.get('method', '')} Persons: {entry.get('persons', '')}.")
            continue
        params = entry.get("parameters") if isinstance(entry.get("parameters"), dict) else {}
        sweep = params.get("band") if isinstance(params.get("band"), list) else ["—", "—"]
        band = entry.get("band") if isinstance(entry.get("band"), list) else ["—", "—"]
        parts.append(
            i18n.text(
                "clustering_text",
                "zh",
                space=space,
                metric=params.get("metric", "—"),
                k=params.get("k", "—"),
                link=params.get("link_threshold", "—"),
                merge=params.get("merge_threshold", "—"),
                seed=params.get("seed", "—"),
                sweep_low=sweep[0],
                sweep_high=sweep[-1],
                steps=params.get("band_steps", "—"),
                low=band[0],
                high=band[-1],
                persons=entry.get("persons", "—"),
            )
        )
    return "\n".join(parts)


def methodology(case: Case, meta: dict[str, Any], events: list[dict[str, Any]]) -> Methodology:
    parameters = _parameters(meta, events)
    models = [
        ModelFile(
            name=str(m.get("name", "")),
            sha256=str(m.get("sha256", "")),
            path=str(m.get("path", "")),
        )
        for m in meta.get("models", [])
        if isinstance(m, dict)
    ]
    if not models and scalar(case.db, "select count(*) from faces") > 0:
        models = installed_model_files()
    return Methodology(
        tool_name=TOOL_NAME,
        tool_version=case.info.tool_version,
        environment={
            "python": sys.version.split()[0],
            "os": f"{platform.system()} {platform.release()}",
            "machine": platform.machine(),
            "sqlite": sqlite3.sqlite_version,
            "host": events[-1]["host"] if events else platform.node(),
        },
        libraries=_library_versions(),
        models=models,
        parameters=parameters,
        clustering=_clustering_text(meta, "en"),
        clustering_zh=_clustering_text(meta, "zh"),
        transformations=_transformations(case.db, meta),
        commands=_commands(events),
    )


def installed_model_files() -> list[ModelFile]:
    """The dlib model files of face_recognition_models with their SHA-256."""
    return list(_installed_model_files())


@functools.cache
def _installed_model_files() -> tuple[ModelFile, ...]:
    # Cached: 130 MB of weights, unchanged while the process lives.
    from venue_audit.cache_dir import installed_file_sha256
    from venue_audit.faces.model_files import RESNET_FILE, model_file

    try:
        folder = model_file(RESNET_FILE).parent
    except ModuleNotFoundError:
        return ()
    return tuple(
        ModelFile(name=path.name, sha256=installed_file_sha256(path), path=str(path))
        for path in sorted(folder.glob("*.dat"))
    )


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


TRANSFORMATION_TEXT: dict[str, tuple[str, str]] = {
    "archive_members": (
        "压缩包成员在内存中读取并逐一计算哈希，不解压到检材目录。",
        "Archive members read in memory and hashed one by one; never extracted "
        "into the evidence folder.",
    ),
    "wal_replay": (
        "读取 SQLite 预写日志（WAL）中尚未合并的页面，恢复已被删除或覆盖的记录。",
        "SQLite write-ahead-log frames not yet checkpointed were read to recover deleted "
        "or overwritten rows.",
    ),
    "free_pages": (
        "解析 SQLite 空闲页与空闲块中残留的记录。",
        "Rows left in SQLite free pages and freeblocks were parsed.",
    ),
    "journal": ("解析回滚日志中的旧页面。", "Old pages in rollback journals were parsed."),
    "carving": (
        "在未分配空间中按记录结构或图像文件头尾特征雕刻出数据。",
        "Records or images were carved from unallocated space by their record structure or "
        "their file headers and trailers.",
    ),
    "recovered": ("其他方式恢复的已删除记录。", "Deleted records recovered by other means."),
    "template_decoding": (
        "数据库中的人脸特征模板按 float32 小端格式规范化后计算 SHA-256。",
        "Face templates in databases were canonicalised to float32 little-endian before hashing.",
    ),
    "video_frames": (
        "视频按固定间隔抽帧后检测人脸。",
        "Videos were sampled at fixed intervals and frames searched for faces.",
    ),
}


def _transformations(db: Any, meta: dict[str, Any]) -> list[Transformation]:
    given = meta.get("transformations")
    if isinstance(given, list) and given:
        return [
            Transformation(
                name=str(t.get("name", "")),
                description_zh=str(t.get("description_zh", "")),
                description_en=str(t.get("description_en", "")),
                count=t.get("count") if isinstance(t.get("count"), int) else None,
            )
            for t in given
            if isinstance(t, dict)
        ]
    counts: Counter[str] = Counter()
    counts["archive_members"] = scalar(
        db, "select count(*) from evidence where current = 1 and parent_id is not null"
    )
    for row in db.query("select locator from artifacts where deleted = 1"):
        counts[_recovery_method(row["locator"] or "")] += 1
    counts["template_decoding"] = scalar(
        db, "select count(*) from artifacts where kind = 'template'"
    )
    counts["video_frames"] = scalar(db, "select count(*) from artifacts where kind = 'video_frame'")
    return [
        Transformation(name=name, description_zh=zh, description_en=en, count=counts[name])
        for name, (zh, en) in TRANSFORMATION_TEXT.items()
        if counts[name]
    ]


def _recovery_method(locator: str) -> str:
    lowered = locator.lower()
    for marker, method in (
        ("wal", "wal_replay"),
        ("journal", "journal"),
        ("free", "free_pages"),
        ("carv", "carving"),
        ("unalloc", "carving"),
    ):
        if marker in lowered:
            return method
    return "recovered"


def _commands(events: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for event in events:
        command = command_text(event["command"])
        if command and command not in seen:
            seen.append(command)
    return seen


def command_text(stored: str | None) -> str:
    try:
        value = json.loads(stored or "")
    except json.JSONDecodeError:
        return stored or ""
    if isinstance(value, list):
        return shlex.join(str(v) for v in value)
    return str(value)


def json_object(value: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(value or "{}")
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def json_list(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value or "[]")
    except json.JSONDecodeError:
        return [value] if value else []
    if isinstance(loaded, str):
        return [loaded]
    return [str(v) for v in loaded] if isinstance(loaded, list) else []
