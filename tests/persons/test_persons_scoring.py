"""Pairwise precision/recall/F1: the measure the person counts are judged by."""

from __future__ import annotations

import numpy as np
import pytest

from venue_audit.persons import pairwise_score


def test_identical_partitions_score_one_whatever_the_label_names():
    score = pairwise_score(np.array([0, 0, 1, 1, 2]), np.array([7, 7, 3, 3, 9]))
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_merging_two_persons_costs_precision_not_recall():
    # truth pairs: (0,1), (2,3) -> 2; predicted one cluster of 4 -> 6 pairs, 2 correct
    score = pairwise_score(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 0]))
    assert score.recall == 1.0
    assert score.precision == pytest.approx(2 / 6)
    assert score.f1 == pytest.approx(2 * (1 / 3) / (1 + 1 / 3))


def test_splitting_a_person_costs_recall_not_precision():
    score = pairwise_score(np.array([0, 0, 0, 0]), np.array([0, 0, 1, 1]))
    assert score.precision == 1.0
    assert score.recall == pytest.approx(2 / 6)


def test_all_singletons_have_nothing_to_get_wrong():
    score = pairwise_score(np.arange(5), np.arange(5))
    assert score.f1 == 1.0 and score.true_pairs == 0


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="truth has 3 labels"):
        pairwise_score(np.zeros(3), np.zeros(4))
