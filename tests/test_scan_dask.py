"""scan --dask-scheduler gives exactly the result of a local scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan

distributed = pytest.importorskip("distributed")
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "export"


def _rows(case: Case) -> list[tuple]:
    return [
        tuple(r.values())
        for r in case.db.query(
            "select a.locator, a.kind, a.sha256, a.pdq, a.person_key, a.captured_at, a.deleted, s.locator, s.kind"
            " from artifacts a join stores s on s.id = a.store_id order by a.locator, a.kind"
        )
    ]


def _scanned(tmp_path: Path, name: str, options: ScanOptions) -> Case:
    case = Case.create(tmp_path / name, CaseInfo("DASK-1", "venue", ["a", "b"]))
    acquire(case, [SAMPLE], workers=1)
    scan(case, options)
    return case


@pytest.mark.slow
def test_a_dask_cluster_scan_equals_a_local_scan(tmp_path: Path) -> None:
    local = _scanned(tmp_path, "local", ScanOptions(workers=1))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = _scanned(
            tmp_path, "dask", ScanOptions(dask_scheduler=cluster.scheduler_address, dask_batch=3)
        )
    assert count_faces(remote).as_summary() == count_faces(local).as_summary()
    assert _rows(remote) == _rows(local)
    embeddings = [
        [
            r["embedding"]
            for r in case.db.query(
                "select f.embedding from faces f join artifacts a on a.id = f.artifact_id order by a.locator, f.id"
            )
        ]
        for case in (local, remote)
    ]
    assert embeddings[0] == embeddings[1]
    start = next(
        json.loads(e["detail"]) for e in remote.custody_events() if e["action"] == "scan.start"
    )
    assert start["dask_scheduler"] == cluster.scheduler_address
