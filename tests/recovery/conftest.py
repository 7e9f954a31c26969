"""Fixtures for recovery tests: one set of 60 capture rows (real JPEG crops, real dlib templates)
shared by every generated database variant, and a cache so each variant is built once."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_FACES
from venue_audit.recovery.fixtures import (
    FaceRow,
    Scenario,
    build_scenario,
    choose_deleted,
    make_face_rows,
)

N_ROWS = 60
N_DELETED = 17


@pytest.fixture(scope="session")
def face_rows() -> list[FaceRow]:
    return make_face_rows(N_ROWS, faces_dir=TEST_FACES)


@pytest.fixture(scope="session")
def deleted_ids(face_rows: list[FaceRow]) -> list[int]:
    return choose_deleted(face_rows, N_DELETED)


@pytest.fixture(scope="session")
def scenario(face_rows: list[FaceRow], deleted_ids: list[int]):
    """scenario(variant, page_size=4096) -> Scenario, built once per session."""
    cache: dict[tuple[str, int], Scenario] = {}

    def get(variant: str, page_size: int = 4096) -> Scenario:
        key = (variant, page_size)
        if key not in cache:
            cache[key] = build_scenario(variant, face_rows, deleted_ids, page_size=page_size)
        return cache[key]

    return get
