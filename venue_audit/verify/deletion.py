"""``verify-deletion``: prove that the baseline's face data is gone from every replica.

The baseline is what the case's own scan found. The after-state (the server,
the cloud export, the backups, as the examiner lists them) is acquired and
scanned into a separate workspace inside the case folder, deleted-data
recovery included, and every baseline artifact is looked for there by exact
hash, by perceptual hash and by face. "No residual face data found" is said
only when nothing at all matched.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.case.lock import writes_case
from venue_audit.case.output_paths import case_evidence, refuse_case_overlap, refuse_overlap
from venue_audit.scan import ScanOptions, scan
from venue_audit.verify.matching import AfterArtifact, AfterIndex, Match

AFTER_PREFIX = "after-"


@dataclass
class DeletionVerdict:
    clean: bool
    after_case: Path
    checked: list[str]
    by_store: dict[str, dict[str, int]] = field(default_factory=dict)
    by_person: dict[int, dict[str, int]] = field(default_factory=dict)
    residual: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": "no residual face data found" if self.clean else "residual face data found",
            "clean": self.clean,
            "after_case": str(self.after_case),
            "checked": self.checked,
            "totals": self.totals,
            "by_store": self.by_store,
            "by_person": {str(k): v for k, v in self.by_person.items()},
            "residual": self.residual,
        }


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
    after_sources: list[Path],
    options: ScanOptions | None = None,
    command: list[str] | None = None,
    outputs: list[tuple[str, Path]] | None = None,
) -> DeletionVerdict:
    """Acquire and scan the after-state into a workspace inside the case; match the baseline.

    ``outputs`` (say, ``[("--out", report.pdf)]``) are refused before any work when they lie
    in, on or around an after-state source or one of the case's evidence paths.
    """
    refuse_case_overlap(case.directory, after_sources)
    refuse_overlap(outputs or [], [*after_sources, *case_evidence(case.db)])
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
        ),
        command,
    )
    acquire(after, after_sources, command=command)
    scan(after, options or ScanOptions(), command=command)
    index = _index(after)
    faces_by_artifact: dict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)
    person_of: dict[int, set[int]] = defaultdict(set)
    for row in case.db.query("select artifact_id, space, embedding, person_id from faces"):
        faces_by_artifact[row["artifact_id"]].append(
            (row["space"], np.frombuffer(row["embedding"], dtype="<f4"))
        )
        if row["person_id"] is not None:
            person_of[row["artifact_id"]].add(row["person_id"])
    by_store: dict[str, Counter[str]] = defaultdict(Counter)
    by_person: dict[int, Counter[str]] = defaultdict(Counter)
    residual = []
    totals: Counter[str] = Counter()
    for artifact in case.db.query(
        "select a.id, a.locator, a.sha256, a.pdq, a.phash, a.deleted, s.locator as store"
        " from artifacts a join stores s on s.id = a.store_id order by a.id"
    ):
        matches = index.match(
            artifact["sha256"],
            artifact["pdq"],
            artifact["phash"],
            faces_by_artifact[artifact["id"]],
        )
        state = _state(matches)
        totals[state] += 1
        by_store[artifact["store"]][state] += 1
        for person in person_of[artifact["id"]]:
            by_person[person][state] += 1
        if matches:
            best = matches[0]
            residual.append(
                {
                    "baseline": artifact["locator"],
                    "state": state,
                    "how": best.how,
                    "distance": best.distance,
                    "found_at": best.after.locator,
                    "found_in_store": best.after.store,
                    "matches": len(matches),
                }
            )
    checked = [str(Path(s).absolute()) for s in after_sources]
    verdict = DeletionVerdict(
        clean=not residual,
        after_case=after_dir,
        checked=checked,
        by_store={k: dict(v) for k, v in by_store.items()},
        by_person={k: dict(v) for k, v in by_person.items()},
        residual=residual,
        totals=dict(totals),
    )
    with case.db.conn:
        case.db["case_meta"].upsert(
            {
                "key": f"verify-deletion:{after_dir.name}",
                "value": json.dumps(verdict.as_json(), ensure_ascii=False),
            },
            pk="key",
        )
    case.log(
        "verify-deletion",
        {
            "after_case": after_dir.name,
            "sources": checked,
            "clean": verdict.clean,
            **verdict.totals,
        },
        command,
    )
    return verdict


def _state(matches: list[Match]) -> str:
    """``remaining_live`` beats ``recoverable``: live data anywhere is the stronger finding."""
    if not matches:
        return "gone"
    return "remaining_live" if any(not m.after.deleted for m in matches) else "recoverable"
