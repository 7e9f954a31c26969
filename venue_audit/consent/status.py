"""One consent status per person, and the flags that qualify it.

The status is the first of these that applies (DESIGN.md, "Counting rules"):

1. ``no_consent``: no consent row signed on or before the as-of date is
   linked to the person (rows whose signed time cannot be read do not count).
2. ``withdrawn_retained``: every such consent was withdrawn on or before the
   as-of date, yet the person's data is still held.
3. ``expired_retained``: some live capture is more than ``retention_days``
   calendar days old at the as-of date (day counting in the case zone: a
   capture on 05-31 with 30 days' retention is still within its period on
   06-30 and expired on 07-01).
4. ``consented``.

Flags are independent of the status: ``captured_before_consent`` (the first
capture precedes the earliest signed consent; only when the policy requires
consent before capture) and ``purpose_mismatch`` (a consented or actual
purpose outside the policy's allowed purposes, or an actual purpose the
person never consented to).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from venue_audit.consent.linking import (
    ConsentLink,
    FaceEncoder,
    FaceMatcher,
    KeyLink,
    link_consents,
)
from venue_audit.consent.log import ConsentLog, ConsentRecord, LogProblem
from venue_audit.consent.policy import ConsentPolicy, PolicyError
from venue_audit.consent.timestamps import localise, zone

NO_CONSENT = "no_consent"
WITHDRAWN_RETAINED = "withdrawn_retained"
EXPIRED_RETAINED = "expired_retained"
CONSENTED = "consented"
STATUSES = (NO_CONSENT, WITHDRAWN_RETAINED, EXPIRED_RETAINED, CONSENTED)

CAPTURED_BEFORE_CONSENT = "captured_before_consent"
PURPOSE_MISMATCH = "purpose_mismatch"
FLAGS = (CAPTURED_BEFORE_CONSENT, PURPOSE_MISMATCH)


@dataclass
class PersonFacts:
    """What the scan knows about one distinct person with live data.

    ``keys`` maps a key kind (a database column such as ``visitor_id`` or
    ``phone``) to the values seen for this person; ``captures`` holds the
    capture times of live records (records with no known time are left out);
    ``purposes`` the purposes the data was actually used for, when known.
    """

    person_id: str
    keys: dict[str, set[str]] = field(default_factory=dict)
    captures: list[datetime] = field(default_factory=list)
    purposes: set[str] | None = None


@dataclass(frozen=True)
class Note:
    """One reason behind a person's status: the tool's sentence, and a code with the values
    the report needs to word it in its own language (:mod:`venue_audit.report.reasons`)."""

    text: str
    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class PersonStatus:
    person_id: str
    status: str
    flags: set[str]
    consent_ids: list[str]
    reason: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class AssessmentResult:
    as_of: date
    policy: ConsentPolicy
    statuses: list[PersonStatus]
    key_links: list[KeyLink]
    links: list[ConsentLink]
    unlinked_consents: list[str]
    problems: list[LogProblem]

    @property
    def by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for person in self.statuses:
            counts[person.status] += 1
        return counts

    @property
    def by_flag(self) -> dict[str, int]:
        counts = dict.fromkeys(FLAGS, 0)
        for person in self.statuses:
            for flag in person.flags:
                counts[flag] = counts.get(flag, 0) + 1
        return counts

    def persons_with_status(self, status: str) -> list[str]:
        return [p.person_id for p in self.statuses if p.status == status]

    def persons_with_flag(self, flag: str) -> list[str]:
        return [p.person_id for p in self.statuses if flag in p.flags]

    def status_of(self, person_id: str) -> PersonStatus:
        for person in self.statuses:
            if person.person_id == str(person_id):
                return person
        raise KeyError(person_id)


def _end_of(day: date, tz: tzinfo) -> datetime:
    """The first instant after ``day`` in the case zone: "as of" includes the whole day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _is_withdrawn(record: ConsentRecord, before: datetime) -> bool:
    return record.withdrawn and (record.withdrawn_at is None or record.withdrawn_at < before)


