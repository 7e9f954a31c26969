"""Many images on a pool: input order, same results for any worker count, cache reuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faces.conftest import FACES
from venue_audit.faces import (
    ENGINE_VERSION,
    EmptyInput,
    EngineConfig,
    FaceInputError,
    FaceResultCache,
    ImageAnalysis,
    NotAnImage,
    analyze_many,
)

SMALL = sorted(
    p
    for p in FACES.glob("*/*")
    if p.suffix.lower() in {".jpg", ".jpeg", ".png"} and p.stat().st_size < 120_000
)


def items() -> list[tuple[str, bytes]]:
    good = [(p.name + "@" + p.parent.name, p.read_bytes()) for p in SMALL]
    return [*good, ("empty", b""), ("dup", good[0][1]), ("text.jpg", b"not an image")]


def same(a: ImageAnalysis | FaceInputError, b: ImageAnalysis | FaceInputError) -> bool:
    if isinstance(a, FaceInputError):
        return type(a) is type(b) and str(a) == str(b)
    return a == b


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results_in_input_order(
    config: EngineConfig,
) -> None:
    inputs = items()
    one = list(analyze_many(inputs, config, workers=1, chunk_size=3))
    two = list(analyze_many(inputs, config, workers=2, chunk_size=3))
    assert [k for k, _ in one] == [k for k, _ in inputs] == [k for k, _ in two]
    assert all(same(a, b) for (_, a), (_, b) in zip(one, two, strict=True))
    by_key = dict(two)
    assert isinstance(by_key["empty"], EmptyInput)
    assert isinstance(by_key["text.jpg"], NotAnImage)
    assert by_key["dup"] == by_key[inputs[0][0]]
    assert sum(len(r.faces) for r in by_key.values() if isinstance(r, ImageAnalysis)) >= len(SMALL)


def test_a_rescan_is_served_from_the_cache(config: EngineConfig, tmp_path: Path) -> None:
    inputs = items()[:4]
    with FaceResultCache(tmp_path / "faces.sqlite") as cache:
        first = list(analyze_many(inputs, config, workers=1, cache=cache))
        assert cache.hits == 0
        again = list(analyze_many(inputs, config, workers=1, cache=cache))
        assert cache.hits == 4
    assert all(same(a, b) for (_, a), (_, b) in zip(first, again, strict=True))


def test_exact_duplicates_in_one_run_are_analysed_once(
    config: EngineConfig, tmp_path: Path
) -> None:
    data = SMALL[0].read_bytes()
    with FaceResultCache(tmp_path / "faces.sqlite") as cache:
        results = list(analyze_many([(i, data) for i in range(5)], config, workers=1, cache=cache))
        stored = cache._db.execute("SELECT COUNT(*) FROM face_results").fetchone()[0]
    assert stored == 1
    assert all(r == results[0][1] for _, r in results)


def test_the_cache_key_holds_engine_version_and_parameters(
    config: EngineConfig, tmp_path: Path
) -> None:
    data = SMALL[0].read_bytes()
    with FaceResultCache(tmp_path / "faces.sqlite") as cache:
        list(analyze_many([("a", data)], config, workers=1, cache=cache))
        other = EngineConfig(min_face_size=60, model_cache_dir=config.model_cache_dir)
        list(analyze_many([("a", data)], other, workers=1, cache=cache))
        assert cache.hits == 0
        keys = cache._db.execute("SELECT engine_version, parameters FROM face_results").fetchall()
    assert {k[0] for k in keys} == {ENGINE_VERSION}
    assert len({k[1] for k in keys}) == 2


def crash_on_poison(config: EngineConfig, chunk: list[tuple[bytes, str]]) -> list:
    """A worker task that dies like a native crash would, on one named input."""
    import os

    from venue_audit.faces.parallel import _worker_chunk

    if any(name == "poison" for _, name in chunk):
        os._exit(3)
    return _worker_chunk(config, chunk)


@pytest.mark.slow
def test_a_worker_that_dies_costs_only_the_input_that_killed_it(config: EngineConfig) -> None:
    from venue_audit.faces import AnalysisFailed
    from venue_audit.faces.parallel import FacePool

    good = items()[:5]
    inputs = [*good[:2], ("poison", b"\x89PNG poison"), *good[2:]]
    with FacePool(2, task=crash_on_poison) as pool:
        results = dict(analyze_many(inputs, config, chunk_size=2, pool=pool))
        # The pool was replaced and still serves the next batch.
        again = dict(analyze_many(good[:2], config, pool=pool))
    assert list(results) == [k for k, _ in inputs]
    assert isinstance(results["poison"], AnalysisFailed)
    assert all(isinstance(results[k], ImageAnalysis) for k, _ in good)
    assert all(isinstance(r, ImageAnalysis) for r in again.values())


def test_a_shared_pool_serves_several_batches_like_a_fresh_one(config: EngineConfig) -> None:
    from venue_audit.faces import face_pool

    inputs = items()[:4]
    with face_pool(2) as pool:
        first = list(analyze_many(inputs[:2], config, pool=pool))
        second = list(analyze_many(inputs[2:], config, pool=pool))
    alone = list(analyze_many(inputs, config, workers=1))
    assert all(same(a, b) for (_, a), (_, b) in zip(first + second, alone, strict=True))
