"""dlib's ResNet with int8 weights and activations: the ``onnx-int8`` encoder.

The fp32 graph of :mod:`.onnx_resnet` runs at ~95 GFLOP/s, near one core's float peak, and is
most of a stored crop's cost. Static QDQ quantisation (int8 weights per output channel, uint8
activations) lets onnxruntime use the CPU's integer dot-product instructions (AVX-512 VNNI,
AVX2): ~2.5x faster on the development machine. It is no longer dlib's arithmetic: descriptors
move by ~0.035 (Euclidean) and pair distances by ~0.005 on average, so it is a separate encoder
name recorded with every result, never a silent replacement for ``onnx``.

The quantised model is made on the user's machine from the fp32 graph, itself converted from
face_recognition_models' ``.dat`` file, as the fp32 one is. Activation ranges are fixed by
onnxruntime's percentile calibration (99.999 %: a few extreme values no longer stretch a tensor's
256 steps) on ``data/calibration_chips.png`` (aligned chips of the MIT example photos in
``tests/data/faces``, made by ``scripts/make_calibration_chips.py``) and three variants of each
chip made here (grey, reduced to 60 px and enlarged again, mirrored): the same chips, onnxruntime
and network give the same model bytes. The convolutions are int8 but for the last residual
block's two, whose outputs are 1x1 maps (3 % of the encoder's time, 7 % of its pair-distance
error); the first is int8 too (onnxruntime quantises a float convolution fed by quantised
pixels itself, per tensor; asking for it makes it per channel). The global pooling and the final
256x128 projection stay float (quantising the pooled vector to 256 steps moved descriptors for
no speed). What was tried and how it measured is in README ("The int8 encoder");
``scripts/bench_encoder.py`` measures a recipe.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

CALIBRATION_CHIPS = Path(__file__).with_name("data") / "calibration_chips.png"
# Bump when the calibration set or the quantisation settings change.
QUANTIZER_VERSION = 3
_LOW_RESOLUTION = 60


def calibration_chips(chip_size: int = 150) -> np.ndarray:
    """(N, chip, chip, 3) uint8 RGB: the shipped chips, then their grey, blurred and mirrored
    variants (capture crops are often grey and small)."""
    bgr = cv2.imread(str(CALIBRATION_CHIPS), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"calibration chips missing: {CALIBRATION_CHIPS}")
    strip = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    chips = [strip[:, i : i + chip_size] for i in range(0, strip.shape[1], chip_size)]
    variants = []
    for chip in chips:
        grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY)
        variants.append(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB))
        small = cv2.resize(chip, (_LOW_RESOLUTION, _LOW_RESOLUTION), interpolation=cv2.INTER_AREA)
        variants.append(cv2.resize(small, (chip_size, chip_size), interpolation=cv2.INTER_LINEAR))
        variants.append(chip[:, ::-1])
    return np.ascontiguousarray(np.stack(chips + variants))


@dataclass(frozen=True)
class Recipe:
    """How the fp32 graph is quantised; the default is what ``onnx-int8`` ships.

    Other recipes exist for ``scripts/bench_encoder.py``, which measures them against the exact
    encoder; changing the default changes results, so it goes with a new ``QUANTIZER_VERSION``.
    """

    method: str = "percentile"  # activation ranges: minmax, percentile or entropy
    activations: str = "uint8"  # uint8 (asymmetric) or int8 (symmetric)
    per_channel: bool = True  # weight scales per output channel, else per tensor
    reduce_range: bool = False  # 7-bit weights
    # convolutions (0-based, in graph order) kept float: the last residual block's two
    float_convs: tuple[int, ...] = (27, 28)
    quantized_ops: tuple[str, ...] = ()  # op types quantised; () = onnxruntime's default set
    float_ops: tuple[str, ...] = ("GlobalAveragePool", "Flatten")  # op types kept float
    # onnxruntime's calibration options, e.g. (("CalibPercentile", 99.999),)
    calibration_options: tuple[tuple[str, object], ...] = (("CalibPercentile", 99.999),)


def build_int8_model_bytes(
    fp32_model: bytes, chips: np.ndarray | None = None, recipe: Recipe = Recipe()
) -> bytes:
    """The fp32 graph quantised by ``recipe``; the final projection always stays float
    (a 256x128 product: little to gain, measurable error), as do the convolutions it names."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    chips = calibration_chips() if chips is None else chips
    model = onnx.load_from_string(fp32_model)
    for i, node in enumerate(model.graph.node):
        node.name = f"{node.op_type}_{i}"
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    projections = [n.name for n in model.graph.node if n.op_type == "MatMul"]
    input_name = model.graph.input[0].name

    class Chips(CalibrationDataReader):
        def __init__(self) -> None:
            self._next = 0

        def get_next(self) -> dict[str, np.ndarray] | None:
            if self._next >= len(chips):
                return None
            chip = chips[self._next : self._next + 1]
            self._next += 1
            return {input_name: np.ascontiguousarray(chip.transpose(0, 3, 1, 2), np.float32)}

    methods = {
        "minmax": CalibrationMethod.MinMax,
        "percentile": CalibrationMethod.Percentile,
        "entropy": CalibrationMethod.Entropy,
    }
    activation_type = {"uint8": QuantType.QUInt8, "int8": QuantType.QInt8}[recipe.activations]
    with tempfile.TemporaryDirectory(prefix="venue-audit-int8-") as scratch:
        source = Path(scratch) / "fp32.onnx"
        target = Path(scratch) / "int8.onnx"
        onnx.save(model, str(source))
        # The percentile calibrator print()s its progress: stdout carries --json output.
        with contextlib.redirect_stdout(io.StringIO()):
            quantize_static(
                str(source),
                str(target),
                Chips(),
                quant_format=QuantFormat.QDQ,
                per_channel=recipe.per_channel,
                reduce_range=recipe.reduce_range,
                activation_type=activation_type,
                weight_type=QuantType.QInt8,
                calibrate_method=methods[recipe.method],
                nodes_to_exclude=[convs[i] for i in recipe.float_convs]
                + projections
                + [n.name for n in model.graph.node if n.op_type in recipe.float_ops],
                op_types_to_quantize=list(recipe.quantized_ops) or None,
                extra_options={
                    "ActivationSymmetric": recipe.activations == "int8",
                    **dict(recipe.calibration_options),
                },
            )
        return target.read_bytes()
