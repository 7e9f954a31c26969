"""``onnx-int8``: dlib's ResNet quantised on this machine, chosen by name, never implied.

Its agreement with the exact encoder on real labelled faces is measured by the benchmark (README,
"Measured speed"); here: it is made reproducibly from what the repository ships, it stays close
to the exact encoder on the real test faces, and it is recorded wherever an encoder is.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tests.faces.conftest import FACES
from venue_audit.faces import EngineConfig, FaceEngine
from venue_audit.faces.models import (
    _fp32_model_bytes,
    encode_chips,
    int8_model_path,
    onnx_available,
)
from venue_audit.faces.quantized import build_int8_model_bytes, calibration_chips
from venue_audit.report import labels

pytestmark = pytest.mark.skipif(not onnx_available(), reason="onnx and onnxruntime not installed")


@pytest.fixture(scope="module")
def chips() -> np.ndarray:
    """The shipped calibration chips: the aligned faces of tests/data/faces, and variants."""
    return calibration_chips()


def test_the_same_chips_and_network_give_the_same_model_bytes_and_print_nothing(
    model_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fp32 = _fp32_model_bytes(str(model_cache))
    few = calibration_chips()[:6]
    assert build_int8_model_bytes(fp32, few) == build_int8_model_bytes(fp32, few)
    assert capsys.readouterr().out == ""  # stdout carries --json: the calibrator's prints go


def test_the_convolutions_are_int8_but_the_last_blocks_and_pooling_and_projection_stay_float(
    model_cache: Path,
) -> None:
    onnx = pytest.importorskip("onnx")
    model = onnx.load_from_string(
        build_int8_model_bytes(_fp32_model_bytes(str(model_cache)), calibration_chips()[:6])
    )
    made_by = {out: node for node in model.graph.node for out in node.output}
    int8 = {t.name for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8}

    def quantised(tensor: str) -> bool:
        node = made_by.get(tensor)
        return node is not None and node.op_type == "DequantizeLinear" and node.input[0] in int8

    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    assert len(convs) == 29 and all(quantised(c.input[1]) for c in convs[:27])
    assert not any(quantised(c.input[1]) for c in convs[27:])
    (pool,) = [n for n in model.graph.node if n.op_type == "GlobalAveragePool"]
    (projection,) = [n for n in model.graph.node if n.op_type == "MatMul"]
    readers = [n for n in model.graph.node if pool.output[0] in n.input]
    assert readers and all(n.op_type != "QuantizeLinear" for n in readers)
    assert made_by[projection.input[0]].op_type == "Flatten"  # the pooled vector, unquantised
    assert not quantised(projection.input[1])


def test_the_quantised_model_is_made_once_and_cached_beside_the_exact_one(
    model_cache: Path, chips: np.ndarray
) -> None:
    first = encode_chips(list(chips[:3]), "onnx-int8", str(model_cache))
    path = int8_model_path(str(model_cache))
    assert path.exists() and "-int8-" in path.name and "-ort" in path.name
    made = path.stat().st_mtime_ns
    again = encode_chips(list(chips[:3]), "onnx-int8", str(model_cache))
    assert np.array_equal(first, again) and path.stat().st_mtime_ns == made


def test_int8_descriptors_stay_near_the_exact_ones_and_keep_every_decision_at_0_6(
    model_cache: Path, chips: np.ndarray
) -> None:
    exact = encode_chips(list(chips), "onnx", str(model_cache)).astype(np.float64)
    int8 = encode_chips(list(chips), "onnx-int8", str(model_cache)).astype(np.float64)
    assert int8.shape == exact.shape == (108, 128)
    moved = np.linalg.norm(exact - int8, axis=1)
    assert moved.mean() < 0.06 and moved.max() < 0.15
    assert np.abs(exact - int8).max() > 1e-4  # really quantised: not the exact network
    for i, j in itertools.combinations(range(27), 2):  # the 27 unaltered faces
        same_exact = np.linalg.norm(exact[i] - exact[j]) <= 0.6
        assert (np.linalg.norm(int8[i] - int8[j]) <= 0.6) == same_exact, (i, j)


def test_a_face_encodes_the_same_alone_or_in_a_batch(model_cache: Path, chips: np.ndarray) -> None:
    batch = encode_chips(list(chips[:4]), "onnx-int8", str(model_cache))
    alone = np.concatenate([encode_chips([c], "onnx-int8", str(model_cache)) for c in chips[:4]])
    assert np.array_equal(batch, alone)


def test_the_encoder_and_its_quantiser_are_recorded_in_the_results_parameters(
    model_cache: Path,
) -> None:
    int8 = EngineConfig(encoder="onnx-int8", model_cache_dir=str(model_cache))
    exact = EngineConfig(encoder="onnx", model_cache_dir=str(model_cache))
    assert int8.result_parameters()["encoder"] == "onnx-int8"
    assert int8.result_parameters()["encoder_model"].startswith("int8-q")
    assert "encoder_model" not in exact.result_parameters()
    assert labels.PARAMETERS["encoder_model"][0]  # the zh report names it in Chinese
    assert int8.parameters_hash() != exact.parameters_hash()
    analysis = FaceEngine(int8).analyze_image((FACES / "obama" / "7_small.jpg").read_bytes())
    assert len(analysis.faces) == 1 and analysis.faces[0].embedding.dtype == np.float32


def test_the_default_encoder_stays_the_exact_one() -> None:
    assert EngineConfig().encoder == "onnx"
