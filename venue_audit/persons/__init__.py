"""Distinct persons: clustering faces and templates of each embedding space into individuals.

The count of persons (人数) sizes a violation and decides duties (100,000 persons triggers filing
under the 2025 face-recognition Measures), so it is reported with its method, parameters, seed and
a confidence band, and tested against planted sets whose true count is known.
"""

from venue_audit.persons.clustering import (
    ClusteringResult,
    InvalidEmbeddings,
    cluster_all,
    cluster_space,
)
from venue_audit.persons.config import ClusteringConfig, config_for_space
from venue_audit.persons.scoring import PairwiseScore, pairwise_score
from venue_audit.persons.synthetic import PlantedSet, PlantedSpec, make_planted_set

__all__ = [
    "ClusteringConfig",
    "ClusteringResult",
    "InvalidEmbeddings",
    "PairwiseScore",
    "PlantedSet",
    "PlantedSpec",
    "cluster_all",
    "cluster_space",
    "config_for_space",
    "make_planted_set",
    "pairwise_score",
]
