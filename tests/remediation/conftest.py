"""The sample venue audited once per session; tests read its case and copy its evidence."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from venue_audit.case import Case

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


RESPONSIBLE = "王五"


@pytest.fixture(scope="session")
def self_audit_run(tmp_path_factory: pytest.TempPathFactory, sample_export: Path) -> Path:
    """``venue-audit self-audit`` of the sample venue with one responsible person.

    Returns the run's folder: ``case/``, ``report/自查报告.pdf`` with its annexes, and
    ``待删除清单.xlsx`` with its SQL script beside it.
    """
    from typer.testing import CliRunner

    from venue_audit.cli import app

    root = tmp_path_factory.mktemp("self-audit")
    result = CliRunner().invoke(
        app,
        [
            "self-audit", str(sample_export), "--case", str(root / "case"),
            "--responsible", RESPONSIBLE, "--venue", "示例售楼处", "--company", "示例置业有限公司",
            "--consent", str(next((SAMPLE / "consent").glob("*.csv"))),
            "--policy", str(SAMPLE / "policy.toml"),
            "--report", str(root / "report" / "自查报告.pdf"),
            "--to-delete", str(root / "待删除清单.xlsx"),
            "--workers", "1", "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def audited_sample(self_audit_run: Path) -> Path:
    """The sample venue's self-audit case (acquired, scanned, assessed, list made)."""
    return self_audit_run / "case"


@pytest.fixture
def sample_case(audited_sample: Path, tmp_path: Path) -> Case:
    """A private copy of the audited case (tests may store lists and checks in it)."""
    copy = tmp_path / "case"
    shutil.copytree(audited_sample, copy)
    case = Case(copy)
    yield case
    case.close()
