"""The named predicates a rule in rules.toml can use.

Each condition reads CaseFacts with the parameters its rule gives and returns
a Hit (how many, which persons, which artifacts) or None when it does not
apply. New conditions are added here with :func:`condition`; the rule table
refers to them by name only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from venue_audit.findings.facts import CaseFacts


@dataclass
class Hit:
    count: int
    person_ids: list[str] = field(default_factory=list)
    locators: list[str] = field(default_factory=list)


Condition = Callable[..., Hit | None]
CONDITIONS: dict[str, Condition] = {}

_LISTS = ("raw_images_kept", "offsite_transfers", "residual_after_deletion")


def condition(name: str) -> Callable[[Condition], Condition]:
    def register(function: Condition) -> Condition:
        CONDITIONS[name] = function
        return function

    return register


def _locators_of(facts: CaseFacts, person_ids: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for person_id in person_ids:
        seen.update(dict.fromkeys(facts.person_locators.get(person_id, [])))
    return list(seen)


def _persons_hit(facts: CaseFacts, person_ids: list[str]) -> Hit | None:
    if not person_ids:
        return None
    return Hit(len(person_ids), list(person_ids), _locators_of(facts, person_ids))


@condition("persons_with_status")
def persons_with_status(facts: CaseFacts, *, status: str) -> Hit | None:
    """Persons whose consent status is ``status``."""
    return _persons_hit(facts, facts.persons_by_status.get(status, []))


@condition("persons_with_flag")
def persons_with_flag(facts: CaseFacts, *, flag: str) -> Hit | None:
    """Persons carrying ``flag``."""
    return _persons_hit(facts, facts.persons_by_flag.get(flag, []))


@condition("locators_listed")
def locators_listed(facts: CaseFacts, *, source: str, min_count: int = 1) -> Hit | None:
    """Artifacts or log events in one of the CaseFacts lists, at least ``min_count`` of them."""
    if source not in _LISTS:
        raise KeyError(f"unknown list {source!r}; known: {', '.join(_LISTS)}")
    locators = getattr(facts, source)
    unique = [*dict.fromkeys(locators)]
    if len(unique) < max(min_count, 1):
        return None
    return Hit(len(unique), [], unique)


@condition("count_at_least")
def count_at_least(facts: CaseFacts, *, measure: str, threshold: int) -> Hit | None:
    """A named count (see ``CaseFacts.measure``) at or over ``threshold``."""
    value = facts.measure(measure)
    return Hit(value) if value >= threshold else None
