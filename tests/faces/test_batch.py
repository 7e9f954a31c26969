"""A batch analyses each picture as it would be analysed alone (the engine runs each model over
the whole batch in a row; that must change no result)."""

from __future__ import annotations

import io

from PIL import Image

from tests.faces.conftest import FACES
from venue_audit.faces import FaceEngine
from venue_audit.faces.errors import FaceInputError


def _crop(name: str, box: tuple[int, int, int, int], grey: bool = False) -> bytes:
    image = Image.open(FACES / name).convert("RGB").crop(box).resize((120, 140))
    out = io.BytesIO()
    (image.convert("L") if grey else image).save(out, "JPEG", quality=70)
    return out.getvalue()


def test_a_batch_of_crops_photos_duplicates_and_junk_equals_each_picture_alone(
    engine: FaceEngine,
) -> None:
    obama = _crop("obama/7_small.jpg", (100, 40, 220, 180))
    biden = _crop("biden/2.jpg", (330, 250, 830, 850), grey=True)
    photo = (FACES / "obama" / "5_240p.jpg").read_bytes()
    items = [
        (obama, "a.jpg"),
        (b"not a picture", "junk.jpg"),
        (photo, "photo.jpg"),
        (biden, "b.jpg"),
        (obama, "again.jpg"),
        (obama[: len(obama) // 2], "cut.jpg"),
    ]
    batch = engine.analyze_batch(items)
    alone = [engine.analyze_batch([item])[0] for item in items]
    assert len(batch) == len(items)
    for together, by_itself in zip(batch, alone, strict=True):
        if isinstance(by_itself, FaceInputError):
            assert type(together) is type(by_itself)
        else:
            assert together == by_itself
    assert [len(batch[i].faces) for i in (0, 2, 3, 4)] == [1, 1, 1, 1]  # type: ignore[union-attr]
    assert batch[0].faces[0].fast_path  # type: ignore[union-attr]  (BlazeFace's path)