def _fmt(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _purpose_flag(
    facts: PersonFacts, consents: Sequence[ConsentRecord], policy: ConsentPolicy
) -> Note | None:
    consented = {p for record in consents for p in record.purposes}
    outside = ", ".join(sorted(p for p in consented if not policy.purpose_allowed(p)))
    if outside:
        return Note(
            f"consented purpose outside the policy: {outside}",
            "consent.note.purpose_outside_policy",
            {"purposes": outside},
        )
    used = {p.casefold() for p in facts.purposes or ()}
    not_allowed = ", ".join(sorted(p for p in used if not policy.purpose_allowed(p)))
    if not_allowed:
        return Note(
            f"used for a purpose outside the policy: {not_allowed}",
            "consent.note.used_outside_policy",
            {"purposes": not_allowed},
        )
    beyond = ", ".join(sorted(used - consented)) if consented else ""
    if beyond:
        return Note(
            f"used beyond the consented purposes: {beyond}",
            "consent.note.used_beyond_consent",
            {"purposes": beyond},
        )
    return None


def judge(
    facts: PersonFacts,
    consents: Sequence[ConsentRecord],
    policy: ConsentPolicy,
    as_of: date,
    tz: tzinfo,
) -> PersonStatus:
    """The status, flags and reason of one person given the consent rows linked to them."""
    cutoff = _end_of(as_of, tz)
    captures = sorted(localise(c, tz) for c in facts.captures)
    signed = [r for r in consents if r.signed_at is not None and r.signed_at < cutoff]
    active = [r for r in signed if not _is_withdrawn(r, cutoff)]
    consent_ids = [r.id for r in consents]
    flags: set[str] = set()
    notes: list[Note] = []

    if not signed:
        status = NO_CONSENT
        if not consents:
            notes.append(Note("no consent row linked", "consent.note.no_row"))
        elif any(r.signed_at is None for r in consents):
            notes.append(
                Note(
                    "linked consent rows have no readable signed time",
                    "consent.note.no_signed_time",
                )
            )
        else:
            notes.append(
                Note(
                    f"linked consent signed after the as-of date {as_of.isoformat()}",
                    "consent.note.signed_after",
                    {"as_of": as_of.isoformat()},
                )
            )
    elif not active:
        status = WITHDRAWN_RETAINED
        latest = signed[-1]
        for record in signed:
            if record.withdrawn_at and (
                latest.withdrawn_at is None or record.withdrawn_at > latest.withdrawn_at
            ):
                latest = record
        if latest.withdrawn_at:
            when = _fmt(latest.withdrawn_at, tz)
            notes.append(
                Note(
                    f"consent {latest.label} withdrawn at {when}; data still held",
                    "consent.note.withdrawn",
                    {"consent": latest.label, "when": when},
                )
            )
        else:
            notes.append(
                Note(
                    f"consent {latest.label} withdrawn at an unreadable time; data still held",
                    "consent.note.withdrawn_unknown_time",
                    {"consent": latest.label},
                )
            )
    else:
        expired = [
            c for c in captures if (as_of - c.astimezone(tz).date()).days > policy.retention_days
        ]
        if expired:
            status = EXPIRED_RETAINED
            values = {
                "count": len(expired),
                "days": policy.retention_days,
                "as_of": as_of.isoformat(),
                "oldest": _fmt(expired[0], tz),
            }
            notes.append(
                Note(
                    "{count} capture(s) older than {days} days at {as_of}, oldest {oldest}".format(
                        **values
                    ),
                    "consent.note.expired",
                    values,
                )
            )
        else:
            status = CONSENTED
            labels = ", ".join(r.label for r in active)
            notes.append(
                Note(f"covered by consent {labels}", "consent.note.covered", {"consents": labels})
            )

    if signed and captures and policy.consent_required_before_capture:
        first_signed = min(r.signed_at for r in signed if r.signed_at is not None)
        if captures[0] < first_signed:
            flags.add(CAPTURED_BEFORE_CONSENT)
            first, signed_at = _fmt(captures[0], tz), _fmt(first_signed, tz)
            notes.append(
                Note(
                    f"first capture {first} before consent signed {signed_at}",
                    "consent.note.captured_before",
                    {"first": first, "signed": signed_at},
                )
            )
    purpose_note = _purpose_flag(facts, signed, policy)
    if purpose_note:
        flags.add(PURPOSE_MISMATCH)
        notes.append(purpose_note)
    reason = "; ".join(note.text for note in notes)
    return PersonStatus(str(facts.person_id), status, flags, consent_ids, reason, notes)


def assess(
    persons: Iterable[PersonFacts],
    consent_log: ConsentLog,
    policy: ConsentPolicy,
    links: Iterable[tuple[str, str]] = (),
    face_matcher: FaceMatcher | None = None,
    *,
    face_encoder: FaceEncoder | None = None,
    tz: str | tzinfo | None = None,
) -> AssessmentResult:
    """Link the consent log to the persons and give each person exactly one status.

    ``links`` are explicit (person key kind, log column) pairs, as from
    ``--link``. ``face_matcher`` maps an enrolment embedding to a person id;
    ``face_encoder`` turns an enrolment photo into an embedding.
    """
    if policy.as_of is None:
        raise PolicyError("the as-of date is not set (use --as-of or as_of in the policy)")
    persons = list(persons)
    ids = [str(p.person_id) for p in persons]
    if len(set(ids)) != len(ids):
        raise ValueError("person ids must be unique")
    case_zone = zone(tz)
    linked = link_consents(persons, consent_log, links, face_matcher, face_encoder)
    records = consent_log.by_id()
    consents_of = linked.consents_of()
    statuses = [
        judge(
            person,
            [records[c] for c in consents_of.get(str(person.person_id), [])],
            policy,
            policy.as_of,
            case_zone,
        )
        for person in persons
    ]
    linked_ids = {link.consent_id for link in linked.links}
    return AssessmentResult(
        as_of=policy.as_of,
        policy=policy,
        statuses=statuses,
        key_links=linked.key_links,
        links=linked.links,
        unlinked_consents=[r.id for r in consent_log.records if r.id not in linked_ids],
        problems=[*consent_log.problems, *linked.problems],
    )
