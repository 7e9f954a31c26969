"""Videos: sampled frames that show faces become capture records of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

from venue_audit.acquire.private_copy import private_copy
from venue_audit.consent.timestamps import read_timestamp
from venue_audit.faces import FaceEngine, FaceInputError
from venue_audit.scan.analysis import apply_analysis, face_problem
from venue_audit.scan.dispatch import StoreRef
from venue_audit.scan.drafts import ArtifactDraft, RecordDraft
from venue_audit.sources.base import Problem, VideoFound

_ENGINES: dict[Any, FaceEngine] = {}


def _engine(config: Any) -> FaceEngine:
    key = repr(config)
    if key not in _ENGINES:
        _ENGINES[key] = FaceEngine(config)
    return _ENGINES[key]


def video_records(
    found: VideoFound,
    store: StoreRef,
    evidence_id: int,
    options: Any,
    problems: list[tuple[str, Problem]],
    tz: str | None = None,
) -> Iterator[RecordDraft]:
    """Records of the sampled frames that show faces; an undecodable video is added to ``problems``.

    A video whose store gives the time of its first frame (a recorder's segment)
    times each frame by its offset into the video.
    """
    item = found.item
    started = read_timestamp(found.started_at, tz) if found.started_at else None
    # FFmpeg opens files by name: it decodes a private copy made through the read-only
    # opener, so the evidence's access time never moves.
    try:
        with ExitStack() as stack:
            source: Path | bytes = (
                stack.enter_context(private_copy(Path(item.path), "video" + Path(item.name).suffix))
                if item.path
                else item.read()
            )
            yield from _frames(found, source, started, store, evidence_id, options, problems)
    except OSError as error:  # the copy could not be made (no space, unreadable)
        problems.append(
            (
                "faces",
                Problem(
                    item.locator,
                    f"video not decoded: {error.strerror or error}",
                    "faces.video_copy_failed",
                    {"detail": str(error.strerror or error)},
                ),
            )
        )


def _frames(
    found: VideoFound,
    source: Path | bytes,
    started: Any,
    store: StoreRef,
    evidence_id: int,
    options: Any,
    problems: list[tuple[str, Problem]],
) -> Iterator[RecordDraft]:
    item = found.item
    try:
        for frame in _engine(options.engine).analyze_video(source, fps=options.video_fps):
            if not frame.faces:
                continue
            locator = f"{item.locator}@frame {frame.frame_index} ({frame.timestamp_s:.2f} s)"
            artifact = ArtifactDraft(locator, "video_frame", camera=found.camera)
            if started is not None:
                artifact.captured_at = (started.at + timedelta(seconds=frame.timestamp_s)).isoformat()
                artifact.captured_at_source = found.started_at_source or "video start"
                artifact.captured_at_offset = started.offset
            apply_analysis(artifact, frame)
            artifact.kind = "video_frame"
            yield RecordDraft(locator, store.locator, evidence_id, [artifact])
    except FaceInputError as error:
        problems.append(("faces", face_problem(item.locator, error)))
