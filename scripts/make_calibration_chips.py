"""How venue_audit/faces/data/calibration_chips.png was made (run once; not part of a scan).

The ``onnx-int8`` encoder is dlib's ResNet quantised on the user's machine; static quantisation
needs example inputs to fix each activation's range. They are the aligned 150x150 chips of every
face the engine finds in ``tests/data/faces`` (face_recognition's example photos, MIT), laid side
by side in one lossless PNG, so that the quantised model is made from the same bytes everywhere
and nothing is fetched. To redo it:

    .venv/bin/python scripts/make_calibration_chips.py venue_audit/faces/data/calibration_chips.png

It prints the number of chips and the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(out: Path) -> None:
    import dlib
    import numpy as np
    from PIL import Image

    from venue_audit.faces.decode import decode_image
    from venue_audit.faces.detection import detect_faces
    from venue_audit.faces.engine import CHIP_PADDING, CHIP_SIZE
    from venue_audit.faces.models import landmark_predictor

    chips = []
    for path in sorted((REPO / "tests" / "data" / "faces").glob("*/*")):
        if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            continue
        rgb = decode_image(path.read_bytes(), path.name)
        for detection in detect_faces(rgb, 40, photo_max_side=1600):
            shape = detection.shape or landmark_predictor()(rgb, detection.rect)
            chips.append(dlib.get_face_chip(rgb, shape, CHIP_SIZE, CHIP_PADDING))
    Image.fromarray(np.concatenate(chips, axis=1)).save(out, "PNG", optimize=True)
    print(len(chips), "chips;", out, hashlib.sha256(out.read_bytes()).hexdigest())


if __name__ == "__main__":
    main(Path(sys.argv[1]))
