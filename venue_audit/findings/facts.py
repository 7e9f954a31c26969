"""What the findings are judged on: the counts and lists a finished scan produced.

CaseFacts is plain data so that the rule table can be tested, and re-run by a
reviewer, without a case database: every list holds person ids or artifact
locators (``store X, table Y, row 12``) that a finding passes on to the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol


class _Assessment(Protocol):
    def persons_with_status(self, status: str) -> list[str]: ...
    def persons_with_flag(self, flag: str) -> list[str]: ...
    @property
    def by_status(self) -> dict[str, int]: ...
    @property
    def by_flag(self) -> dict[str, int]: ...


@dataclass
class OffsiteStore:
    """A store outside the venue (cloud export, backup from a cloud path, a second host)."""

    store: str
    why: str  # "marked" by the examiner, or the path words that made the tool recognise it
    copies: int = 0  # records byte-identical to a venue record
    matches: int = 0  # other records whose faces are persons seen at the venue
    other: int = 0  # face records here that match nothing at the venue
    locators: list[str] = field(default_factory=list)
    first: date | None = None
    last: date | None = None

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["first"] = self.first.isoformat() if self.first else None
        values["last"] = self.last.isoformat() if self.last else None
        values["locators"] = self.locators[:1000]
        return values


@dataclass
class CaseFacts:
    distinct_persons: int = 0
    records: int = 0
    as_of: date | None = None
    persons_by_status: dict[str, list[str]] = field(default_factory=dict)
    persons_by_flag: dict[str, list[str]] = field(default_factory=dict)
    # person id -> locators of that person's live artifacts, for findings about persons
    person_locators: dict[str, list[str]] = field(default_factory=dict)
    # face images kept although the same store holds templates for them
    raw_images_kept: list[str] = field(default_factory=list)
    # log events showing face data sent to a cloud or remote host
    offsite_transfers: list[str] = field(default_factory=list)
    # data found again after a deletion the venue claimed (verify-deletion)
    residual_after_deletion: list[str] = field(default_factory=list)
    # off-site stores and what of the venue's faces they hold
    offsite_stores: list[OffsiteStore] = field(default_factory=list)
    # person id -> (first, last) capture date; list name -> (first, last) event date
    person_periods: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    list_periods: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)

    def measure(self, name: str) -> int:
        """A named count for threshold rules."""
        if name == "distinct_persons":
            return self.distinct_persons
        if name == "records":
            return self.records
        if name.startswith("status:"):
            return len(self.persons_by_status.get(name.removeprefix("status:"), []))
        if name.startswith("flag:"):
            return len(self.persons_by_flag.get(name.removeprefix("flag:"), []))
        values = getattr(self, name, None)
        if isinstance(values, list):
            return len(values)
        raise KeyError(name)

    @classmethod
    def from_assessment(
        cls,
        assessment: _Assessment,
        *,
        distinct_persons: int | None = None,
        person_locators: Mapping[str, Iterable[str]] | None = None,
        raw_images_kept: Iterable[str] = (),
        offsite_transfers: Iterable[str] = (),
        residual_after_deletion: Iterable[str] = (),
        **more: Any,
    ) -> CaseFacts:
        """Facts from a consent assessment plus what the scan found elsewhere.

        ``distinct_persons`` defaults to the number of assessed persons, which
        is the same number when every live person was assessed.
        """
        by_status = {s: assessment.persons_with_status(s) for s in assessment.by_status}
        return cls(
            distinct_persons=(
                sum(len(v) for v in by_status.values())
                if distinct_persons is None
                else distinct_persons
            ),
            persons_by_status=by_status,
            persons_by_flag={f: assessment.persons_with_flag(f) for f in assessment.by_flag},
            person_locators={k: list(v) for k, v in (person_locators or {}).items()},
            raw_images_kept=list(raw_images_kept),
            offsite_transfers=list(offsite_transfers),
            residual_after_deletion=list(residual_after_deletion),
            **more,
        )
