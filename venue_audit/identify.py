"""The identify stage: faces in case.db become distinct persons.

Faces are clustered per embedding space (dlib faces from pictures together
with stored templates proven to be dlib's; every other model on its own), with
must-links for what the evidence itself says is one person: the same person
key inside one store (``visitor_id``), and the crop and template of one
record. Persons seen only in recovered deleted data are kept but flagged, so
``persons.distinct`` counts live data only (DESIGN.md).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.faces import EMBEDDING_SPACE
from venue_audit.persons import ClusteringResult, cluster_space, config_for_space
from venue_audit.scan.counts import count_faces

GUESSED_DLIB = "dlib-resnet-v1-128?"


@dataclass
class IdentifyResult:
    by_space: dict[str, ClusteringResult] = field(default_factory=dict)
    distinct: int = 0
    only_in_deleted: int = 0
    band: tuple[int, int] = (0, 0)


def _must_links(faces: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Row pairs the evidence says are one person; a chain per group is enough for union-find."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    per_record: dict[str, list[int]] = defaultdict(list)
    faces_per_artifact: dict[int, int] = defaultdict(int)
    for face in faces:
        faces_per_artifact[face["artifact_id"]] += 1
    for row, face in enumerate(faces):
        if face["person_key"]:
            groups[(face["store_id"], face["person_key"])].append(row)
        if faces_per_artifact[face["artifact_id"]] == 1:
            per_record[face["record_key"]].append(row)
    pairs = []
    for rows in [*groups.values(), *per_record.values()]:
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


@writes_case
def identify(case: Case, command: list[str] | None = None) -> IdentifyResult:
    """Cluster every face of the case into persons and (re)write the persons table."""
    duplicates = set(count_faces(case).duplicate_records)
    faces = list(
        case.db.query(
            "select f.id, f.artifact_id, f.embedding, f.space, a.person_key, a.store_id, a.record_key, a.deleted,"
            " a.captured_at from faces f join artifacts a on a.id = f.artifact_id order by f.id"
        )
    )
    confirmed_stores = _stores_with_confirmed_templates(case)
    by_space: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for face in faces:
        space = face["space"]
        if space == GUESSED_DLIB and face["store_id"] in confirmed_stores:
            space = EMBEDDING_SPACE
        by_space[space].append(face)
    result = IdentifyResult()
    person_rows = []
    assignments = []
    next_id = 1
    for space in sorted(by_space):
        members = by_space[space]
        embeddings = np.vstack([np.frombuffer(f["embedding"], dtype="<f4") for f in members])
        clustering = cluster_space(embeddings, _must_links(members), config_for_space(space))
        result.by_space[space] = clustering
        people: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for face, label in zip(members, clustering.labels.tolist(), strict=True):
            people[label].append(face)
        deleted_only_here = 0
        for label in range(clustering.n_persons):
            group = people[label]
            live = [f for f in group if not f["deleted"]]
            times = sorted(f["captured_at"] for f in (live or group) if f["captured_at"])
            keys = sorted({f"{f['store_id']}:{f['person_key']}" for f in group if f["person_key"]})
            person_rows.append(
                {
                    "id": next_id,
                    "space": space,
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
            assignments.extend((next_id, f["id"]) for f in group)
            deleted_only_here += int(not live)
            next_id += 1
        result.distinct += clustering.n_persons - deleted_only_here
        result.only_in_deleted += deleted_only_here
        low, high = clustering.band
        result.band = (
            result.band[0] + low - deleted_only_here,
            result.band[1] + high - deleted_only_here,
        )
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
                            "band": list(c.band),
                            "band_counts": {str(k): v for k, v in c.band_counts.items()},
                            "persons": c.n_persons,
                        }
                        for space, c in result.by_space.items()
                    },
                    ensure_ascii=False,
                    default=str,
                ),
            },
            pk="key",
        )
    case.log(
        "identify",
        {
            "distinct": result.distinct,
            "only_in_deleted": result.only_in_deleted,
            "band": list(result.band),
            "spaces": {s: c.n_persons for s, c in result.by_space.items()},
        },
        command,
    )
    return result
