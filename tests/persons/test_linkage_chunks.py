"""The linkage statistics are worked on in chunks of rows to bound memory; chunks change nothing."""

from __future__ import annotations

import numpy as np

from venue_audit.persons.linkage import ClusterStats, agglomerate


def test_statistics_and_linkage_are_bit_identical_whatever_the_chunk() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    labels = rng.permutation(np.arange(300) % 120)  # every cluster has members
    a, b = rng.integers(0, 60, size=500), rng.integers(0, 60, size=500)  # clusters that remain
    keep, gone = np.arange(0, 60), np.arange(60, 120)

    whole = ClusterStats.of(vectors, labels, 120)
    small = ClusterStats.of(vectors, labels, 120)
    whole.merge_into(keep, gone, chunk=1 << 20)
    small.merge_into(keep, gone, chunk=7)

    assert np.array_equal(whole.total, small.total)
    assert np.array_equal(whole.count, small.count)
    assert np.array_equal(whole.rms_linkage(a, b, chunk=1 << 20), small.rms_linkage(a, b, chunk=5))


def test_agglomeration_of_many_clusters_merges_each_pair_of_neighbours_once() -> None:
    # 40,000 single faces in 20,000 tight pairs: more rows than one chunk, same answer.
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(20_000, 8)) * 10
    vectors = np.repeat(centres, 2, axis=0) + rng.normal(scale=0.01, size=(40_000, 8))
    pairs = np.arange(0, 40_000, 2)
    merged = agglomerate(vectors.astype(np.float32), np.arange(40_000), pairs, pairs + 1, 1.0)
    assert merged.merges == 20_000
    assert np.array_equal(merged.labels[pairs], merged.labels[pairs + 1])
    assert np.unique(merged.labels).size == 20_000
