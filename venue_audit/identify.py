"""The identify stage: faces in case.db become distinct persons.

Faces are clustered per embedding space (dlib faces from pictures together
with stored templates proven to be dlib's; every other model on its own), with
must-links for what the evidence itself says is one person: the same person
key inside one store (``visitor_id``; a UUID person id in any store, as
Immich's person thumbnails carry the id of the rows in its database), and the
crop and template of one record. The same evidence keys then join groups *across* spaces, so a person
whose crop is in dlib's space and whose stored template is in a vendor's is one
person, not two; a template whose model is unknown joins a person only through
such a key, never on distance. Persons seen only in recovered deleted data are
kept but flagged, so ``persons.distinct`` counts live data only (DESIGN.md).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.faces import EMBEDDING_SPACE
from venue_audit.persons import ClusteringResult, cluster_space, config_for_space
from venue_audit.persons.linkage import components
from venue_audit.persons.methodology import court_statement, describe
from venue_audit.scan.counts import count_faces

GUESSED_DLIB = "dlib-resnet-v1-128?"
GLOBAL_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


@dataclass
class IdentifyResult:
    by_space: dict[str, ClusteringResult] = field(default_factory=dict)
    distinct: int = 0
    only_in_deleted: int = 0
    estimate: int = 0
    interval: tuple[int, int] = (0, 0)
    lower_bound: int = 0
    linked_across_spaces: int = 0  # groups of different spaces joined by evidence keys


@functools.cache
def _product_wide_profiles() -> frozenset[str]:
    """Products whose person keys name one person in every one of their stores."""
    from venue_audit.sources.profiles.registry import profiles

    return frozenset(p.NAME for p in profiles() if p.PRODUCT_WIDE_PERSON_KEYS)


def _evidence_keys(face: dict[str, Any], faces_per_artifact: dict[int, int]) -> list[tuple]:
    """What the evidence says about whose face this is: a person key, a one-face record."""
    keys: list[tuple] = []
    key = face["person_key"]
    if key and GLOBAL_ID.fullmatch(str(key)):  # a UUID names one person in every store
        keys.append(("person", str(key).lower()))
    elif key and face.get("profile") in _product_wide_profiles():  # a PhotoPrism subject UID
        keys.append(("person", face["profile"], str(key)))
    elif key:  # "V1001", "1": only within its own store
        keys.append(("person", face["store_id"], key))
    if faces_per_artifact[face["artifact_id"]] == 1:
        keys.append(("record", face["record_key"]))
    return keys


def _must_links(faces: list[dict[str, Any]], faces_per_artifact: dict[int, int]) -> list[tuple]:
    """Row pairs the evidence says are one person; a chain per group is enough for union-find."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row, face in enumerate(faces):
        for key in _evidence_keys(face, faces_per_artifact):
            groups[key].append(row)
    pairs: list[tuple[int, int]] = []
    for rows in groups.values():
        pairs.extend(itertools.pairwise(rows))
    return pairs


def _stores_with_confirmed_templates(case: Case) -> set[int]:
    """Stores whose 128-d templates were shown to be dlib's by re-encoding their own crops.

    A template of such a store that has no crop of its own (carved from free
    pages, or a row whose picture was lost) comes from the same system and
    model, so it joins the same space instead of forming a space of one.
    """
    return {
        row["store_id"]
        for row in case.db.query(
            "select distinct store_id from artifacts where kind = 'template' and model_guess like ?",
            [f"{EMBEDDING_SPACE} (confirmed%"],
        )
    }


def _persons_across_spaces(
    faces: list[dict[str, Any]], group_of: list[int], faces_per_artifact: dict[int, int]
) -> np.ndarray:
    """Person of each group: groups sharing an evidence key are one person, whatever space."""
    n_groups = max(group_of) + 1 if group_of else 0
    first_group: dict[tuple, int] = {}
    a: list[int] = []
    b: list[int] = []
    for face, group in zip(faces, group_of, strict=True):
        for key in _evidence_keys(face, faces_per_artifact):
            other = first_group.setdefault(key, group)
            if other != group:
                a.append(other)
                b.append(group)
    return components(n_groups, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))


