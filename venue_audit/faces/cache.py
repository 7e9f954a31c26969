"""A SQLite cache of face results keyed by (content SHA-256, engine version, parameters).

Re-scans and exact duplicates then cost one look-up. Rows hold JSON and raw
float32 bytes only, never pickles, so a cache file from elsewhere cannot run
code. The scanner may keep one inside the case folder.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np

from venue_audit.faces.engine import FaceResult, ImageAnalysis

_SCHEMA = """
CREATE TABLE IF NOT EXISTS face_results (
    sha256 TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    parameters TEXT NOT NULL,
    analysis TEXT NOT NULL,
    embeddings BLOB NOT NULL,
    PRIMARY KEY (sha256, engine_version, parameters)
)
"""


def analysis_to_row(analysis: ImageAnalysis) -> tuple[str, bytes]:
    meta = {
        "sha256": analysis.sha256,
        "pdq": analysis.pdq,
        "pdq_quality": analysis.pdq_quality,
        "phash": analysis.phash,
        "width": analysis.width,
        "height": analysis.height,
        "faces": [
            {
                "bbox": list(f.bbox),
                "landmarks": [list(p) for p in f.landmarks],
                "quality": f.quality,
                "fast_path": f.fast_path,
            }
            for f in analysis.faces
        ],
    }
    blob = b"".join(np.asarray(f.embedding, "<f4").tobytes() for f in analysis.faces)
    return json.dumps(meta, separators=(",", ":")), blob


def analysis_from_row(text: str, blob: bytes) -> ImageAnalysis:
    meta = json.loads(text)
    vectors = np.frombuffer(blob, "<f4").reshape(-1, 128) if blob else np.zeros((0, 128))
    faces = [
        FaceResult(
            bbox=tuple(face["bbox"]),  # type: ignore[arg-type]
            landmarks=[tuple(p) for p in face["landmarks"]],  # type: ignore[misc]
            embedding=np.array(vectors[i], dtype=np.float32),
            quality=face["quality"],
            fast_path=face["fast_path"],
        )
        for i, face in enumerate(meta["faces"])
    ]
    return ImageAnalysis(
        sha256=meta["sha256"],
        pdq=meta["pdq"],
        pdq_quality=meta["pdq_quality"],
        phash=meta["phash"],
        width=meta["width"],
        height=meta["height"],
        faces=faces,
    )


class FaceResultCache:
    """Results by content hash. Writes are buffered and committed in batches.

    One commit per result would cost a WAL sync per picture; a batch is committed every
    ``BATCH`` results and on close. Results not yet committed when a process dies are
    only computed again next time: the cache is never the record of a scan.
    """

    BATCH = 256

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path)  # not evidence: our face cache
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()
        self._unwritten: dict[tuple[str, str, str], tuple[str, bytes]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, sha256: str, engine_version: str, parameters: str) -> ImageAnalysis | None:
        row = self._unwritten.get((sha256, engine_version, parameters)) or self._db.execute(
            "SELECT analysis, embeddings FROM face_results"
            " WHERE sha256 = ? AND engine_version = ? AND parameters = ?",
            (sha256, engine_version, parameters),
        ).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return analysis_from_row(row[0], row[1])

    def put(self, analysis: ImageAnalysis, engine_version: str, parameters: str) -> None:
        self._unwritten[(analysis.sha256, engine_version, parameters)] = analysis_to_row(analysis)
        if len(self._unwritten) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Commit the buffered results in one transaction."""
        if not self._unwritten:
            return
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO face_results VALUES (?, ?, ?, ?, ?)",
                [(*key, text, blob) for key, (text, blob) in self._unwritten.items()],
            )
        self._unwritten.clear()

    def close(self) -> None:
        self.flush()
        self._db.close()

    def __enter__(self) -> FaceResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
