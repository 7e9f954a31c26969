"""The person count behind the groups: small groups weighed as fragments or people seen once."""

from __future__ import annotations

import numpy as np

from venue_audit.persons.uncertainty import (
    MERGE_LIMIT,
    NEAR_REFERENCE,
    PRIOR_CROWDING,
    RESIDUALS,
    chance_shift,
    crowding,
    estimate_count,
    fragment_probability,
)

# 60 returning people (groups of 5) and 40 lone faces
SIZES = np.array([5] * 60 + [1] * 40)


def test_a_lone_face_near_a_returning_persons_group_is_more_likely_their_fragment():
    near = fragment_probability(np.array([5, 5, 1]), np.array([np.inf, np.inf, -2.7]))
    far = fragment_probability(np.array([5, 5, 1]), np.array([np.inf, np.inf, -1.0]))
    none = fragment_probability(np.array([5, 5, 1]), np.array([np.inf, np.inf, np.inf]))
    assert near[2] > far[2] >= none[2]
    assert near[0] == 0.0  # a group of five faces is never taken for a fragment


def test_where_people_come_back_small_groups_are_more_often_fragments():
    returning = fragment_probability(np.array([5] * 9 + [1]), np.full(10, -2.5))
    seen_once = fragment_probability(np.array([5] + [1] * 9), np.full(10, -2.5))
    assert returning[-1] > 0.5 > seen_once[-1]


def test_the_estimate_counts_lone_faces_close_to_returning_people_as_fewer_persons():
    close = estimate_count(SIZES, np.r_[np.full(60, np.inf), np.full(40, -2.8)])
    far = estimate_count(SIZES, np.r_[np.full(60, np.inf), np.full(40, -0.5)])
    assert close.estimate < far.estimate <= SIZES.size + 60 * 0.1
    assert close.estimate >= 60


def test_the_interval_holds_the_estimate_widened_by_the_measured_residuals():
    counted = estimate_count(SIZES, np.full(SIZES.size, -2.0))
    low, high = counted.interval
    assert low <= counted.estimate <= high
    assert low <= counted.estimate * (1 + RESIDUALS[0])
    assert high >= counted.estimate * (1 + RESIDUALS[1])
    assert counted.lower_bound <= low


def test_one_group_is_one_person():
    counted = estimate_count(np.array([1]))
    assert (counted.estimate, counted.interval, counted.lower_bound) == (1, (1, 1), 1)


def test_the_interval_reaches_the_count_with_no_fragment_at_all():
    """Lone faces all taken for fragments (many people near each other) cannot push the truth out."""
    sizes = np.array([4] * 600 + [1] * 400)
    counted = estimate_count(sizes, np.full(sizes.size, -3.0))
    assert counted.estimate < 700  # the model takes most lone faces for fragments
    assert counted.interval[1] >= sizes.size  # yet 1,000 persons stay inside the interval
    assert counted.lower_bound <= counted.estimate


def test_a_crowded_case_hides_more_persons_in_its_groups():
    """Many returning groups just short of merging: as many pairs fell just inside the limit."""
    sizes = np.array([4] * 3000 + [1] * 1000)
    crowded = np.full(sizes.size, MERGE_LIMIT + 0.2)
    sparse = np.full(sizes.size, MERGE_LIMIT + 2.0)
    assert crowding(sizes, crowded) > 3 * crowding(sizes, sparse)
    dense, open_ = estimate_count(sizes, None, crowded), estimate_count(sizes, None, sparse)
    assert dense.estimate > open_.estimate
    assert dense.interval[1] > open_.interval[1] > sizes.size


def test_a_small_case_keeps_the_merge_rate_measured_on_faces_dev():
    """Seventy people say too little about crowding: their near misses hardly move the prior."""
    sizes = np.array([4] * 50 + [1] * 20)
    crowded = crowding(sizes, np.full(sizes.size, MERGE_LIMIT + 0.2))
    sparse = crowding(sizes, np.full(sizes.size, np.inf))
    assert sparse < PRIOR_CROWDING < crowded < 1.25 * PRIOR_CROWDING
    assert crowding(sizes, None) == PRIOR_CROWDING


def test_where_everybody_has_a_neighbour_by_chance_nearness_says_less_about_fragments():
    """A lone face 2.5 spreads from a returning group is telling where returning groups are
    usually 1.5 apart, and much less where they are usually 2.4 apart (a crowded case)."""
    sizes = np.array([4] * 3000 + [1] * 1000)
    crowded = np.r_[np.full(3000, -2.4), np.full(1000, -2.5)]
    sparse = np.r_[np.full(3000, NEAR_REFERENCE), np.full(1000, -2.5)]
    assert chance_shift(sizes, crowded) < -0.5 < chance_shift(sizes, sparse) == 0.0
    assert fragment_probability(sizes, crowded)[-1] < fragment_probability(sizes, sparse)[-1]
    small = np.r_[np.full(60, -2.4), np.full(40, -2.5)]  # seventy people: faces_dev's scale holds
    assert abs(chance_shift(SIZES, small)) < 0.1
