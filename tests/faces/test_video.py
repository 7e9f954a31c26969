"""Faces found and timestamped in the real video clip."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from tests.faces.conftest import FACES
from venue_audit.faces import FaceEngine, VideoFrameAnalysis
from venue_audit.faces.video import iter_video_frames

CLIP = FACES / "video" / "short_hamilton_clip.mp4"


@pytest.fixture(scope="module")
def frames(engine: FaceEngine) -> list[VideoFrameAnalysis]:
    return list(engine.analyze_video(CLIP, fps=1.0))


def test_frames_are_sampled_once_a_second_with_index_and_timestamp(
    frames: list[VideoFrameAnalysis],
) -> None:
    stream_fps = cv2.VideoCapture(str(CLIP)).get(cv2.CAP_PROP_FPS)
    samples = [f for f in frames if f.trigger == "sample"]
    assert samples[0].frame_index == 0 and samples[0].timestamp_s == 0.0
    for frame in frames:
        assert frame.timestamp_s == pytest.approx(frame.frame_index / stream_fps, abs=1e-5)
    gaps = np.diff([f.timestamp_s for f in samples])
    assert np.all(np.abs(gaps - 1.0) < 1.0 / stream_fps + 1e-6)


def test_faces_are_found_in_the_clip(frames: list[VideoFrameAnalysis]) -> None:
    with_faces = [f for f in frames if f.faces]
    assert len(with_faces) >= 3
    for frame in with_faces:
        for face in frame.faces:
            assert face.embedding.shape == (128,)
            assert len(frame.sha256) == 64 and len(frame.phash) == 16


def test_the_same_person_across_frames_matches_at_0_6(frames: list[VideoFrameAnalysis]) -> None:
    faces = [face for f in frames for face in f.faces]
    distances = [
        float(np.linalg.norm(a.embedding - b.embedding)) for a, b in itertools.pairwise(faces)
    ]
    assert min(distances) < 0.6


def test_video_bytes_give_the_same_frames_as_the_path(
    engine: FaceEngine, frames: list[VideoFrameAnalysis]
) -> None:
    from_bytes = list(engine.analyze_video(CLIP.read_bytes(), fps=1.0))
    assert [(f.frame_index, len(f.faces)) for f in from_bytes] == [
        (f.frame_index, len(f.faces)) for f in frames
    ]


def test_a_cut_between_two_scenes_is_analysed_as_a_scene_change(tmp_path) -> None:
    path = tmp_path / "cut.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    for i in range(30):
        frame = np.full((48, 64, 3), 20 if i < 14 else 230, np.uint8)
        writer.write(frame)
    writer.release()
    picked = [(index, trigger) for index, _, trigger, _ in iter_video_frames(path, fps=1.0)]
    assert picked == [(0, "sample"), (10, "sample"), (14, "scene"), (20, "sample")]
