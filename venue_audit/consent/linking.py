"""Linking consent rows to persons, by subject key and by face.

A key link pairs a person key kind (a column of the venue's database, such as
``visitor_id``) with a consent-log column. Pairs are found three ways, the
first winning: the examiner names them (``--link visitor_id=访客编号``); the
log header names the same kind of key and at least one value agrees (phone
numbers and their hashes agree through :mod:`subject_keys`); or an unnamed
column's values agree with a person key kind often enough that chance is ruled
out. Every pair is reported with how it was found, so the examiner can check.

A face link compares the face enrolled with a consent row against the person
clusters through an injected matcher, the same one (and the same threshold)
that built the clusters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from venue_audit.consent import headers as header_table
from venue_audit.consent.log import ConsentLog, ConsentRecord, LogProblem
from venue_audit.consent.subject_keys import match_tokens
from venue_audit.errors import UsageError

# A face embedding in, the matching person's id (or None) out.
FaceMatcher = Callable[[Sequence[float]], "str | None"]
# Photo bytes in, the embedding of its one clear face (or None) out.
FaceEncoder = Callable[[bytes], "Sequence[float] | None"]

# Value-only links (column names that say nothing) need this much agreement.
MIN_VALUE_MATCHES = 3
MIN_VALUE_SHARE = 0.3
MIN_VALUE_LENGTH = 4

_FAMILIES = ({"phone", "phone_hash"}, {"id_number", "id_hash"})
# Recognised columns that never identify a person on their own (names repeat);
# an explicit link may still use them.
_NOT_KEYS = {"signed_at", "withdrawn_at", "purpose", "name", "photo", "template"}


class LinkError(UsageError, ValueError):
    """An explicit link that names a column the consent log does not have."""


class _PersonKeys(Protocol):
    person_id: str
    keys: Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class KeyLink:
    person_kind: str
    log_column: str
    method: str
    matched_rows: int

    def describe(self) -> str:
        return f"{self.person_kind}={self.log_column} ({self.method}, {self.matched_rows} rows)"


@dataclass(frozen=True)
class ConsentLink:
    consent_id: str
    person_id: str
    method: str


@dataclass
class LinkResult:
    key_links: list[KeyLink] = field(default_factory=list)
    links: list[ConsentLink] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)

    def consents_of(self) -> dict[str, list[str]]:
        """person id -> consent ids, each once, in log order."""
        result: dict[str, list[str]] = defaultdict(list)
        for link in self.links:
            if link.consent_id not in result[link.person_id]:
                result[link.person_id].append(link.consent_id)
        return dict(result)


def parse_link(spec: str) -> tuple[str, str]:
    """``DB_COL=LOG_COL`` as given on the command line."""
    person_kind, sep, log_column = spec.partition("=")
    if not sep or not person_kind.strip() or not log_column.strip():
        raise LinkError(f"--link must look like DB_COL=LOG_COL, not {spec!r}")
    return person_kind.strip(), log_column.strip()


def _names_agree(person_kind: str, log_field: str | None) -> bool:
    if log_field is None:
        return False
    person_field = header_table.field_for(person_kind) or person_kind
    if person_field == log_field:
        return True
    return any(person_field in family and log_field in family for family in _FAMILIES)


def _person_index(persons: Iterable[_PersonKeys]) -> dict[str, dict[str, set[str]]]:
    """kind -> token -> person ids."""
    index: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for person in persons:
        for kind, values in person.keys.items():
            for value in values:
                for token in match_tokens(value):
                    index[kind][token].add(str(person.person_id))
    return index


class _CellTokens:
    """Match tokens of each (row, column) cell, computed once: hashing is the cost here."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], frozenset[str]] = {}

    def __call__(self, record: ConsentRecord, column: str) -> frozenset[str]:
        key = (record.id, column)
        tokens = self._cache.get(key)
        if tokens is None:
            tokens = self._cache[key] = frozenset(match_tokens(record.columns.get(column)))
        return tokens


def _hits(tokens: frozenset[str], kind_index: Mapping[str, set[str]]) -> set[str]:
    persons: set[str] = set()
    for token in tokens:
        persons |= kind_index.get(token, set())
    return persons


def _values_convince(filled: list[ConsentRecord], column: str, matched: int) -> bool:
    """Agreement an unnamed column needs before chance (row numbers, short codes) is ruled out."""
    long_values = all(
        len(str(r.columns.get(column)).strip()) >= MIN_VALUE_LENGTH for r in filled
    )
    return (
        long_values and matched >= MIN_VALUE_MATCHES and matched >= MIN_VALUE_SHARE * len(filled)
    )


