"""The NumPy port of dlib's ResNet gives dlib's own descriptors."""

from __future__ import annotations

import itertools
from pathlib import Path

import dlib
import numpy as np
import pytest

from tests.faces.conftest import labelled_photos
from venue_audit.faces.decode import decode_image
from venue_audit.faces.detection import detect_faces
from venue_audit.faces.dlib_format import ModelFormatError, load_resnet_weights, read_resnet
from venue_audit.faces.models import RESNET_MODEL, dlib_encoder, landmark_predictor
from venue_audit.faces.resnet import NumpyResNet


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


@pytest.fixture(scope="module")
def numpy_net(model_cache: Path) -> NumpyResNet:
    return NumpyResNet(load_resnet_weights(RESNET_MODEL, model_cache))


def test_every_face_embeds_within_1e3_of_dlib(
    chips: np.ndarray, dlib_descriptors: np.ndarray, numpy_net: NumpyResNet
) -> None:
    ours = numpy_net(chips)
    assert ours.dtype == np.float32 and ours.shape == (len(chips), 128)
    assert len(chips) >= 27
    assert np.abs(ours - dlib_descriptors).max() <= 1e-3


def test_match_decisions_at_0_6_are_identical_to_dlib(
    chips: np.ndarray, dlib_descriptors: np.ndarray, numpy_net: NumpyResNet
) -> None:
    ours = numpy_net(chips).astype(np.float64)
    for i, j in itertools.combinations(range(len(chips)), 2):
        theirs = np.linalg.norm(dlib_descriptors[i] - dlib_descriptors[j]) <= 0.6
        assert (np.linalg.norm(ours[i] - ours[j]) <= 0.6) == theirs, (i, j)


def test_a_face_encodes_the_same_alone_or_in_a_batch(
    chips: np.ndarray, numpy_net: NumpyResNet
) -> None:
    batch = numpy_net(chips[:5])
    alone = np.concatenate([numpy_net(chips[i : i + 1]) for i in range(5)])
    assert np.array_equal(batch, alone)


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
