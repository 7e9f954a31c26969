"""dlib's face-recognition ResNet as an ONNX graph built in code, run by onnxruntime.

Optional: used only when ``onnx`` and ``onnxruntime`` are installed. The graph is
the same network as :mod:`venue_audit.faces.resnet` (affine layers folded into
the convolutions, dlib's zero-padded residual sums as explicit ``Pad`` nodes);
onnxruntime's direct convolution kernels avoid NumPy's im2col copies.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from venue_audit.faces.dlib_format import ResNetWeights

_LEVELS = ((3, False), (4, True), (3, True), (3, True), (1, True))


def available() -> bool:
    """Whether both packages are installed, without importing them.

    Importing ``onnx`` costs 1.4-2 s, in every process that asks; it is needed only
    to build the graph the first time, and running it needs only ``onnxruntime``.
    """
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


def build_model_bytes(weights: ResNetWeights) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    counter = iter(range(10_000))

    def name(prefix: str) -> str:
        return f"{prefix}{next(counter)}"

    def const(array: np.ndarray, prefix: str) -> str:
        tensor_name = name(prefix)
        inits.append(numpy_helper.from_array(array, tensor_name))
        return tensor_name

    size = weights.chip_size
    means = np.asarray(weights.channel_means, np.float32).reshape(1, 3, 1, 1)
    x = name("t")
    nodes.append(helper.make_node("Sub", ["chips", const(means, "mean")], [x]))
    y = name("t")
    nodes.append(helper.make_node("Mul", [x, const(np.array(1 / 256, np.float32), "s")], [y]))
    shape = (3, size, size)

    def conv(inp: str, shape: tuple[int, int, int], i: int, relu: bool) -> tuple[str, tuple]:
        spec, affine = weights.convs[i], weights.affines[i]
        w = spec.filters * affine.gamma[:, None, None, None]
        b = affine.gamma * spec.bias + affine.beta
        k = spec.filters.shape[2]
        out = name("t")
        nodes.append(
            helper.make_node(
                "Conv",
                [inp, const(w.astype(np.float32), "w"), const(b.astype(np.float32), "b")],
                [out],
                kernel_shape=[k, k],
                strides=[spec.stride, spec.stride],
                pads=[spec.padding] * 4,
            )
        )
        h = (shape[1] + 2 * spec.padding - k) // spec.stride + 1
        wd = (shape[2] + 2 * spec.padding - k) // spec.stride + 1
        if relu:
            r = name("t")
            nodes.append(helper.make_node("Relu", [out], [r]))
            out = r
        return out, (spec.filters.shape[0], h, wd)

    def pad_to(inp: str, shape: tuple, target: tuple) -> str:
        if shape == target:
            return inp
        pads = [0, 0, 0, 0, 0, target[0] - shape[0], target[1] - shape[1], target[2] - shape[2]]
        out = name("t")
        nodes.append(helper.make_node("Pad", [inp, const(np.asarray(pads, np.int64), "p")], [out]))
        return out

    x, shape = conv(y, shape, 0, relu=True)
    pooled = name("t")
    nodes.append(helper.make_node("MaxPool", [x], [pooled], kernel_shape=[3, 3], strides=[2, 2]))
    x, shape = pooled, (shape[0], (shape[1] - 3) // 2 + 1, (shape[2] - 3) // 2 + 1)
    layer = 1
    for blocks, downsample in _LEVELS:
        for b in range(blocks):
            strided = downsample and b == 0
            h, h_shape = conv(x, shape, layer, relu=True)
            h, h_shape = conv(h, h_shape, layer + 1, relu=False)
            layer += 2
            if strided:
                s = name("t")
                nodes.append(
                    helper.make_node("AveragePool", [x], [s], kernel_shape=[2, 2], strides=[2, 2])
                )
                s_shape = (shape[0], (shape[1] - 2) // 2 + 1, (shape[2] - 2) // 2 + 1)
            else:
                s, s_shape = x, shape
            target = tuple(max(p, q) for p, q in zip(h_shape, s_shape, strict=True))
            summed = name("t")
            nodes.append(
                helper.make_node(
                    "Add", [pad_to(h, h_shape, target), pad_to(s, s_shape, target)], [summed]
                )
            )
            x = name("t")
            nodes.append(helper.make_node("Relu", [summed], [x]))
            shape = target
    g = name("t")
    nodes.append(helper.make_node("GlobalAveragePool", [x], [g]))
    flat = name("t")
    nodes.append(helper.make_node("Flatten", [g], [flat], axis=1))
    nodes.append(
        helper.make_node(
            "MatMul", [flat, const(weights.fc.astype(np.float32), "fc")], ["descriptors"]
        )
    )
    graph = helper.make_graph(
        nodes,
        "dlib_resnet_v1",
        [helper.make_tensor_value_info("chips", TensorProto.FLOAT, ["n", 3, size, size])],
        [helper.make_tensor_value_info("descriptors", TensorProto.FLOAT, ["n", 128])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


class OnnxResNet:
    """Same contract as :class:`venue_audit.faces.resnet.NumpyResNet`."""

    def __init__(self, model_bytes: bytes, chip_size: int = 150, threads: int = 1) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            model_bytes, options, providers=["CPUExecutionProvider"]
        )
        self.chip_size = chip_size

    def __call__(self, chips: np.ndarray) -> np.ndarray:
        if chips.ndim != 4 or chips.shape[1:] != (self.chip_size, self.chip_size, 3):
            raise ValueError(f"expected (N, {self.chip_size}, {self.chip_size}, 3) chips")
        nchw = np.ascontiguousarray(chips.transpose(0, 3, 1, 2), dtype=np.float32)
        return self._session.run(["descriptors"], {"chips": nchw})[0]
