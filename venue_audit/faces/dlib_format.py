"""Reader for dlib's serialisation of the face-recognition ResNet.

dlib writes a network as nested ``add_layer`` objects, subnetwork first, so a
file lists each layer's details from the input side upwards. We do not rebuild
dlib's whole object graph: we walk the file once, in order, and pick up the
records we need (the input layer's channel means, each ``con_``/``affine_``
parameter tensor with its hyper-parameters, and the final ``fc_``), skipping the
raw float data of each tensor so that no float bytes are ever mistaken for a
record header. The layer sequence is then checked against the architecture of
dlib's ``dnn_face_recognition_ex.cpp``; a file of another shape is refused.

Byte formats (dlib ``serialize.h`` / ``dnn/tensor.h``): integers are one byte
``size | 0x80 if negative`` then ``size`` little-endian bytes; strings are an
integer length then bytes; tensors are version 2, then num_samples, k, nr, nc,
then the values as little-endian float32.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class ModelFormatError(ValueError):
    """The model file is not the dlib ResNet this reader understands."""


@dataclass(frozen=True)
class ConvSpec:
    filters: np.ndarray  # (out, in, kh, kw) float32
    bias: np.ndarray  # (out,) float32
    stride: int
    padding: int


@dataclass(frozen=True)
class AffineSpec:
    gamma: np.ndarray  # (channels,) float32
    beta: np.ndarray  # (channels,) float32


@dataclass
class ResNetWeights:
    """Everything the forward pass needs, in forward order."""

    channel_means: tuple[float, float, float]
    chip_size: int
    convs: list[ConvSpec] = field(default_factory=list)
    affines: list[AffineSpec] = field(default_factory=list)
    fc: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # (in, out)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {
            "channel_means": np.asarray(self.channel_means, np.float64),
            "chip_size": np.asarray(self.chip_size),
            "fc": self.fc,
        }
        for i, conv in enumerate(self.convs):
            arrays[f"conv{i}_w"] = conv.filters
            arrays[f"conv{i}_b"] = conv.bias
            arrays[f"conv{i}_geom"] = np.asarray([conv.stride, conv.padding])
        for i, affine in enumerate(self.affines):
            arrays[f"affine{i}_gamma"] = affine.gamma
            arrays[f"affine{i}_beta"] = affine.beta
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ResNetWeights:
        means = arrays["channel_means"]
        weights = cls((float(means[0]), float(means[1]), float(means[2])), int(arrays["chip_size"]))
        i = 0
        while f"conv{i}_w" in arrays:
            stride, padding = (int(v) for v in arrays[f"conv{i}_geom"])
            weights.convs.append(
                ConvSpec(arrays[f"conv{i}_w"], arrays[f"conv{i}_b"], stride, padding)
            )
            i += 1
        i = 0
        while f"affine{i}_gamma" in arrays:
            weights.affines.append(
                AffineSpec(arrays[f"affine{i}_gamma"], arrays[f"affine{i}_beta"])
            )
            i += 1
        weights.fc = arrays["fc"]
        return weights


# (out_channels, stride) of each conv in forward order, from dnn_face_recognition_ex.cpp:
# the 7x7 stem, then levels of residual blocks (two 3x3 convs each, the first strided in
# a down-sampling block).
def _expected_convs() -> list[tuple[int, int, int]]:
    convs = [(32, 7, 2)]
    levels = [(32, 3, False), (64, 4, True), (128, 3, True), (256, 3, True), (256, 1, True)]
    for channels, blocks, downsample in levels:
        for b in range(blocks):
            first_stride = 2 if (downsample and b == 0) else 1
            convs += [(channels, 3, first_stride), (channels, 3, 1)]
    return convs


EXPECTED_CONVS = _expected_convs()


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def integer(self) -> int:
        if self.pos >= len(self.data):
            raise ModelFormatError("unexpected end of model file")
        head = self.data[self.pos]
        size = head & 0x0F
        if size > 8:
            raise ModelFormatError(f"bad integer header 0x{head:02x} at byte {self.pos}")
        value = int.from_bytes(self.data[self.pos + 1 : self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if head & 0x80 else value

    def scalar(self) -> float:
        mantissa = self.integer()
        exponent = self.integer()
        return float(mantissa) * 2.0**exponent

    def string(self) -> bytes:
        length = self.integer()
        text = self.data[self.pos : self.pos + length]
        self.pos += length
        return text

    def tensor(self) -> np.ndarray:
        version = self.integer()
        if version != 2:
            raise ModelFormatError(f"tensor version {version} at byte {self.pos}")
        dims = [self.integer() for _ in range(4)]
        count = int(np.prod(dims))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise ModelFormatError("tensor runs past the end of the model file")
        values = np.frombuffer(self.data, "<f4", count, self.pos).astype(np.float32)
        self.pos = end
        return values


def _next_record(data: bytes, start: int, names: tuple[bytes, ...]) -> tuple[int, bytes] | None:
    """The next length-prefixed record name at or after ``start``, with its offset."""
    best: tuple[int, bytes] | None = None
    for name in names:
        prefix = bytes([0x01, len(name)]) + name
        at = data.find(prefix, start)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, name)
    return best


def read_resnet(data: bytes) -> ResNetWeights:
    """Parse the bytes of ``dlib_face_recognition_resnet_model_v1.dat``."""
    cursor = _Cursor(data)
    cursor.integer()  # the outer add_loss_layer's version
    if cursor.string() != b"loss_metric_2":
        raise ModelFormatError("not a dlib metric-learning network (no loss_metric_2 header)")
    names = (b"input_rgb_image_sized", b"con_4", b"affine_", b"fc_2")
    weights: ResNetWeights | None = None
    while True:
        found = _next_record(data, cursor.pos, names)
        if found is None:
            break
        cursor.pos = found[0]
        name = cursor.string()
        if name == b"input_rgb_image_sized":
            means = (cursor.scalar(), cursor.scalar(), cursor.scalar())
            rows, cols = cursor.integer(), cursor.integer()
            if rows != cols:
                raise ModelFormatError("input chip is not square")
            weights = ResNetWeights(means, rows)
        elif weights is None:
            raise ModelFormatError("layer before the input layer")
        elif name == b"con_4":
            params = cursor.tensor()
            out, kh, kw, stride_y, stride_x, pad_y, pad_x = (cursor.integer() for _ in range(7))
            if kh != kw or stride_y != stride_x or pad_y != pad_x:
                raise ModelFormatError("non-square convolution")
            in_channels = (params.size - out) // (out * kh * kw)
            if in_channels * out * kh * kw + out != params.size:
                raise ModelFormatError("convolution parameter count does not fit its shape")
            split = in_channels * out * kh * kw
            filters = params[:split].reshape(out, in_channels, kh, kw)
            weights.convs.append(ConvSpec(filters, params[split:].copy(), stride_y, pad_y))
        elif name == b"affine_":
            params = cursor.tensor()
            half = params.size // 2
            weights.affines.append(AffineSpec(params[:half].copy(), params[half:].copy()))
        elif name == b"fc_2":
            outputs, inputs = cursor.integer(), cursor.integer()
            params = cursor.tensor()
            if params.size != inputs * outputs:
                raise ModelFormatError("fc layer has a bias or an unexpected size")
            weights.fc = params.reshape(inputs, outputs)
    if weights is None:
        raise ModelFormatError("no input layer found")
    _check_architecture(weights)
    return weights


def _check_architecture(weights: ResNetWeights) -> None:
    shapes = [(c.filters.shape[0], c.filters.shape[2], c.stride) for c in weights.convs]
    if shapes != EXPECTED_CONVS:
        raise ModelFormatError(f"unexpected convolution layers: {shapes}")
    for conv in weights.convs:
        expected_pad = 0 if conv.stride != 1 else conv.filters.shape[2] // 2
        if conv.padding != expected_pad:
            raise ModelFormatError("unexpected convolution padding")
    if [a.gamma.size for a in weights.affines] != [c[0] for c in EXPECTED_CONVS]:
        raise ModelFormatError("unexpected affine (batch-norm) layers")
    if weights.fc.shape != (256, 128):
        raise ModelFormatError(f"unexpected fc shape {weights.fc.shape}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


CONVERTER_VERSION = 1


def load_resnet_weights(model_path: Path, cache_dir: Path | None) -> ResNetWeights:
    """Weights of ``model_path``, converted once and cached by the model's SHA-256.

    The cache is an ``.npz`` of plain arrays (loaded with ``allow_pickle=False``),
    so a tampered cache can at worst fail to load, never run code. A cache that
    does not load is rebuilt from the model file.
    """
    sha = file_sha256(model_path)
    cached = None
    if cache_dir is not None:
        cached = cache_dir / f"dlib-resnet-{sha}-v{CONVERTER_VERSION}.npz"
        if cached.exists():
            try:
                with np.load(cached, allow_pickle=False) as npz:
                    return ResNetWeights.from_arrays({k: npz[k] for k in npz.files})
            except (OSError, ValueError, KeyError, ModelFormatError):
                pass
    weights = read_resnet(model_path.read_bytes())
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            np.savez(handle, **weights.to_arrays())
        partial.replace(cached)
    return weights
