"""``verify-deletion``: prove that the baseline's face data is gone from every replica.

The baseline is what the case's own scan found. The after-state (the server,
the cloud export, the backups, as the examiner lists them) is acquired and
scanned into a separate workspace inside the case folder, deleted-data
recovery included, and every baseline record is looked for there by its own
content: exact hash, perceptual hash, or the same capture's face
(:mod:`venue_audit.verify.matching`). Each record gets one state
(:mod:`venue_audit.verify.verdict`); "no residual face data found" is said only
when every record's source was re-examined and nothing of any record was found.
The verdict is kept in the case (``case_meta``, read by the report) and written
as ``verification.json`` beside the after-state workspace's ``case.db``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from venue_audit.acquire import acquire
from venue_audit.acquire.live import acquire_database, is_database_url, parse_target
from venue_audit.acquire.live.acquisition import PasswordPrompt
from venue_audit.case import Case, CaseInfo
from venue_audit.case.lock import writes_case
from venue_audit.case.output_paths import (
    Output,
    case_evidence,
    refuse_case_overlap,
    refuse_overlap,
)
from venue_audit.remediation.follow_up import check_list
from venue_audit.remediation.to_delete import load_to_delete
from venue_audit.scan import ScanOptions, scan
from venue_audit.verify.matching import AfterArtifact, AfterIndex, Match
from venue_audit.verify.replicas import pair_replicas
from venue_audit.verify.verdict import DeletionVerdict, Residue, StoreResult

AFTER_PREFIX = "after-"
VERDICT_FILE = "verification.json"
MAX_PLACES = 5  # where a person's face is still found: enough to act on, not a second scan


def _after_workspace(case: Case) -> Path:
    existing = sorted(p for p in case.directory.glob(f"{AFTER_PREFIX}*") if p.is_dir())
    return case.directory / f"{AFTER_PREFIX}{len(existing) + 1:03d}"


def _index(after: Case) -> AfterIndex:
    artifacts = [
        AfterArtifact(
            r["id"], r["locator"], r["store"], bool(r["deleted"]), r["sha256"], r["pdq"], r["phash"]
        )
        for r in after.db.query(
            "select a.id, a.locator, s.locator as store, a.deleted, a.sha256, a.pdq, a.phash"
            " from artifacts a join stores s on s.id = a.store_id"
        )
    ]
    faces = [
        (r["artifact_id"], r["space"], np.frombuffer(r["embedding"], dtype="<f4"))
        for r in after.db.query("select artifact_id, space, embedding from faces")
    ]
    return AfterIndex(artifacts, faces)


@writes_case
def verify_deletion(
    case: Case,
    after_sources: list[Path | str],
    options: ScanOptions | None = None,
    command: list[str] | None = None,
    replicas: list[tuple[str, Path]] | None = None,
    prompt: PasswordPrompt | None = None,
    outputs: list[Output] | None = None,
) -> DeletionVerdict:
    """Acquire and scan the after-state, then give every baseline record one state.

    ``replicas`` are explicit ``(baseline source, after source)`` pairs; the rest are paired
    by name (:mod:`venue_audit.verify.replicas`). Pairing errors are raised before anything
    is acquired. An after source may be a running database (``postgresql://…``): it is read
    in a new snapshot, the replica of the baseline's snapshot of the same database. A server
    answers only with its live rows, so there "gone" means gone from what it returns; its
    data files are examined only when they are given as files. ``outputs`` (say,
    ``[("--out", report.pdf)]``) are refused before any work when they lie in, on or around
    an after-state source or one of the case's evidence paths.
    """
    urls = [str(s) for s in after_sources if is_database_url(str(s))]
    paths = [Path(s) for s in after_sources if not is_database_url(str(s))]
    roots = [r["root"] for r in case.db.query("select root from sources order by id")]
    pairs = pair_replicas(roots, paths, replicas or ())
    refuse_case_overlap(case.directory, paths)
    refuse_overlap(outputs or [], [*paths, *case_evidence(case.db)])
    after_dir = _after_workspace(case)
    after = Case.create(
        after_dir,
        CaseInfo(
            case_no=f"{case.info.case_no}/{after_dir.name}",
            venue=case.info.venue,
            examiners=case.info.examiners,
            org=case.info.org,
            title=f"deletion verification of {case.info.case_no}",
            tz=case.info.tz,
            purpose=case.info.purpose,
        ),
        command,
    )
    listed = load_to_delete(case)
    after.log(
        "verify-deletion.baseline",
        {
            "baseline_case": case.info.case_no,
            "baseline_custody_head": _head(case),
            "to_delete_sha256": listed.digest if listed else None,
        },
        command,
    )
    snapshots = [
        acquire_database(after, url, prompt=prompt, command=command).snapshot for url in urls
    ]
    if snapshots:
        pairs = pair_replicas(roots, [*paths, *(s for s in snapshots if s)], replicas or ())
    if paths:
        acquire(after, paths, command=command)
    scan(after, options or ScanOptions(), command=command)
    index = _index(after)
    verdict = DeletionVerdict(
        after_case=after_dir,
        checked=[str(p.absolute()) for p in paths] + [parse_target(u).display for u in urls],
        replicas={root: str(Path(p).absolute()) if p else None for root, p in pairs.items()},
    )
    _judge_records(case, index, pairs, verdict)
    if listed is not None:
        # with a to-delete list, the list is the order: records meant to stay are no residue
        verdict.to_delete = check_list(case, listed, after, index, pairs).as_dict()
    record = json.dumps(verdict.as_json(), ensure_ascii=False, indent=2)
    (after_dir / VERDICT_FILE).write_text(record + "\n", encoding="utf-8")
    with case.db.conn:
        case.db["case_meta"].upsert(
            {"key": f"verify-deletion:{after_dir.name}", "value": record}, pk="key"
        )
    case.log(
        "verify-deletion",
        {
            "after_case": after_dir.name,
            "sources": verdict.checked,
            "status": verdict.status,
            "clean": verdict.clean,
            **verdict.totals,
            "after_custody_head": _head(after),
            **(
                {
                    "to_delete_sha256": verdict.to_delete["list_sha256"],
                    "to_delete": verdict.to_delete["totals"],
                }
                if verdict.to_delete is not None
                else {}
            ),
        },
        command,
    )
    return verdict


def _head(case: Case) -> str | None:
    """The hash of a case's last custody event: what links a baseline and its after-state."""
    row = case.db.execute("select hash from custody order by seq desc limit 1").fetchone()
    return row[0] if row else None


def _baseline_records(case: Case) -> dict[str, list[dict[str, Any]]]:
    """Every baseline artifact grouped by record, with its store and the root of its source."""
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for artifact in case.db.query(
        "select a.id, a.record_key, a.sha256, a.pdq, a.phash, s.locator as store, src.root"
        " from artifacts a join stores s on s.id = a.store_id"
        " left join evidence e on e.id = a.evidence_id"
        " left join sources src on src.id = e.source_id order by a.id"
    ):
        records[artifact["record_key"] or f"artifact {artifact['id']}"].append(artifact)
    return records


def _judge_records(
    case: Case, index: AfterIndex, pairs: dict[str, Path | None], verdict: DeletionVerdict
) -> None:
    faces_of: dict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)
    persons_of: dict[int, set[int]] = defaultdict(set)
    for row in case.db.query("select artifact_id, space, embedding, person_id from faces"):
        faces_of[row["artifact_id"]].append(
            (row["space"], np.frombuffer(row["embedding"], dtype="<f4"))
        )
        if row["person_id"] is not None:
            persons_of[row["artifact_id"]].add(row["person_id"])
    for key, artifacts in _baseline_records(case).items():
        first = artifacts[0]
        store = verdict.stores.setdefault(
            first["store"],
            StoreResult(first["store"], first["root"] or "", _shown(pairs.get(first["root"]))),
        )
        matches = [
            m
            for a in artifacts
            for m in index.match(a["sha256"], a["pdq"], a["phash"], faces_of[a["id"]])
        ]
        if matches:
            state = _state(matches)
            best = next(m for m in matches if _state([m]) == state)
            verdict.residue.append(
                Residue(
                    key,
                    first["store"],
                    state,
                    best.how,
                    best.after.locator,
                    best.after.store,
                    best.distance,
                    len(matches),
                )
            )
        elif pairs.get(first["root"]) is None:
            state = "not_checked"
        else:
            state = "gone"
        store.states[state] += 1
        persons = {p for a in artifacts for p in persons_of[a["id"]]}
        for person in persons:
            verdict.by_person.setdefault(person, Counter())[state] += 1
        if state in ("gone", "not_checked") and persons:
            found = [m for a in artifacts for m in index.same_person(faces_of[a["id"]])]
            for person in persons if found else ():
                places = verdict.persons_present.setdefault(person, [])
                for match in found:
                    if match.after.locator not in places and len(places) < MAX_PLACES:
                        places.append(match.after.locator)


def _shown(path: Path | None) -> str | None:
    return str(Path(path).absolute()) if path else None


def _state(matches: list[Match]) -> str:
    """``remaining_live`` beats ``recoverable``: live data anywhere is the stronger finding."""
    return "remaining_live" if any(not m.after.deleted for m in matches) else "recoverable"
