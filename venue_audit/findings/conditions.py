"""The named predicates a rule in rules.toml can use.

Each condition reads CaseFacts with the parameters its rule gives and returns
a Hit (how many, which persons, which artifacts) or None when it does not
apply. New conditions are added here with :func:`condition`; the rule table
refers to them by name only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from venue_audit.findings.facts import CaseFacts


@dataclass
class Hit:
    count: int
    person_ids: list[str] = field(default_factory=list)
    locators: list[str] = field(default_factory=list)
    # the conduct the finding rests on: first and last capture (or event) date, when known
    first: date | None = None
    last: date | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    unit: str = "persons"  # what ``count`` counts: persons, records, items (locations), log_lines


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


def _span(periods: Iterable[tuple[date | None, date | None]]) -> tuple[date | None, date | None]:
    periods = list(periods)
    firsts = [first for first, _ in periods if first is not None]
    lasts = [last for _, last in periods if last is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _persons_hit(facts: CaseFacts, person_ids: list[str]) -> Hit | None:
    if not person_ids:
        return None
    first, last = _span(facts.person_periods[p] for p in person_ids if p in facts.person_periods)
    return Hit(len(person_ids), list(person_ids), _locators_of(facts, person_ids), first, last)


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
    first, last = facts.list_periods.get(source, (None, None))
    return Hit(len(unique), [], unique, first, last, unit="items")


@condition("offsite_copies")
def offsite_copies(facts: CaseFacts) -> Hit | None:
    """Venue faces found in off-site stores (copies or the same persons), or upload log lines.

    The copy is the transfer: content alone proves it, logs only add when and where to.
    The count is the venue records found off-site; with none, the upload events logged.
    """
    stores = [s for s in facts.offsite_stores if s.copies or s.matches]
    if not stores and not facts.offsite_transfers:
        return None
    locators = [loc for s in stores for loc in s.locators] + list(facts.offsite_transfers)
    first, last = _span(
        [(s.first, s.last) for s in stores] + [facts.list_periods.get("offsite_transfers", (None, None))]
    )
    copies = sum(s.copies + s.matches for s in stores)
    return Hit(
        copies or len(facts.offsite_transfers),
        [],
        [*dict.fromkeys(locators)],
        first,
        last,
        {
            "stores": [s.as_dict() for s in stores],
            "log_lines": len(facts.offsite_transfers),
            "counted": "records" if copies else "log_lines",
        },
        "records" if copies else "log_lines",
    )


@condition("count_at_least")
def count_at_least(facts: CaseFacts, *, measure: str, threshold: int) -> Hit | None:
    """A named count (see ``CaseFacts.measure``) at or over ``threshold``."""
    value = facts.measure(measure)
    unit = "persons" if measure == "distinct_persons" or measure.startswith(("status:", "flag:")) else "records"
    return Hit(value, unit=unit) if value >= threshold else None
