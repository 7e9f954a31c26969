"""Where ``face_recognition_models`` keeps dlib's model files, found without importing it.

The package's ``__init__`` imports ``pkg_resources`` (~0.15 s) only to build these
paths, in every process that loads the engine; the files sit in its ``models`` folder.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = "face_recognition_models"
RESNET_FILE = "dlib_face_recognition_resnet_model_v1.dat"
LANDMARKS_5_FILE = "shape_predictor_5_face_landmarks.dat"


def model_file(name: str) -> Path:
    """The path of one of the package's model files (``ModuleNotFoundError`` without it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed", name=PACKAGE)
    return Path(next(iter(spec.submodule_search_locations))) / "models" / name
