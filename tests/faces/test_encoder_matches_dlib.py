"""The NumPy port of dlib's ResNet gives dlib's own descriptors."""

from __future__ import annotations

import itertools
from pathlib import Path

import dlib
import numpy as np
import pytest

from tests.faces.conftest import FACES, labelled_photos
from venue_audit.faces import EngineConfig, FaceEngine
from venue_audit.faces.decode import decode_image
from venue_audit.faces.detection import detect_faces
from venue_audit.faces.dlib_format import ModelFormatError, load_resnet_weights, read_resnet
from venue_audit.faces.models import (
    RESNET_MODEL,
    dlib_encoder,
    encode_chips,
    landmark_predictor,
    onnx_available,
)


@pytest.fixture(scope="module")
def chips() -> np.ndarray:
    """The aligned chip of every face in every labelled photo."""
    out = []
    for photo in labelled_photos():
        rgb = decode_image(photo.path.read_bytes(), photo.name)
        for detection in detect_faces(rgb, 40, crop_fast_path=False):
            shape = landmark_predictor()(rgb, detection.rect)
            out.append(dlib.get_face_chip(rgb, shape, 150, 0.25))
    return np.stack(out)


@pytest.fixture(scope="module")
def dlib_descriptors(chips: np.ndarray) -> np.ndarray:
    return np.asarray([np.asarray(d) for d in dlib_encoder().compute_face_descriptor(list(chips))])


ENCODERS = ["numpy"] + (["onnx"] if onnx_available() else [])


@pytest.mark.parametrize("encoder", ENCODERS)
def test_every_face_embeds_within_1e3_of_dlib(
    chips: np.ndarray, dlib_descriptors: np.ndarray, model_cache: Path, encoder: str
) -> None:
    ours = encode_chips(list(chips), encoder, str(model_cache))
    assert ours.dtype == np.float32 and ours.shape == (len(chips), 128)
    assert len(chips) >= 27
    assert np.abs(ours - dlib_descriptors).max() <= 1e-3


@pytest.mark.parametrize("encoder", ENCODERS)
def test_match_decisions_at_0_6_are_identical_to_dlib(
    chips: np.ndarray, dlib_descriptors: np.ndarray, model_cache: Path, encoder: str
) -> None:
    ours = encode_chips(list(chips), encoder, str(model_cache)).astype(np.float64)
    for i, j in itertools.combinations(range(len(chips)), 2):
        theirs = np.linalg.norm(dlib_descriptors[i] - dlib_descriptors[j]) <= 0.6
        assert (np.linalg.norm(ours[i] - ours[j]) <= 0.6) == theirs, (i, j)


@pytest.mark.parametrize("encoder", ENCODERS)
def test_a_face_encodes_the_same_alone_or_in_a_batch(
    chips: np.ndarray, model_cache: Path, encoder: str
) -> None:
    batch = encode_chips(list(chips[:5]), encoder, str(model_cache))
    alone = np.concatenate([encode_chips([c], encoder, str(model_cache)) for c in chips[:5]])
    assert np.array_equal(batch, alone)


def test_dlibs_own_encoder_stays_selectable_as_the_reference(model_cache: Path) -> None:
    data = (FACES / "obama" / "7_small.jpg").read_bytes()
    reference = FaceEngine(EngineConfig(encoder="dlib", model_cache_dir=str(model_cache)))
    default = FaceEngine(EngineConfig(model_cache_dir=str(model_cache)))
    theirs, ours = reference.analyze_image(data), default.analyze_image(data)
    assert reference.config.encoder == "dlib" and default.config.encoder != "dlib"
    assert [f.bbox for f in theirs.faces] == [f.bbox for f in ours.faces]
    assert np.abs(theirs.faces[0].embedding - ours.faces[0].embedding).max() <= 1e-3


def test_converted_weights_are_cached_by_model_sha256(tmp_path: Path) -> None:
    first = load_resnet_weights(RESNET_MODEL, tmp_path)
    cached = list(tmp_path.glob("dlib-resnet-*.npz"))
    assert len(cached) == 1
    from venue_audit.faces.dlib_format import file_sha256

    assert file_sha256(RESNET_MODEL) in cached[0].name
    again = load_resnet_weights(RESNET_MODEL, tmp_path)
    assert np.array_equal(first.convs[5].filters, again.convs[5].filters)
    assert np.array_equal(first.fc, again.fc)


def test_a_damaged_cache_file_is_rebuilt_from_the_model(tmp_path: Path) -> None:
    load_resnet_weights(RESNET_MODEL, tmp_path)
    cached = next(tmp_path.glob("dlib-resnet-*.npz"))
    cached.write_bytes(b"not an npz")
    weights = load_resnet_weights(RESNET_MODEL, tmp_path)
    assert weights.fc.shape == (256, 128)


def test_a_file_that_is_not_the_resnet_is_refused() -> None:
    with pytest.raises(ModelFormatError):
        read_resnet(b"\x01\x01\x01\x05hello" + bytes(100))
    landmarks = Path(RESNET_MODEL).with_name("shape_predictor_5_face_landmarks.dat")
    with pytest.raises(ModelFormatError):
        read_resnet(landmarks.read_bytes())
