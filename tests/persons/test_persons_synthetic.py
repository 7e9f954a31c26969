"""The planted-set generator: reproducible, and as hard as it claims to be."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from venue_audit.persons import PlantedSpec, make_planted_set


def test_same_seed_same_bytes_other_seed_other_set():
    a = make_planted_set(n_persons=200, seed=3)
    b = make_planted_set(PlantedSpec(n_persons=200, seed=3))
    c = make_planted_set(n_persons=200, seed=4)
    assert a.embeddings.tobytes() == b.embeddings.tobytes()
    assert np.array_equal(a.truth, b.truth)
    assert a.embeddings.shape != c.embeddings.shape or not np.array_equal(
        a.embeddings, c.embeddings
    )


def test_distances_resemble_dlib_same_person_below_half_others_above_point_six():
    planted = make_planted_set(n_persons=400, seed=1)
    distances = cdist(planted.embeddings, planted.embeddings)
    same = planted.truth[:, None] == planted.truth[None, :]
    upper = np.triu(np.ones_like(same), 1)
    normal = np.ones(planted.truth.size, dtype=bool)
    normal[planted.outliers] = False
    plain_same = same & upper & normal[:, None] & normal[None, :]
    assert np.mean(distances[plain_same] < 0.5) > 0.95
    assert np.mean(distances[~same & upper] > 0.6) > 0.999
    assert planted.embeddings.dtype == np.float32 and planted.embeddings.shape[1] == 128


def test_hard_cases_are_planted_where_naive_thresholds_fail():
    planted = make_planted_set(n_persons=2000, seed=2)
    x, truth = planted.embeddings, planted.truth
    # some outlier captures are farther than 0.5 from every other capture of their person
    lonely = 0
    for row in planted.outliers:
        mates = np.flatnonzero((truth == truth[row]) & (np.arange(truth.size) != row))
        lonely += cdist(x[[row]], x[mates]).min() > 0.5
    assert lonely > 0
    # some near identities have a cross pair under 0.6
    close = sum(cdist(x[truth == a], x[truth == b]).min() < 0.6 for a, b in planted.twins)
    assert close > 0
    assert np.all(np.diff(planted.outliers) > 0)


def test_captures_per_person_have_a_tail_of_regulars():
    planted = make_planted_set(n_persons=3000, seed=0)
    counts = np.bincount(planted.truth)
    assert counts.min() >= 1
    assert np.mean(counts == 1) > 0.15
    assert counts.max() >= 20
