"""Fixtures for the face engine: the real dlib models and the real photos in tests/data/faces."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_FACES
from venue_audit.faces import EngineConfig, FaceEngine, ImageAnalysis

FACES = TEST_FACES


@dataclass(frozen=True)
class LabelledPhoto:
    path: Path
    identity: str  # empty for multi-face photos
    faces: int  # faces dlib's HOG finds at upsample 1

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def labelled_photos() -> list[LabelledPhoto]:
    with (FACES / "labels.csv").open(newline="") as handle:
        return [
            LabelledPhoto(FACES / row["path"], row["identity"], int(row["faces_hog_upsample1"]))
            for row in csv.DictReader(handle)
        ]


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def config(model_cache: Path) -> EngineConfig:
    return EngineConfig(model_cache_dir=str(model_cache))


@pytest.fixture(scope="session")
def engine(config: EngineConfig) -> FaceEngine:
    return FaceEngine(config)


@pytest.fixture(scope="session")
def analysed_photos(engine: FaceEngine) -> list[tuple[LabelledPhoto, ImageAnalysis]]:
    """Every labelled photo through the default engine, once per test session."""
    return [(p, engine.analyze_image(p.path.read_bytes(), p.name)) for p in labelled_photos()]
