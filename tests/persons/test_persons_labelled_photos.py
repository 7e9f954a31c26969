"""Distinct persons on real dlib embeddings of the labelled photos in tests/data/faces."""

from __future__ import annotations

import numpy as np

from venue_audit.persons import cluster_space, pairwise_score
from venue_audit.persons.knn import knn_graph
from venue_audit.persons.linkage import components


def _naive_count(embeddings: np.ndarray, threshold: float) -> int:
    """Single-threshold clustering: connected components of all pairs closer than threshold."""
    graph = knn_graph(embeddings, embeddings.shape[0])
    a, b, _ = graph.edges(threshold)
    return int(np.unique(components(embeddings.shape[0], a, b)).size)


def test_single_face_photos_give_one_person_per_identity(labelled_faces):
    keep = [i for i, identity in enumerate(labelled_faces.identities) if identity]
    truth = np.unique(np.array(labelled_faces.identities)[keep], return_inverse=True)[1]
    result = cluster_space(labelled_faces.embeddings[keep])
    assert result.n_persons == 6
    assert pairwise_score(truth, result.labels).f1 == 1.0


def test_naive_threshold_at_half_splits_a_person_that_average_linkage_keeps(labelled_faces):
    # alex_lacamoire/3.png is 0.52-0.53 from his other two photos: 0.5 splits him off.
    keep = [i for i, identity in enumerate(labelled_faces.identities) if identity]
    embeddings = labelled_faces.embeddings[keep]
    assert _naive_count(embeddings, 0.5) == 7
    result = cluster_space(embeddings)
    alex = [i for i, k in enumerate(keep) if labelled_faces.identities[k] == "alex_lacamoire"]
    assert len(alex) == 3
    assert np.unique(result.labels[alex]).size == 1


def test_faces_of_group_photos_join_the_persons_seen_alone(labelled_faces):
    result = cluster_space(labelled_faces.embeddings)
    person_of = {}
    for label, identity in zip(result.labels, labelled_faces.identities, strict=True):
        if identity:
            person_of.setdefault(identity, set()).add(int(label))
    assert all(len(labels) == 1 for labels in person_of.values())
    # Biden appears in two group photos, Obama in two, Kit and Rose together in one; the third face
    # of obama_and_biden.jpg matches nobody and is a seventh person.
    assert result.n_persons == 7
    group = [i for i, p in enumerate(labelled_faces.paths) if p.startswith("multi/")]
    named = {int(next(iter(v))) for v in person_of.values()}
    strangers = {int(result.labels[i]) for i in group} - named
    assert len(strangers) == 1
    assert result.interval[0] <= 7 <= result.interval[1]
    assert result.lower_bound <= 7


def test_a_person_key_joins_faces_the_model_tells_apart(labelled_faces):
    identities = labelled_faces.identities
    obama = identities.index("obama")
    biden = identities.index("biden")
    apart = cluster_space(labelled_faces.embeddings)
    linked = cluster_space(labelled_faces.embeddings, must_link=[(obama, biden)])
    assert apart.labels[obama] != apart.labels[biden]
    assert linked.labels[obama] == linked.labels[biden]
    assert linked.n_persons == apart.n_persons - 1
