"""The face engine: bytes in, fingerprints and faces with dlib embeddings out.

Embeddings are dlib's ResNet descriptors (the space face_recognition uses), so
another examiner with dlib and face_recognition_models can reproduce them. The
network is read from face_recognition_models' own ``.dat`` file and run either
on onnxruntime (``onnx``, when installed) or on NumPy's BLAS (``numpy``), both
within 1e-6 of dlib; ``dlib`` runs dlib itself and is the reference.
``onnx-int8`` is the same network quantised to int8 on this machine
(:mod:`.quantized`): ~2.5x faster, no longer within 1e-6 of dlib, so it is chosen,
never implied.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import dlib
import numpy as np

from venue_audit.faces import blazeface
from venue_audit.faces.decode import decode_image
from venue_audit.faces.detection import DETECTOR_MIN_FACE, detect_faces, starts_with_blazeface
from venue_audit.faces.errors import AnalysisFailed, FaceInputError
from venue_audit.faces.fingerprints import fingerprint
from venue_audit.faces.models import (
    default_cache_dir,
    encode_chips,
    landmark_predictor,
    resolve_encoder,
)
from venue_audit.faces.quantized import QUANTIZER_VERSION


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _models_version() -> str:
    # The module's own __version__ is stale (0.1.0 in the 0.3.0 wheel).
    try:
        return importlib.metadata.version("face_recognition_models")
    except importlib.metadata.PackageNotFoundError:
        import face_recognition_models

        return face_recognition_models.__version__


EMBEDDING_SPACE = "dlib-resnet-v1-128"
# Bump the first part whenever our own code could change a result.
ENGINE_VERSION = f"faces-4/dlib-{dlib.__version__}/frm-{_models_version()}/det{DETECTOR_MIN_FACE}"
ENCODERS = ("onnx", "onnx-int8", "numpy", "dlib")
CHIP_SIZE = 150
CHIP_PADDING = 0.25


@dataclass(frozen=True)
class EngineConfig:
    # The smallest face sought, in pixels of the picture as searched: a photo larger than
    # photo_max_side is searched on a copy reduced to that side, as face_recognition's CLI
    # does, so there the smallest face in original pixels is proportionally larger.
    min_face_size: int = 40
    photo_max_side: int = 1600  # 0: search every photo at full resolution
    # "auto" = "onnx" (onnxruntime) if installed, else "numpy"; "dlib" is the reference;
    # "onnx-int8" the quantised network (faster, not dlib's arithmetic).
    encoder: str = "auto"
    max_pixels: int = 100_000_000
    crop_fast_path: bool = True
    crop_max_side: int = 320
    crop_min_fill: float = 0.4
    # Detector of small pictures (stored crops): "blazeface" (finds tight crops) or "hog".
    crop_detector: str = "blazeface"
    # HOG on luma instead of RGB: ~30% faster; same counts on the labelled photos.
    grey_detection: bool = True
    model_cache_dir: str = ""  # converted ResNet weights; default ~/.cache/venue-audit

    def __post_init__(self) -> None:
        # Resolved here, once, so that workers and cache keys agree on the encoder.
        object.__setattr__(self, "encoder", resolve_encoder(self.encoder))
        if self.encoder not in ENCODERS:
            raise ValueError(
                f"encoder must be one of auto, {', '.join(ENCODERS)}; not {self.encoder!r}"
            )
        if self.crop_detector not in ("blazeface", "hog"):
            raise ValueError(f"crop_detector must be blazeface or hog; not {self.crop_detector!r}")
        if self.min_face_size < 8:
            raise ValueError("min_face_size must be at least 8 px")
        if self.photo_max_side and self.photo_max_side < 4 * self.min_face_size:
            raise ValueError("photo_max_side must be 0 or at least 4 times min_face_size")

    def result_parameters(self) -> dict[str, object]:
        """The settings that can change a result (not where caches live)."""
        params = asdict(self)
        params.pop("model_cache_dir")
        if self.encoder == "onnx-int8":
            # The quantised model is made by onnxruntime's quantiser and run by its kernels.
            params["encoder_model"] = (
                f"int8-q{QUANTIZER_VERSION}/onnxruntime-{_version('onnxruntime')}"
            )
        return params

    def parameters_hash(self) -> str:
        text = json.dumps(self.result_parameters(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def resolved_cache_dir(self) -> str:
        return self.model_cache_dir or str(default_cache_dir())


@dataclass
class FaceResult:
    bbox: tuple[int, int, int, int]  # (top, right, bottom, left) in original pixels
    landmarks: list[tuple[int, int]]  # 5 points (x, y): eye corners and nose base
    embedding: np.ndarray  # float32, shape (128,)
    quality: float  # 0..1 from face size and sharpness
    fast_path: bool = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FaceResult):
            return NotImplemented
        return (
            self.bbox == other.bbox
            and self.landmarks == other.landmarks
            and np.array_equal(self.embedding, other.embedding)
            and self.quality == other.quality
            and self.fast_path == other.fast_path
        )


@dataclass(eq=True)
class ImageAnalysis:
    sha256: str
    pdq: str
    pdq_quality: int
    phash: str
    width: int
    height: int
    faces: list[FaceResult] = field(default_factory=list)


@dataclass(eq=True)
class VideoFrameAnalysis(ImageAnalysis):
    """One analysed video frame; ``sha256`` is of the decoded RGB frame."""

    frame_index: int = 0
    timestamp_s: float = 0.0
    trigger: str = "sample"  # "sample" (fixed rate) or "scene" (scene change)


@dataclass
class _Pending:
    """An image decoded and detected, waiting for its faces to be encoded."""

    analysis: ImageAnalysis
    chips: list[np.ndarray]


def face_quality(rect: dlib.rectangle, chip: np.ndarray) -> float:
    """Size and sharpness, each 0..1, multiplied.

    Size saturates at 100 px (a face at which dlib's 150 px chip is barely
    upsampled); sharpness is the variance of the Laplacian of the grey chip,
    saturating at 150 (sharp faces measure 200-1000, heavy blur under 50).
    """
    size = min(1.0, min(rect.width(), rect.height()) / 100.0)
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY)
    sharpness = min(1.0, float(cv2.Laplacian(grey, cv2.CV_64F).var()) / 150.0)
    return round(size * sharpness, 4)


def _failure(error: Exception, name: str) -> FaceInputError:
    """A picture's typed input error, or any other exception as AnalysisFailed: hostile input
    must not stop a scan."""
    if isinstance(error, FaceInputError):
        return error
    return AnalysisFailed(f"{type(error).__name__}: {error}", name)


def _trimmed_css(rect: dlib.rectangle, width: int, height: int) -> tuple[int, int, int, int]:
    return (
        max(rect.top(), 0),
        min(rect.right(), width - 1),
        min(rect.bottom(), height - 1),
        max(rect.left(), 0),
    )


class FaceEngine:
    def __init__(self, config: EngineConfig | None = None, cache: object | None = None) -> None:
        self.config = config or EngineConfig()
        self.cache = cache  # a FaceResultCache, or None
        self._cache_dir = self.config.resolved_cache_dir()
        self._params_hash = self.config.parameters_hash()

    # ----------------------------------------------------------------- images
    def analyze_image(self, data: bytes, name: str = "") -> ImageAnalysis:
        """Analyse one image; raises a :class:`FaceInputError` subclass on bad input."""
        result = self.analyze_batch([(data, name)])[0]
        if isinstance(result, FaceInputError):
            raise result
        return result

    def analyze_batch(
        self, items: Sequence[tuple[bytes, str]]
    ) -> list[ImageAnalysis | FaceInputError]:
        """Analyse several images, encoding all their faces in one batch.

        Exact duplicates within the batch and images already in the cache are
        decoded and encoded once. Each model runs over the whole batch in a row (BlazeFace
        on every small picture, then dlib's landmarks, then the encoder): a model's weights
        stay in the CPU's cache from one picture to the next, which on stored crops saves
        about a millisecond a picture.
        """
        from venue_audit.faces.fingerprints import sha256_hex

        results: list[ImageAnalysis | FaceInputError | None] = [None] * len(items)
        pending: dict[str, tuple[_Pending, list[int]]] = {}
        small: dict[str, tuple[ImageAnalysis, np.ndarray, str]] = {}  # BlazeFace's pictures
        seen: dict[str, list[int]] = {}
        for i, (data, name) in enumerate(items):
            sha = sha256_hex(data)
            if sha in seen:
                seen[sha].append(i)
                continue
            cached = self._cached(sha)
            if cached is not None:
                results[i] = cached
                continue
            seen[sha] = [i]
            try:
                analysis, rgb = self._decoded(data, name, sha)
                if self._starts_with_blazeface(rgb):
                    small[sha] = (analysis, rgb, name)  # small: a batch of them costs little
                else:
                    pending[sha] = (self._find_faces(analysis, rgb), seen[sha])
            except Exception as error:
                results[i] = _failure(error, name)
        blazed: dict[str, list[blazeface.BlazeDetection]] = {}
        for sha, (_, rgb, name) in small.items():
            try:
                blazed[sha] = blazeface.detect(rgb)
            except Exception as error:
                results[seen[sha][0]] = _failure(error, name)
        for sha, (analysis, rgb, name) in small.items():
            if sha not in blazed:
                continue
            try:
                pending[sha] = (self._find_faces(analysis, rgb, blazed[sha]), seen[sha])
            except Exception as error:
                results[seen[sha][0]] = _failure(error, name)
        self._encode_pending([p for p, _ in pending.values()])
        for prepared, indexes in pending.values():
            self._store(prepared.analysis)
            for i in indexes:
                results[i] = prepared.analysis
        for indexes in seen.values():  # a failed picture fails its duplicates too
            for i in indexes[1:]:
                results[i] = results[indexes[0]]
        return [r for r in results if r is not None]

    def _starts_with_blazeface(self, rgb: np.ndarray) -> bool:
        cfg = self.config
        height, width = rgb.shape[:2]
        return starts_with_blazeface(
            height, width, cfg.crop_fast_path, cfg.crop_max_side, cfg.crop_detector
        )

    def _cached(self, sha: str) -> ImageAnalysis | None:
        if self.cache is None:
            return None
        return self.cache.get(sha, ENGINE_VERSION, self._params_hash)  # type: ignore[attr-defined]

    def _store(self, analysis: ImageAnalysis) -> None:
        if self.cache is not None:
            self.cache.put(analysis, ENGINE_VERSION, self._params_hash)  # type: ignore[attr-defined]

    def _decoded(self, data: bytes, name: str, sha: str) -> tuple[ImageAnalysis, np.ndarray]:
        """The picture's pixels and its analysis with fingerprints, faces still to find."""
        rgb = decode_image(data, name, self.config.max_pixels)
        prints = fingerprint(data, rgb)
        analysis = ImageAnalysis(
            sha256=sha,
            pdq=prints.pdq,
            pdq_quality=prints.pdq_quality,
            phash=prints.phash,
            width=int(rgb.shape[1]),
            height=int(rgb.shape[0]),
        )
        return analysis, rgb

    def _find_faces(
        self,
        analysis: ImageAnalysis,
        rgb: np.ndarray,
        blazed: list[blazeface.BlazeDetection] | None = None,
    ) -> _Pending:
        cfg = self.config
        detections = detect_faces(
            rgb,
            cfg.min_face_size,
            crop_fast_path=cfg.crop_fast_path,
            crop_max_side=cfg.crop_max_side,
            crop_min_fill=cfg.crop_min_fill,
            crop_detector=cfg.crop_detector,
            grey=cfg.grey_detection,
            photo_max_side=cfg.photo_max_side,
            blazed=blazed,
        )
        predictor = landmark_predictor()
        chips: list[np.ndarray] = []
        height, width = rgb.shape[:2]
        for detection in detections:
            shape = detection.shape
            if shape is None:
                shape = predictor(rgb, detection.rect)
            chip = dlib.get_face_chip(rgb, shape, CHIP_SIZE, CHIP_PADDING)
            chips.append(chip)
            analysis.faces.append(
                FaceResult(
                    bbox=_trimmed_css(detection.rect, width, height),
                    landmarks=[(p.x, p.y) for p in shape.parts()],
                    embedding=np.zeros(128, np.float32),
                    quality=face_quality(detection.rect, chip),
                    fast_path=detection.fast_path,
                )
            )
        return _Pending(analysis, chips)

    def _encode_pending(self, pending: list[_Pending]) -> None:
        chips = [chip for p in pending for chip in p.chips]
        embeddings = encode_chips(chips, self.config.encoder, self._cache_dir)
        k = 0
        for p in pending:
            for face in p.analysis.faces:
                face.embedding = np.ascontiguousarray(embeddings[k], dtype=np.float32)
                k += 1

    # ----------------------------------------------------------------- video
    def analyze_video(
        self, source: str | Path | bytes, fps: float = 1.0, scene_threshold: float = 30.0
    ) -> Iterator[VideoFrameAnalysis]:
        """Frames sampled at ``fps`` plus scene changes; see :mod:`venue_audit.faces.video`.

        A generator: an undecodable video raises :class:`UndecodableVideo` on the first
        ``next()``, not at the call.
        """
        from venue_audit.faces.video import analyze_video

        return analyze_video(self, source, fps=fps, scene_threshold=scene_threshold)

    def analyze_frame(
        self, rgb: np.ndarray, frame_index: int, timestamp_s: float, trigger: str
    ) -> VideoFrameAnalysis:
        from venue_audit.faces.fingerprints import pdq_hash, phash, reduced_copy, sha256_hex

        rgb = np.ascontiguousarray(rgb)
        reduced = reduced_copy(rgb)
        pdq, quality = pdq_hash(reduced)
        frame = VideoFrameAnalysis(
            sha256=sha256_hex(rgb.tobytes()),
            pdq=pdq,
            pdq_quality=quality,
            phash=phash(reduced),
            width=int(rgb.shape[1]),
            height=int(rgb.shape[0]),
            frame_index=frame_index,
            timestamp_s=timestamp_s,
            trigger=trigger,
        )
        pending = self._find_faces(frame, rgb)
        self._encode_pending([pending])
        return frame
