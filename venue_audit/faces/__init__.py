"""Face detection, alignment and dlib-compatible 128-d encodings, plus image fingerprints.

Public entry points::

    engine = FaceEngine(EngineConfig(min_face_size=40, encoder="numpy"))
    analysis = engine.analyze_image(data, name)     # raises a FaceInputError subclass
    for frame in engine.analyze_video(path_or_bytes, fps=1.0): ...
    for key, result in analyze_many(items, config, workers=2): ...
"""

from venue_audit.faces.cache import FaceResultCache
from venue_audit.faces.engine import (
    EMBEDDING_SPACE,
    ENGINE_VERSION,
    EngineConfig,
    FaceEngine,
    FaceResult,
    ImageAnalysis,
    VideoFrameAnalysis,
)
from venue_audit.faces.errors import (
    AnalysisFailed,
    CorruptImage,
    DecompressionBomb,
    EmptyInput,
    FaceInputError,
    NoDetectableFace,
    NotAnImage,
    TruncatedImage,
    UndecodableVideo,
)
from venue_audit.faces.parallel import FacePool, analyze_many, face_pool

__all__ = [
    "EMBEDDING_SPACE",
    "ENGINE_VERSION",
    "AnalysisFailed",
    "CorruptImage",
    "DecompressionBomb",
    "EmptyInput",
    "EngineConfig",
    "FaceEngine",
    "FaceInputError",
    "FacePool",
    "FaceResult",
    "FaceResultCache",
    "ImageAnalysis",
    "NoDetectableFace",
    "NotAnImage",
    "TruncatedImage",
    "UndecodableVideo",
    "VideoFrameAnalysis",
    "analyze_many",
    "face_pool",
]