def plan_key_links(
    persons: Sequence[_PersonKeys],
    log: ConsentLog,
    explicit: Iterable[tuple[str, str]] = (),
    *,
    _index: dict[str, dict[str, set[str]]] | None = None,
    _cells: _CellTokens | None = None,
) -> list[KeyLink]:
    """Which person key kind pairs with which log column, and why."""
    index = _person_index(persons) if _index is None else _index
    cells = _CellTokens() if _cells is None else _cells
    field_of_column = {column: f for f, column in log.fields.items()}
    plan: list[KeyLink] = []
    explicit = list(explicit)
    for person_kind, column in explicit:
        if column not in log.headers:
            raise LinkError(f"--link {person_kind}={column}: the log has no column {column!r}")
        kind_index = index.get(person_kind, {})
        matched = sum(1 for r in log.records if _hits(cells(r, column), kind_index))
        plan.append(KeyLink(person_kind, column, "explicit", matched))
    taken_kinds = {kind for kind, _ in explicit}
    taken_columns = {column for _, column in explicit}

    for column in log.headers:
        if column in taken_columns or field_of_column.get(column) in _NOT_KEYS:
            continue
        log_field = field_of_column.get(column)
        filled = [r for r in log.records if cells(r, column)]
        for person_kind, kind_index in index.items():
            if person_kind in taken_kinds:
                continue
            matched = sum(1 for r in filled if _hits(cells(r, column), kind_index))
            if not matched:
                continue
            if _names_agree(person_kind, log_field):
                plan.append(KeyLink(person_kind, column, "header", matched))
                continue
            if _values_convince(filled, column, matched):
                plan.append(KeyLink(person_kind, column, "values", matched))
    return plan


def link_consents(
    persons: Sequence[_PersonKeys],
    log: ConsentLog,
    explicit: Iterable[tuple[str, str]] = (),
    face_matcher: FaceMatcher | None = None,
    face_encoder: FaceEncoder | None = None,
) -> LinkResult:
    """Every (consent row, person) pair the keys or the enrolled faces support."""
    index = _person_index(persons)
    cells = _CellTokens()
    plan = plan_key_links(persons, log, explicit, _index=index, _cells=cells)
    result = LinkResult(key_links=plan)
    seen: set[tuple[str, str]] = set()

    def add(record: ConsentRecord, person_id: str, method: str) -> None:
        if (record.id, person_id) not in seen:
            seen.add((record.id, person_id))
            result.links.append(ConsentLink(record.id, person_id, method))

    for record in log.records:
        by_key: set[str] = set()
        for key_link in result.key_links:
            found = _hits(cells(record, key_link.log_column), index.get(key_link.person_kind, {}))
            for person_id in sorted(found):
                add(record, person_id, f"key:{key_link.person_kind}={key_link.log_column}")
            by_key |= found
        if record.enrolment is None or face_matcher is None:
            if record.enrolment is not None and not by_key:
                result.problems.append(
                    LogProblem(
                        record.locator,
                        "enrolment face not compared: no face matcher",
                        "consent.no_face_matcher",
                    )
                )
            continue
        person_id = _match_face(record, face_matcher, face_encoder, result.problems)
        if person_id is None:
            continue
        add(record, person_id, "face")
        if by_key and person_id not in by_key:
            linked = ", ".join(sorted(by_key))
            result.problems.append(LogProblem(
                record.locator,
                f"enrolment face matches person {person_id} but the key links {linked}",
                "consent.face_key_disagree",
                {"person": person_id, "linked": linked},
            ))
    return result


def _match_face(
    record: ConsentRecord,
    matcher: FaceMatcher,
    encoder: FaceEncoder | None,
    problems: list[LogProblem],
) -> str | None:
    enrolment = record.enrolment
    assert enrolment is not None
    embedding: Sequence[float] | None = enrolment.template
    try:
        if embedding is None:
            if encoder is None:
                problems.append(
                    LogProblem(record.locator, "enrolment photo not encoded", "consent.photo_not_encoded")
                )
                return None
            photo = enrolment.photo()
            embedding = encoder(photo) if photo else None
            if embedding is None:
                problems.append(
                    LogProblem(
                        record.locator,
                        "no usable face in the enrolment photo",
                        "consent.no_face_in_photo",
                    )
                )
                return None
        matched = matcher(embedding)
    except Exception as error:  # hostile photo or template: a located note, never a crash
        problems.append(
            LogProblem(
                record.locator,
                f"enrolment face unusable: {error}",
                "consent.enrolment_face_unusable",
                {"error": str(error)},
            )
        )
        return None
    return None if matched is None else str(matched)