_FACES = (
    "from faces f join artifacts a on a.id = f.artifact_id left join stores s on s.id = a.store_id"
)


def _embeddings(case: Case, faces: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Each space's embeddings as one float32 matrix, rows in the order of its faces.

    The vectors are copied into the matrices as the rows are read, never held as one
    bytes object per face: 305,114 of them (~170 MB) would be freed only after the
    matrix is made, into a heap the clustering's large arrays do not reuse.
    """
    space_of = [face["space"] for face in faces]
    row_in_space: list[int] = []
    sizes: dict[str, int] = defaultdict(int)
    for space in space_of:
        row_in_space.append(sizes[space])
        sizes[space] += 1
    blobs = (row[0] for row in case.db.execute(f"select f.embedding {_FACES} order by f.id"))
    matrices: dict[str, np.ndarray] = {}
    loose: dict[str, list[np.ndarray]] = {}  # a space whose vectors differ in length
    for space, row, blob in zip(space_of, row_in_space, blobs, strict=True):
        vector = np.frombuffer(blob, dtype="<f4")
        matrix = matrices.get(space)
        if space in loose:
            loose[space].append(vector)
        elif matrix is None:
            matrices[space] = matrix = np.empty((sizes[space], vector.size), dtype="<f4")
            matrix[row] = vector
        elif matrix.shape[1] == vector.size:
            matrix[row] = vector
        else:  # stacked as given, which says what is wrong with them
            loose[space] = [*matrix[:row], vector]
    for space, vectors in loose.items():
        matrices[space] = np.vstack(vectors)
    return matrices


@writes_case
def identify(case: Case, command: list[str] | None = None) -> IdentifyResult:
    """Cluster every face of the case into persons and (re)write the persons table."""
    duplicates = set(count_faces(case).duplicate_records)
    faces = list(
        case.db.query(
            "select f.id, f.artifact_id, f.space, a.person_key, a.store_id, a.record_key, a.deleted,"
            f" a.captured_at, s.profile {_FACES} order by f.id"
        )
    )
    faces_per_artifact: dict[int, int] = defaultdict(int)
    for face in faces:
        faces_per_artifact[face["artifact_id"]] += 1
    confirmed_stores = _stores_with_confirmed_templates(case)
    by_space: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for face in faces:
        space = face["space"]
        if space == GUESSED_DLIB and face["store_id"] in confirmed_stores:
            space = EMBEDDING_SPACE
        # One string object per space and profile, not one per face.
        face["space"] = space = sys.intern(space)
        if face["profile"] is not None:
            face["profile"] = sys.intern(face["profile"])
        by_space[space].append(face)
    matrices = _embeddings(case, faces)

    result = IdentifyResult()
    ordered: list[dict[str, Any]] = []
    group_of: list[int] = []
    group_space: list[str] = []
    for space in sorted(by_space):
        members = by_space[space]
        embeddings = matrices.pop(space)
        clustering = cluster_space(
            embeddings, _must_links(members, faces_per_artifact), config_for_space(space)
        )
        result.by_space[space] = clustering
        offset = len(group_space)
        ordered.extend(members)
        group_of.extend(offset + label for label in clustering.labels.tolist())
        group_space.extend([space] * clustering.n_persons)
    person_of_group = _persons_across_spaces(ordered, group_of, faces_per_artifact)

    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for face, group in zip(ordered, group_of, strict=True):
        people[int(person_of_group[group])].append(face)
    n_people = int(person_of_group.max()) + 1 if person_of_group.size else 0
    result.linked_across_spaces = len(group_space) - n_people
    person_rows = []
    assignments = []
    for number, label in enumerate(sorted(people, key=lambda p: min(f["id"] for f in people[p]))):
        group = people[label]
        live = [f for f in group if not f["deleted"]]
        times = sorted(f["captured_at"] for f in (live or group) if f["captured_at"])
        keys = sorted({f"{f['store_id']}:{f['person_key']}" for f in group if f["person_key"]})
        person_rows.append(
            {
                "id": number + 1,
                "space": "+".join(sorted({f["space"] for f in group})),
                "n_faces": len(group),
                "n_records": len({f["record_key"] for f in live} - duplicates),
                "first_seen": times[0] if times else None,
                "last_seen": times[-1] if times else None,
                "external_ids": json.dumps(keys, ensure_ascii=False),
                "consent_status": None,
                "flags": "[]",
                "only_deleted": int(not live),
            }
        )
        assignments.extend((number + 1, f["id"]) for f in group)
    result.only_in_deleted = sum(row["only_deleted"] for row in person_rows)
    result.distinct = len(person_rows) - result.only_in_deleted
    _combine_uncertainty(result)
    with case.db.conn:
        case.db.execute("update faces set person_id = null")
        case.db.execute("delete from persons")
        if person_rows:
            case.db["persons"].insert_all(person_rows)
        case.db.conn.executemany("update faces set person_id = ? where id = ?", assignments)
        case.db["case_meta"].upsert(
            {
                "key": "identify",
                "value": json.dumps(
                    {
                        space: {
                            "method": c.method,
                            "parameters": c.parameters,
                            "persons": c.n_persons,
                            "estimate": c.estimate,
                            "interval": list(c.interval),
                            "lower_bound": c.lower_bound,
                        }
                        for space, c in result.by_space.items()
                    },
                    ensure_ascii=False,
                    default=str,
                ),
            },
            pk="key",
        )
        case.db["case_meta"].upsert(
            {
                "key": "persons_count",
                "value": json.dumps(
                    {
                        "estimate": result.estimate,
                        "interval": list(result.interval),
                        "lower_bound": result.lower_bound,
                        "linked_across_spaces": result.linked_across_spaces,
                    }
                ),
            },
            pk="key",
        )
        statement = {
            "distinct": result.distinct,
            "estimate": result.estimate,
            "interval": list(result.interval),
            "lower_bound": result.lower_bound,
        }
        for lang in ("zh", "en"):  # the report's method paragraph (report/load.py)
            text = "\n".join(
                [court_statement(statement, lang)]
                + [describe(c, lang) for c in result.by_space.values()]
            )
            case.db["case_meta"].upsert(
                {"key": f"clustering_{lang}", "value": json.dumps(text, ensure_ascii=False)},
                pk="key",
            )
    case.log(
        "identify",
        {
            "distinct": result.distinct,
            "only_in_deleted": result.only_in_deleted,
            "estimate": result.estimate,
            "interval": list(result.interval),
            "lower_bound": result.lower_bound,
            "linked_across_spaces": result.linked_across_spaces,
            "spaces": {s: c.n_persons for s, c in result.by_space.items()},
        },
        command,
    )
    return result


def _combine_uncertainty(result: IdentifyResult) -> None:
    """The case's interval and lower bound from each space's, less what evidence keys joined.

    Spaces are counted apart, then ``linked_across_spaces`` groups were found to be people
    already counted in another space. The lower bound is also never below the largest single
    space's own: everybody in one space is a distinct person of the case.
    """
    spaces = list(result.by_space.values())
    joined = result.linked_across_spaces + result.only_in_deleted
    estimate = sum(c.estimate for c in spaces) - joined
    low = sum(c.interval[0] for c in spaces) - joined
    high = sum(c.interval[1] for c in spaces) - joined
    lower = max(
        sum(c.lower_bound for c in spaces) - joined,
        max((c.lower_bound for c in spaces), default=0) - result.only_in_deleted,
    )
    distinct = result.distinct
    result.estimate = max(estimate, 0)
    result.lower_bound = max(0, min(lower, distinct))
    result.interval = (max(result.lower_bound, min(low, distinct)), max(high, distinct))
