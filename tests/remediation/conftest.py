"""The sample venue audited once per session; tests read its case and copy its evidence."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from venue_audit.audit import AuditRequest, audit
from venue_audit.case import Case, CaseInfo

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SERVER_DB = SAMPLE / "export" / "server" / "face_capture.db"
TRUTH = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


def sample_rows() -> list[tuple[int, str, str]]:
    """(id, visitor id, capture time) of every live row of the sample server database."""
    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        return db.execute(
            "select id, visitor_id, capture_time from t_face_capture order by id"
        ).fetchall()


@pytest.fixture(scope="session")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample export (tests may delete from copies of it)."""
    root = tmp_path_factory.mktemp("sample") / "export"
    shutil.copytree(SAMPLE / "export", root)
    return root


@pytest.fixture(scope="session")
def audited_sample(tmp_path_factory: pytest.TempPathFactory, sample_export: Path) -> Path:
    """The sample venue's case after the whole audit (acquire, scan, identify, assess)."""
    case_dir = tmp_path_factory.mktemp("audit") / "case"
    audit(
        AuditRequest(
            sources=[sample_export],
            case_dir=case_dir,
            case_info=CaseInfo("SELF-1", "示例售楼处", ["王五", "赵六"]),
            consent_log=next((SAMPLE / "consent").glob("*.csv")),
            policy=SAMPLE / "policy.toml",
            workers=1,
        ),
        command=["test"],
    )
    return case_dir


@pytest.fixture
def sample_case(audited_sample: Path, tmp_path: Path) -> Case:
    """A private copy of the audited case (tests may store lists and checks in it)."""
    copy = tmp_path / "case"
    shutil.copytree(audited_sample, copy)
    case = Case(copy)
    yield case
    case.close()
