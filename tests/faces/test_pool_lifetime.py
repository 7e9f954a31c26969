"""The face workers and their fork server live only as long as a scan needs them.

The fork server holds the engine's models; left running, it would add its memory
to the person count's peak, the highest of an audit on a large case.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psutil
import pytest

from tests.conftest import TEST_FACES
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import CaseInfo
from venue_audit.faces import EngineConfig, ImageAnalysis, analyze_many, face_pool


def engine_children() -> list[str]:
    """Command lines of this process's descendants, multiprocessing's resource tracker aside.

    The tracker is a bare interpreter (~12 MB) that holds no model; it serves every
    multiprocessing object of the process and stays until the process exits.
    """
    lines = []
    for child in psutil.Process().children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "resource_tracker" not in line:
            lines.append(line)
    return lines


def one_face() -> list[tuple[str, bytes]]:
    return [("obama", (TEST_FACES / "obama" / "1.jpg").read_bytes())]


@pytest.mark.slow
def test_closing_the_last_pool_stops_its_workers_and_the_fork_server() -> None:
    with face_pool(2) as pool:
        results = dict(analyze_many(one_face(), EngineConfig(), pool=pool))
        assert len(engine_children()) >= 3  # the fork server and two workers
    assert isinstance(results["obama"], ImageAnalysis)
    assert engine_children() == []
    # The next pool starts a fork server of its own.
    with face_pool(2) as pool:
        again = dict(analyze_many(one_face(), EngineConfig(), pool=pool))
    assert again == results
    assert engine_children() == []


@pytest.mark.slow
def test_a_pool_closed_while_another_is_open_leaves_the_other_working() -> None:
    with face_pool(2) as outer:
        with face_pool(2) as inner:
            dict(analyze_many(one_face(), EngineConfig(), pool=inner))
        results = dict(analyze_many(one_face(), EngineConfig(), pool=outer))
    assert isinstance(results["obama"], ImageAnalysis)
    assert engine_children() == []


@pytest.mark.slow
def test_after_an_audits_scan_no_face_worker_or_fork_server_is_alive(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for n, person in enumerate(["obama", "biden"]):
        shutil.copy(TEST_FACES / person / "1.jpg", export / f"CH01_2024031510152{n}.jpg")
    alive_at: dict[str, list[str]] = {}

    def on_stage(name: str, index: int, count: int) -> None:
        alive_at[name] = engine_children()

    request = AuditRequest(
        sources=[export],
        case_dir=tmp_path / "case",
        case_info=CaseInfo("P-1", "售楼处", ["张三", "李四"]),
        as_of="2024-06-30",
        workers=2,
    )
    result = audit(request, on_stage)

    assert result.summary["faces"]["faces_in_images"] == 2
    assert alive_at["scan"]  # the workers were there for the scan
    assert alive_at["identify"] == []
    assert alive_at["assess"] == []
