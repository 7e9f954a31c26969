"""Pairwise precision, recall and F1 of a clustering against a known truth.

Pair counting is the measure the issue sets (pairwise F1 >= 0.98): it weighs a wrongly merged pair
of large persons as heavily as it should, where a per-cluster purity would hide it. Computed from
the contingency table, never by enumerating pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairwiseScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pairs(labels: np.ndarray) -> int:
    _, counts = np.unique(labels, return_counts=True)
    counts = counts.astype(np.int64)
    return int(np.sum(counts * (counts - 1) // 2))


def pairwise_score(truth: np.ndarray, predicted: np.ndarray) -> PairwiseScore:
    """Pair-counting scores; with no pairs on a side its ratio is 1 (nothing to get wrong)."""
    truth = np.asarray(truth, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if truth.shape != predicted.shape:
        raise ValueError(f"truth has {truth.size} labels, prediction {predicted.size}")
    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(predicted, return_inverse=True)
    joint = t.astype(np.int64) * (int(p.max(initial=0)) + 1) + p
    correct, true_pairs, pred_pairs = _pairs(joint), _pairs(t), _pairs(p)
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScore(precision, recall, f1, true_pairs, pred_pairs, correct)
