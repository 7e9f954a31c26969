"""The engine as a stream: marks pass through in order, results are cached in batches.

The scan hands the engine each evidence item's pictures followed by a mark (bytes ``None``);
when the mark comes back, every picture before it is done and the item can be written.
"""

from __future__ import annotations

from pathlib import Path

from tests.faces.conftest import FACES
from venue_audit.faces import (
    ENGINE_VERSION,
    EngineConfig,
    FaceResultCache,
    ImageAnalysis,
    analyze_many,
)

PICTURES = [FACES / "obama" / "7_small.jpg", FACES / "obama" / "5_240p.jpg"]


def test_a_mark_comes_back_in_its_place_after_every_picture_before_it(
    config: EngineConfig,
) -> None:
    first, second = (p.read_bytes() for p in PICTURES)
    stream = [
        ("item-1", first),
        ("end-1", None),
        ("end-2", None),
        ("item-3", second),
        ("end-3", None),
    ]
    out = list(analyze_many(stream, config, workers=1, chunk_size=8))
    assert [key for key, _ in out] == [key for key, _ in stream]
    results = dict(out)
    assert results["end-1"] is None and results["end-2"] is None and results["end-3"] is None
    assert isinstance(results["item-1"], ImageAnalysis) and results["item-1"].faces
    assert isinstance(results["item-3"], ImageAnalysis) and results["item-3"].faces


def test_cached_results_are_committed_in_batches_and_found_before_they_are(
    config: EngineConfig, tmp_path: Path
) -> None:
    params = config.parameters_hash()
    analysis = next(
        result for _, result in analyze_many([("one", PICTURES[0].read_bytes())], config, workers=1)
    )
    assert isinstance(analysis, ImageAnalysis)
    path = tmp_path / "faces.sqlite"
    cache = FaceResultCache(path)
    cache.put(analysis, ENGINE_VERSION, params)
    assert cache.get(analysis.sha256, ENGINE_VERSION, params) == analysis
    with FaceResultCache(path) as elsewhere:  # another process: nothing committed yet
        assert elsewhere.get(analysis.sha256, ENGINE_VERSION, params) is None
    cache.close()
    with FaceResultCache(path) as reopened:
        assert reopened.get(analysis.sha256, ENGINE_VERSION, params) == analysis
