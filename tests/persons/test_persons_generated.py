"""Planted sets whose true answer is known: the fixed-threshold path, structure, scale invariance.

Planted vectors imitate dlib's geometry only roughly, so the adaptive dlib method's *counts* are
specified on real labelled faces (test_persons_labelled_photos.py, scripts/bench_persons.py);
here planted sets specify the fixed-threshold path other spaces use, and what must hold for any
method: duplicates, must-links, determinism, approximate search, bad input.
"""

from __future__ import annotations

import numpy as np
import pytest

from venue_audit.persons import (
    ClusteringConfig,
    InvalidEmbeddings,
    cluster_all,
    cluster_space,
    make_planted_set,
    pairwise_score,
)
from venue_audit.persons.knn import knn_graph
from venue_audit.persons.linkage import components


def _naive_labels(embeddings: np.ndarray, threshold: float) -> np.ndarray:
    """Single-threshold clustering (connected components of the 30-NN graph under threshold)."""
    graph = knn_graph(embeddings, 30)
    a, b, _ = graph.edges(threshold)
    return components(embeddings.shape[0], a, b)


FIXED = ClusteringConfig(adaptive=False)  # the path of calibrated non-dlib spaces


@pytest.fixture(scope="module")
def planted():
    return make_planted_set(n_persons=1500, seed=11)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_person_count_is_exact_on_planted_sets(seed):
    planted = make_planted_set(n_persons=1200, seed=seed)
    result = cluster_space(planted.embeddings, config=FIXED)
    assert result.n_persons == planted.n_persons
    assert pairwise_score(planted.truth, result.labels).f1 >= 0.98


def test_planted_set_defeats_naive_thresholds_in_both_directions(planted):
    # The set is hard on purpose: 0.6 merges near identities, 0.5 splits outlier captures.
    merged = _naive_labels(planted.embeddings, 0.6)
    split = _naive_labels(planted.embeddings, 0.5)
    assert pairwise_score(planted.truth, merged).precision < 1.0
    assert pairwise_score(planted.truth, split).recall < 1.0
    result = cluster_space(planted.embeddings, config=FIXED)
    score = pairwise_score(planted.truth, result.labels)
    assert result.n_persons == planted.n_persons
    assert score.f1 > pairwise_score(planted.truth, merged).f1
    assert score.f1 > pairwise_score(planted.truth, split).f1


def test_outlier_captures_stay_with_their_person(planted):
    result = cluster_space(planted.embeddings, config=FIXED)
    assert planted.outliers.size > 10
    for row in planted.outliers:
        same = np.flatnonzero(planted.truth == planted.truth[row])
        assert np.unique(result.labels[same]).size == 1


def test_near_identities_stay_apart(planted):
    result = cluster_space(planted.embeddings, config=FIXED)
    assert planted.twins.shape[0] >= 5
    for a, b in planted.twins:
        assert set(result.labels[planted.truth == a]).isdisjoint(result.labels[planted.truth == b])


def test_labels_number_persons_by_first_row_and_repeat_exactly(planted):
    first = cluster_space(planted.embeddings, config=FIXED)
    again = cluster_space(planted.embeddings, config=FIXED)
    assert np.array_equal(first.labels, again.labels)
    assert first.labels[0] == 0
    _, first_rows = np.unique(first.labels, return_index=True)
    assert np.all(np.diff(first_rows) > 0)
    assert first.labels.dtype == np.int64
    assert first.cluster_sizes.sum() == planted.truth.size


def test_row_order_does_not_change_the_partition(planted):
    order = np.random.default_rng(5).permutation(planted.truth.size)
    for config in (None, FIXED):
        shuffled = cluster_space(planted.embeddings[order], config=config)
        original = cluster_space(planted.embeddings, config=config)
        assert pairwise_score(original.labels[order], shuffled.labels).f1 == 1.0


def test_exact_duplicates_count_once_and_change_nothing():
    plain = make_planted_set(n_persons=600, seed=4)
    doubled = make_planted_set(n_persons=600, seed=4, duplicate_rate=0.3)
    result = cluster_space(doubled.embeddings, config=FIXED)
    assert doubled.duplicates.shape[0] > 100
    assert result.n_persons == plain.n_persons == doubled.n_persons
    assert result.stats["distinct_vectors"] == doubled.truth.size - doubled.duplicates.shape[0]
    for a, b in doubled.duplicates:
        assert result.labels[a] == result.labels[b]


def test_a_person_key_joins_two_looks_of_one_person():
    # One visitor enrolled without and with a mask: two tight, far apart groups of captures that
    # a store links by the same visitor_id.
    rng = np.random.default_rng(0)
    look_a = rng.normal(0, 0.02, (6, 128)).astype(np.float32) + 0.1
    look_b = rng.normal(0, 0.02, (6, 128)).astype(np.float32) - 0.1
    embeddings = np.concatenate([look_a, look_b])
    assert cluster_space(embeddings).n_persons == 2
    linked = cluster_space(embeddings, must_link=[(0, 6)])
    assert linked.n_persons == 1
    assert linked.stats["must_links"] == 1


def test_approximate_index_agrees_with_exact_search(planted):
    exact = cluster_space(planted.embeddings, config=FIXED)
    approximate = cluster_space(
        planted.embeddings, config=FIXED.with_(exact_limit=1000, cells=64, probes=4)
    )
    assert approximate.parameters["index"].startswith("kmeans64-cells")
    assert approximate.n_persons == exact.n_persons
    assert pairwise_score(exact.labels, approximate.labels).f1 >= 0.999


