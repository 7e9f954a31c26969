"""Video frames to face results: a fixed sampling rate plus scene changes.

OpenCV decodes (MP4/AVI/MKV, H.264/H.265 with the codecs its wheel carries). We
read every frame in order, because a scene change can only be seen by looking
at each frame: a frame is analysed when the sampling clock says so
(``fps`` per second of video, from frame 0) or when its 32x32 grey thumbnail
differs from the previous frame's by more than ``scene_threshold`` (mean
absolute difference, 0-255). Timestamps are ``frame_index / stream fps``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from venue_audit.faces.errors import EmptyInput, UndecodableVideo

if TYPE_CHECKING:
    from venue_audit.faces.engine import FaceEngine, VideoFrameAnalysis


def _thumbnail(bgr: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.int16)


def iter_video_frames(
    path: Path, fps: float = 1.0, scene_threshold: float = 30.0, name: str = ""
) -> Iterator[tuple[int, float, str, np.ndarray]]:
    """Yield (frame_index, timestamp_s, trigger, rgb) of the frames to analyse."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UndecodableVideo("OpenCV cannot open this video", name or str(path))
        stream_fps = capture.get(cv2.CAP_PROP_FPS)
        if not stream_fps or not np.isfinite(stream_fps) or stream_fps <= 0:
            stream_fps = 25.0
        interval = stream_fps / fps  # frames between samples
        next_sample = 0.0
        previous: np.ndarray | None = None
        index = 0
        decoded_any = False
        while True:
            ok, bgr = capture.read()
            if not ok or bgr is None:
                break
            decoded_any = True
            thumb = _thumbnail(bgr)
            trigger = ""
            if index + 1e-9 >= next_sample:
                trigger = "sample"
                while next_sample <= index + 1e-9:
                    next_sample += interval
            elif previous is not None and float(np.abs(thumb - previous).mean()) > scene_threshold:
                trigger = "scene"
            previous = thumb
            if trigger:
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                yield index, round(index / stream_fps, 6), trigger, rgb
            index += 1
        if not decoded_any:
            raise UndecodableVideo("no frame could be decoded", name or str(path))
    finally:
        capture.release()


def analyze_video(
    engine: FaceEngine, source: object, fps: float = 1.0, scene_threshold: float = 30.0
) -> Iterator[VideoFrameAnalysis]:
    """``source``: a path, or the video's bytes (written to a private temporary file)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if not data:
            raise EmptyInput("zero bytes", "video")
        handle, temp_name = tempfile.mkstemp(prefix="venue-audit-video-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            yield from _analyze_path(engine, Path(temp_name), fps, scene_threshold, "video")
        finally:
            os.unlink(temp_name)
        return
    path = Path(str(source))
    if not path.is_file():
        raise UndecodableVideo("no such file", str(path))
    if path.stat().st_size == 0:
        raise EmptyInput("zero bytes", str(path))
    yield from _analyze_path(engine, path, fps, scene_threshold, str(path))


def _analyze_path(
    engine: FaceEngine, path: Path, fps: float, scene_threshold: float, name: str
) -> Iterator[VideoFrameAnalysis]:
    for index, timestamp, trigger, rgb in iter_video_frames(path, fps, scene_threshold, name):
        yield engine.analyze_frame(rgb, index, timestamp, trigger)
