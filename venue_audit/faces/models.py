"""The dlib models of ``face_recognition_models``, loaded once per process.

dlib objects cannot be pickled, so every worker process loads its own; the
loaders are cached per process and keyed by what changes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import dlib
import numpy as np

from venue_audit.cache_dir import default_cache_dir
from venue_audit.faces.dlib_format import CONVERTER_VERSION, file_sha256, load_resnet_weights
from venue_audit.faces.model_files import LANDMARKS_5_FILE, RESNET_FILE, model_file
from venue_audit.faces.onnx_resnet import OnnxResNet, build_model_bytes
from venue_audit.faces.onnx_resnet import available as onnx_available
from venue_audit.faces.quantized import QUANTIZER_VERSION, build_int8_model_bytes
from venue_audit.faces.resnet import NumpyResNet

RESNET_MODEL = model_file(RESNET_FILE)
LANDMARKS_5_MODEL = model_file(LANDMARKS_5_FILE)


@cache
def hog_detector() -> dlib.fhog_object_detector:
    """dlib's frontal face detector, through a saved copy in the cache directory.

    Building it from the string compiled into dlib takes ~0.5 s, most of a worker's
    start-up; dlib's binary save of the same detector loads in ~1 ms.
    """
    directory = default_cache_dir()
    saved = directory / f"frontal-face-hog-dlib-{dlib.__version__}.svm"
    if saved.exists():
        try:
            return dlib.fhog_object_detector(str(saved))
        except RuntimeError:  # a damaged copy: rebuilt below
            pass
    detector = dlib.get_frontal_face_detector()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = saved.with_name(f"{saved.name}.{os.getpid()}.tmp")
        detector.save(str(partial))
        partial.replace(saved)
    except OSError:  # a read-only home: keep the slow path
        pass
    return detector


@cache
def landmark_predictor() -> dlib.shape_predictor:
    return dlib.shape_predictor(str(LANDMARKS_5_MODEL))


@cache
def dlib_encoder() -> dlib.face_recognition_model_v1:
    return dlib.face_recognition_model_v1(str(RESNET_MODEL))


@cache
def numpy_encoder(cache_dir: str) -> NumpyResNet:
    return NumpyResNet(load_resnet_weights(RESNET_MODEL, Path(cache_dir)))


def onnx_model_path(cache_dir: str) -> Path:
    """Where the fp32 ONNX graph of the installed model file is cached."""
    return Path(cache_dir) / f"dlib-resnet-{file_sha256(RESNET_MODEL)}-v{CONVERTER_VERSION}.onnx"


def int8_model_path(cache_dir: str) -> Path:
    """Where its int8 quantisation is cached: onnxruntime's version is part of the name, since
    its quantiser and integer kernels make the model and its results."""
    import onnxruntime

    fp32 = onnx_model_path(cache_dir)
    return fp32.with_name(
        f"{fp32.stem}-int8-q{QUANTIZER_VERSION}-ort{onnxruntime.__version__}.onnx"
    )


def _cached_model(path: Path, build: Callable[[], bytes]) -> bytes:
    """The bytes of ``path``, built and written (atomically) when it is missing."""
    if path.exists():
        return path.read_bytes()
    model_bytes = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(model_bytes)
    partial.replace(path)
    return model_bytes


def _fp32_model_bytes(cache_dir: str) -> bytes:
    return _cached_model(
        onnx_model_path(cache_dir),
        lambda: build_model_bytes(load_resnet_weights(RESNET_MODEL, Path(cache_dir))),
    )


@cache
def onnx_encoder(cache_dir: str) -> OnnxResNet:
    """The ONNX graph is built once per model file and cached by the model's SHA-256."""
    try:
        return OnnxResNet(_fp32_model_bytes(cache_dir))
    except Exception:  # a damaged cache file: rebuilt
        onnx_model_path(cache_dir).unlink(missing_ok=True)
        return OnnxResNet(_fp32_model_bytes(cache_dir))


@cache
def onnx_int8_encoder(cache_dir: str) -> OnnxResNet:
    """The fp32 graph quantised to int8 (:mod:`.quantized`), made once and cached beside it."""
    path = int8_model_path(cache_dir)

    def build() -> bytes:
        return build_int8_model_bytes(_fp32_model_bytes(cache_dir))

    try:
        return OnnxResNet(_cached_model(path, build))
    except Exception:  # a damaged cache file: rebuilt
        path.unlink(missing_ok=True)
        return OnnxResNet(_cached_model(path, build))


def resolve_encoder(name: str) -> str:
    """``auto`` is onnxruntime when installed, else the NumPy port."""
    if name == "auto":
        return "onnx" if onnx_available() else "numpy"
    return name


def encode_chips(chips: list[np.ndarray], encoder: str, cache_dir: str) -> np.ndarray:
    """(N, 128) float32 descriptors of aligned 150x150 RGB chips."""
    if not chips:
        return np.zeros((0, 128), np.float32)
    if encoder == "dlib":
        descriptors = dlib_encoder().compute_face_descriptor(chips)
        return np.asarray([np.asarray(d) for d in descriptors], dtype=np.float32)
    if encoder == "numpy":
        return numpy_encoder(cache_dir)(np.stack(chips))
    if encoder == "onnx":
        return onnx_encoder(cache_dir)(np.stack(chips))
    if encoder == "onnx-int8":
        return onnx_int8_encoder(cache_dir)(np.stack(chips))
    raise ValueError(f"unknown encoder {encoder!r} (have: onnx, onnx-int8, numpy, dlib)")