def test_cosine_space_ignores_vector_length_and_matches_euclidean_on_the_sphere(planted):
    unit = planted.embeddings / np.linalg.norm(planted.embeddings, axis=1, keepdims=True)
    euclid = ClusteringConfig(adaptive=False, link_threshold=0.5, merge_threshold=0.6)
    # |x - y| = t on unit vectors  <=>  cosine distance = t² / 2
    cosine = ClusteringConfig(
        space="arcface",
        metric="cosine",
        adaptive=False,
        link_threshold=0.125,
        merge_threshold=0.18,
    )
    scaled = unit * np.random.default_rng(1).uniform(0.5, 20, (unit.shape[0], 1))
    by_cosine = cluster_space(scaled.astype(np.float32), config=cosine)
    by_euclid = cluster_space(unit.astype(np.float32), config=euclid)
    assert pairwise_score(by_euclid.labels, by_cosine.labels).f1 >= 0.999
    assert by_cosine.parameters["metric"] == "cosine"


def test_spaces_are_clustered_apart_and_never_mixed():
    dlib_set = make_planted_set(n_persons=300, seed=8)
    other = make_planted_set(n_persons=200, seed=9, dim=512)
    results = cluster_all(
        {
            "dlib": (dlib_set.embeddings, []),
            "vendor-x": (dlib_set.embeddings[:50], []),  # same numbers, unknown model
            "arcface-512": (other.embeddings, [(0, 1)]),
        }
    )
    assert set(results) == {"dlib", "vendor-x", "arcface-512"}
    assert results["dlib"].parameters["adaptive"]
    assert results["dlib"].labels.size == dlib_set.truth.size
    assert results["vendor-x"].labels.size == 50
    assert results["arcface-512"].parameters["metric"] == "cosine"
    assert not results["vendor-x"].parameters["calibrated"]
    assert "never by distance" in results["vendor-x"].method
    # an unknown model's templates are joined by evidence keys only: 50 vectors, 50 groups
    assert results["vendor-x"].n_persons == 50


def test_result_describes_its_method_for_the_report(planted):
    result = cluster_space(planted.embeddings)
    assert "average linkage" in result.method and "Seed 0" in result.method
    assert "impostor scale calibrated from the evidence" in result.method
    assert result.parameters["merge_spreads"] == -2.8
    assert result.parameters["index"] == "exact"
    assert result.lower_bound <= result.interval[0] <= result.estimate <= result.interval[1]
    assert result.cluster_separation.shape == (result.n_persons,)
    assert np.all(result.cluster_radius[result.cluster_sizes == 1] == 0)


@pytest.mark.parametrize(
    ("embeddings", "must_link", "message"),
    [
        (np.zeros(128, dtype=np.float32), [], "2-D"),
        (np.array([[0.1] * 4, [np.nan] * 4], dtype=np.float32), [], "row 1"),
        (np.ones((3, 4), dtype=np.float32), [(0, 3)], "outside 0..2"),
    ],
)
def test_bad_input_is_a_typed_error_that_says_where(embeddings, must_link, message):
    with pytest.raises(InvalidEmbeddings, match=message):
        cluster_space(embeddings, must_link)


def test_zero_vector_has_no_cosine_direction():
    with pytest.raises(InvalidEmbeddings, match="row 0"):
        cluster_space(np.zeros((2, 8), dtype=np.float32), metric="cosine")


def test_no_faces_no_persons_and_one_face_one_person():
    assert cluster_space(np.zeros((0, 128), dtype=np.float32)).n_persons == 0
    one = cluster_space(np.ones((1, 128), dtype=np.float32))
    assert one.n_persons == 1 and one.labels.tolist() == [0] and one.interval == (1, 1)


def test_second_search_among_persons_recovers_pairs_the_approximate_graph_missed():
    planted = make_planted_set(n_persons=3000, seed=6)
    coarse = FIXED.with_(exact_limit=1000, cells=48, tables=1, probes=1)
    without = cluster_space(planted.embeddings, config=coarse.with_(refine=0))
    refined = cluster_space(planted.embeddings, config=coarse)
    assert without.n_persons > planted.n_persons  # one partition, one probe: splits persons
    assert abs(refined.n_persons - planted.n_persons) < (without.n_persons - planted.n_persons) / 2
    assert "One further k-NN search among the centroids" in refined.method
    assert pairwise_score(planted.truth, refined.labels).precision == 1.0


def test_the_adaptive_method_judges_each_set_on_its_own_scale(planted):
    # Grey, small or blurred captures crowd together: every distance shrinks. A fixed threshold
    # then merges people; the calibrated method sees the same partition. (Planted distances are
    # wider than dlib's: both copies are shrunk below the search bound REACH_CAP.)
    crowded = (planted.embeddings * 0.75).astype(np.float32)
    more = (planted.embeddings * 0.6).astype(np.float32)
    adaptive = cluster_space(crowded)
    same_scale = cluster_space(more)
    assert pairwise_score(adaptive.labels, same_scale.labels).f1 >= 0.99  # float rounding only
    assert abs(same_scale.n_persons - adaptive.n_persons) <= 0.01 * adaptive.n_persons
    fixed = cluster_space(crowded, config=FIXED)
    fixed_crowded = cluster_space(more, config=FIXED)
    assert fixed_crowded.n_persons < fixed.n_persons


def test_adaptive_approximate_index_agrees_with_exact_search(planted):
    crowded = (planted.embeddings * 0.75).astype(np.float32)  # within both search bounds
    exact = cluster_space(crowded)
    approximate = cluster_space(
        crowded, config=ClusteringConfig(exact_limit=1000, cells=64, probes=4)
    )
    assert approximate.parameters["index"].startswith("kmeans64-cells")
    assert pairwise_score(exact.labels, approximate.labels).f1 >= 0.99
