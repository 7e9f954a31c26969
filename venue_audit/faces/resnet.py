"""dlib's face-recognition ResNet as a batched NumPy forward pass.

dlib-bin is built without a BLAS, so its own forward pass runs on naive loops;
the same network as im2col + one float32 GEMM per convolution runs on NumPy's
OpenBLAS. The arithmetic mirrors dlib exactly, including two of its quirks:

- a strided convolution or pooling layer has no padding (dlib's default is
  ``stride != 1 ? 0 : size/2``), so a down-sampling block's two branches can
  differ in size (3x3 vs 4x4 at the 8x8 level);
- ``add_prev`` then sums tensors of different shape by zero-padding the smaller
  at the end of every dimension (extra channels and the bottom/right border).

Activations are NHWC so a convolution is a single matrix product.
"""

from __future__ import annotations

import numpy as np

from venue_audit.faces.dlib_format import ResNetWeights

_LEVELS = ((3, False), (4, True), (3, True), (3, True), (1, True))


class NumpyResNet:
    """Maps aligned 150x150 RGB chips to dlib's 128-d descriptors."""

    def __init__(self, weights: ResNetWeights) -> None:
        self.chip_size = weights.chip_size
        self._means = np.asarray(weights.channel_means, np.float32)
        # GEMM-ready weights: rows ordered (ky, kx, in_channel) to match the patches, with the
        # following affine layer folded in: gamma*(W*x + b) + beta = (gamma*W)*x + (gamma*b + beta).
        self._convs = []
        for conv, affine in zip(weights.convs, weights.affines, strict=True):
            out_channels, _, k, _ = conv.filters.shape
            w = conv.filters.transpose(2, 3, 1, 0).reshape(-1, out_channels) * affine.gamma
            shift = affine.gamma * conv.bias + affine.beta
            self._convs.append(
                (
                    np.ascontiguousarray(w, np.float32),
                    shift.astype(np.float32),
                    k,
                    conv.stride,
                    conv.padding,
                )
            )
        self._fc = np.ascontiguousarray(weights.fc, np.float32)

    def __call__(self, chips: np.ndarray) -> np.ndarray:
        """``chips``: (N, 150, 150, 3) uint8 RGB. Returns (N, 128) float32."""
        if chips.ndim != 4 or chips.shape[1:] != (self.chip_size, self.chip_size, 3):
            raise ValueError(f"expected (N, {self.chip_size}, {self.chip_size}, 3) chips")
        x = (chips.astype(np.float32) - self._means) / np.float32(256.0)
        x = self._conv_affine(x, 0, relu=True)
        x = _max_pool_3x3_s2(x)
        layer = 1
        for blocks, downsample in _LEVELS:
            for b in range(blocks):
                strided = downsample and b == 0
                y = self._conv_affine(x, layer, relu=True)
                y = self._conv_affine(y, layer + 1, relu=False)
                layer += 2
                shortcut = _avg_pool_2x2_s2(x) if strided else x
                x = np.maximum(_add_zero_padded(y, shortcut), 0.0, dtype=np.float32)
        pooled = x.mean(axis=(1, 2), dtype=np.float32)
        return _gemm(pooled, self._fc)

    def _conv_affine(self, x: np.ndarray, i: int, relu: bool) -> np.ndarray:
        w, shift, k, stride, pad = self._convs[i]
        patches, out_h, out_w = _im2col(x, k, stride, pad)
        y = _gemm(patches, w)
        y += shift
        if relu:
            np.maximum(y, 0.0, out=y)
        return y.reshape(x.shape[0], out_h, out_w, w.shape[1])


def _gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, through the same BLAS kernel whatever the batch size.

    With one row NumPy calls a matrix-vector routine whose summation order differs
    from the matrix-matrix one; padding to two rows keeps every descriptor
    bit-identical whether its face was encoded alone or in a batch.
    """
    if a.shape[0] == 1:
        return (np.concatenate([a, a]) @ b)[:1]
    return a @ b


def _im2col(x: np.ndarray, k: int, stride: int, pad: int) -> tuple[np.ndarray, int, int]:
    n, h, w, c = x.shape
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
        h, w = h + 2 * pad, w + 2 * pad
    out_h = (h - k) // stride + 1
    out_w = (w - k) // stride + 1
    patches = np.empty((n, out_h, out_w, k, k, c), np.float32)
    for ky in range(k):
        for kx in range(k):
            patches[:, :, :, ky, kx, :] = x[
                :,
                ky : ky + stride * (out_h - 1) + 1 : stride,
                kx : kx + stride * (out_w - 1) + 1 : stride,
                :,
            ]
    return patches.reshape(n * out_h * out_w, k * k * c), out_h, out_w


def _max_pool_3x3_s2(x: np.ndarray) -> np.ndarray:
    _, h, w, _ = x.shape
    out_h, out_w = (h - 3) // 2 + 1, (w - 3) // 2 + 1
    out = None
    for ky in range(3):
        for kx in range(3):
            window = x[:, ky : ky + 2 * (out_h - 1) + 1 : 2, kx : kx + 2 * (out_w - 1) + 1 : 2, :]
            out = window.copy() if out is None else np.maximum(out, window, out=out)
    assert out is not None
    return out


def _avg_pool_2x2_s2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    out_h, out_w = (h - 2) // 2 + 1, (w - 2) // 2 + 1
    total = np.zeros((n, out_h, out_w, c), np.float32)
    for ky in range(2):
        for kx in range(2):
            total += x[:, ky : ky + 2 * (out_h - 1) + 1 : 2, kx : kx + 2 * (out_w - 1) + 1 : 2, :]
    return total / np.float32(4.0)


def _add_zero_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2], : a.shape[3]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2], : b.shape[3]] += b
    return out
