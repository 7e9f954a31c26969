"""Imported once by the fork server, so that every pool worker starts warm.

Workers fork from a process that has already imported the engine and loaded
dlib's HOG detector and landmark model (plain memory, safe to fork), and the ONNX
sessions: BlazeFace (the detector of small crops) and the encoder of the default
model cache when that cache is already built. Both are single-threaded (no thread
pool exists to be lost in the fork); nothing is converted here, so a first run
converts in the worker.
"""

from venue_audit.cache_dir import installed_file_sha256
from venue_audit.faces import blazeface
from venue_audit.faces.dlib_format import CONVERTER_VERSION
from venue_audit.faces.models import (
    RESNET_MODEL,
    default_cache_dir,
    hog_detector,
    landmark_predictor,
    onnx_available,
    onnx_encoder,
)

hog_detector()
landmark_predictor()
_cached = (
    default_cache_dir()
    / f"dlib-resnet-{installed_file_sha256(RESNET_MODEL)}-v{CONVERTER_VERSION}.onnx"
)
if onnx_available():
    blazeface._session()
    if _cached.exists():
        onnx_encoder(str(default_cache_dir()))
