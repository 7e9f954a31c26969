"""Every mistake a user can make is refused before any work: exit code 2 (or 3), one line on
stderr naming the fix, and nothing half-built left behind."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import sqlite_utils
from typer.testing import CliRunner, Result

from tests.conftest import TEST_FACES
from venue_audit.cli import app
from venue_audit.errors import EXIT_INTERNAL, EXIT_USAGE
from venue_audit.report.sign import make_self_signed_p12

runner = CliRunner()
EXAMINERS = ["--examiner", "张三", "--examiner", "李四"]
NEW_CASE = ["--case-no", "沪-001", "--venue", "售楼处", *EXAMINERS]


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env)


def refused(result: Result, *words: str, code: int = EXIT_USAGE) -> None:
    """The command refused with ``code`` and one ``error:`` line holding every word."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venue") / "export"
    root.mkdir()
    shutil.copy(TEST_FACES / "obama" / "1.jpg", root / "CH01_20240315101523.jpg")
    return root


@pytest.fixture(scope="module")
def scanned(export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case acquired and scanned, never assessed (the state the issue saw report run on)."""
    case_dir = tmp_path_factory.mktemp("scanned") / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0
    assert run("acquire", case_dir, export, "-q").exit_code == 0
    assert run("scan", case_dir, "-q", "-w", "1").exit_code == 0
    return case_dir


@pytest.fixture(scope="module")
def assessed(scanned: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    case_dir = tmp_path_factory.mktemp("assessed") / "case"
    shutil.copytree(scanned, case_dir)
    assert run("consent", case_dir, "--as-of", "2024-06-30", "-q").exit_code == 0
    return case_dir


def copy_of(case_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(case_dir, target)
    return target


def custody_actions(case_dir: Path) -> list[str]:
    db = sqlite_utils.Database(case_dir / "case.db")
    return [row["action"] for row in db.query("select action from custody order by seq")]


def test_report_on_an_unassessed_case_refuses_with_the_command_to_run(
    scanned: Path, tmp_path: Path
) -> None:
    case_dir = copy_of(scanned, tmp_path)
    refused(run("report", case_dir), "never assessed", f"venue-audit consent {case_dir}")
    assert not (case_dir / "report").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["scan"],
        ["consent"],
        ["report"],
        ["verify-manifest"],
        ["export"],
        ["to-delete", "--out", "{tmp}/list.csv"],
        ["verify-deletion", "{tmp}"],
    ],
    ids=lambda command: command[0],
)
def test_a_stage_on_a_never_acquired_case_refuses_with_the_command_to_run(
    command: list[str], tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0
    name, *rest = [word.format(tmp=tmp_path) for word in command]
    refused(run(name, case_dir, *rest), "nothing was acquired", f"venue-audit acquire {case_dir}")
    assert not (tmp_path / "list.csv").exists()
    assert custody_actions(case_dir) == ["case.new"]
    assert {p.name for p in case_dir.iterdir()} <= {"case.db", "case.db-wal", "case.db-shm"} | {
        "custody.head"
    }


def test_consent_on_an_acquired_but_unscanned_case_refuses(export: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0
    assert run("acquire", case_dir, export, "-q").exit_code == 0
    refused(run("consent", case_dir), "never scanned", f"venue-audit scan {case_dir}")
    assert "assess" not in custody_actions(case_dir)


def test_audit_with_a_bad_date_is_refused_before_a_case_is_made(
    export: Path, tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    result = run("audit", export, "--case", case_dir, *NEW_CASE, "--as-of", "2024-13-45")
    refused(result, "--as-of", "2024-13-45", "YYYY-MM-DD")
    assert not case_dir.exists()


def test_audit_without_a_date_to_judge_at_is_refused(export: Path, tmp_path: Path) -> None:
    refused(run("audit", export, "--case", tmp_path / "case", *NEW_CASE), "--as-of DATE")
    assert not (tmp_path / "case").exists()


def test_audit_of_a_missing_source_is_one_line_and_makes_no_case(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    refused(run("audit", tmp_path / "nonexistent", "--case", case_dir, *NEW_CASE), "does not exist")
    assert not case_dir.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["case", "new", "{file}", *NEW_CASE],
        ["audit", "{export}", "--case", "{file}", *NEW_CASE],
        ["acquire", "{file}", "{export}"],
        ["verify-manifest", "{file}"],
        ["scan", "{file}"],
        ["consent", "{file}"],
        ["report", "{file}"],
        ["export", "{file}"],
        ["to-delete", "{file}", "--out", "{export}/../list.csv"],
        ["verify-deletion", "{file}", "{export}"],
        ["browse", "{file}"],
        ["custody", "{file}"],
    ],
    ids=lambda command: command[0] if command[0] != "case" else "case new",
)
def test_a_case_path_that_is_a_file_is_refused_and_the_file_kept(
    command: list[str], export: Path, tmp_path: Path
) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a case")
    args = [a.format(file=file, export=export) for a in command]
    refused(run(*args), str(file))
    assert file.read_text() == "not a case"
    assert not (export.parent / "list.csv").exists()


def test_one_examiner_named_twice_is_not_two_examiners(export: Path, tmp_path: Path) -> None:
    twice = ["--case-no", "1", "--venue", "v", "--examiner", "张三", "--examiner", "张三"]
    refused(run("case", "new", tmp_path / "a", *twice), "张三 is named twice")
    refused(
        run("audit", export, "--case", tmp_path / "b", *twice, "--as-of", "2024-06-30"),
        "张三 is named twice",
    )
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_new_case_made_by_audit_needs_its_number_and_venue(export: Path, tmp_path: Path) -> None:
    result = run("audit", export, "--case", tmp_path / "case", *EXAMINERS, "--as-of", "2024-06-30")
    refused(result, "--case-no and --venue")
    assert not (tmp_path / "case").exists()


def test_report_with_a_missing_certificate_renders_nothing(assessed: Path, tmp_path: Path) -> None:
    case_dir = copy_of(assessed, tmp_path)
    out = tmp_path / "out" / "report.pdf"
    refused(
        run("report", case_dir, "--out", out, "--sign", tmp_path / "missing.p12"), "missing.p12"
    )
    assert not out.parent.exists()


def test_report_with_a_wrong_certificate_password_renders_nothing(
    assessed: Path, tmp_path: Path
) -> None:
    case_dir = copy_of(assessed, tmp_path)
    p12 = tmp_path / "examiner.p12"
    make_self_signed_p12(p12, "张三", b"right")
    out = tmp_path / "out" / "report.pdf"
    result = run(
        "report", case_dir, "--out", out, "--sign", p12, env={"VENUE_AUDIT_P12_PASSWORD": "wrong"}
    )
    refused(result, "wrong password")
    assert not out.parent.exists()
    assert "report" not in custody_actions(case_dir)


def test_verify_report_of_a_missing_pdf_is_a_usage_error(tmp_path: Path) -> None:
    refused(run("verify-report", tmp_path / "nonexist.pdf"), "nonexist.pdf")


def test_rerunning_audit_with_other_case_details_is_refused_unless_amended(
    export: Path, tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    first = run("audit", export, "--case", case_dir, *NEW_CASE, "--as-of", "2024-06-30", "-q")
    assert first.exit_code == 0, first.output
    events = len(custody_actions(case_dir))

    other = run("audit", export, "--case", case_dir, "--case-no", "沪-002", "-q")
    refused(other, "--case-no '沪-002'", "'沪-001'", "--amend")
    assert len(custody_actions(case_dir)) == events  # nothing was done

    same = run("audit", export, "--case", case_dir, *NEW_CASE, "--as-of", "2024-06-30", "-q")
    assert same.exit_code == 0, same.output

    amended = run(
        "audit", export, "--case", case_dir, "--case-no", "沪-002", "--amend", "--json", "-q"
    )
    assert amended.exit_code == 0, amended.output
    assert json.loads(amended.stdout)["case_no"] == "沪-002"
    db = sqlite_utils.Database(case_dir / "case.db")
    assert next(db.query("select case_no from case_info"))["case_no"] == "沪-002"
    event = next(db.query("select detail from custody where action = 'case.amend'"))
    assert json.loads(event["detail"]) == {"case_no": {"from": "沪-001", "to": "沪-002"}}


def test_a_crash_is_an_internal_error_never_a_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0

    def broken(self: object) -> list:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("venue_audit.case.Case.custody_events", broken)
    result = run("custody", case_dir)
    assert result.exit_code == EXIT_INTERNAL
    assert "internal error in" in result.stderr and "disk on fire" in result.stderr
    assert "failed" in custody_actions(case_dir)


def test_an_offsite_mark_outside_every_source_is_refused_before_acquiring(
    export: Path, tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0
    cloud = tmp_path / "cloud.zip"
    cloud.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    refused(
        run("acquire", case_dir, export, "--offsite", cloud), "--offsite", "name it as a source"
    )
    assert custody_actions(case_dir) == ["case.new"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "{case}", "--out", "{folder}"], ["--out", "is a folder"]),
        (["report", "{case}", "--out", "{file}/report.pdf"], ["--out", "is a file, not a folder"]),
        (["to-delete", "{case}", "--out", "{folder}"], ["--out", "is a folder"]),
        (["export", "{case}", "--out", "{file}"], ["--out", "is a file; name a folder"]),
        (["verify-deletion", "{case}", "{folder}", "--out", "{folder}"], ["--out", "is a folder"]),
        (
            ["verify-deletion", "{case}", "{folder}", "--json-out", "{file}/v.json"],
            ["--json-out", "is a file, not a folder"],
        ),
    ],
    ids=[
        "report --out FOLDER",
        "report --out under a file",
        "to-delete --out FOLDER",
        "export --out FILE",
        "verify-deletion --out FOLDER",
        "verify-deletion --json-out under a file",
    ],
)
def test_an_output_path_that_cannot_be_written_is_refused_before_any_work(
    args: list[str], words: list[str], assessed: Path, tmp_path: Path
) -> None:
    case_dir = copy_of(assessed, tmp_path)
    folder = tmp_path / "already-a-folder.csv"
    folder.mkdir()
    file = tmp_path / "notes.txt"
    file.write_text("kept")
    events = custody_actions(case_dir)
    before = sorted(p.name for p in tmp_path.iterdir())
    filled = [a.format(case=case_dir, folder=folder, file=file) for a in args]
    refused(run(*filled), *words)
    assert custody_actions(case_dir) == events
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list(folder.iterdir()) == [] and file.read_text() == "kept"
    assert not (case_dir / "report").exists() and not (case_dir / "exports").exists()


SELF_AUDIT = ["--responsible", "王五", "--venue", "售楼处"]


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["audit", *NEW_CASE], "--report"),
        (["audit", *NEW_CASE], "--json-out"),
        (["self-audit", *SELF_AUDIT], "--report"),
        (["self-audit", *SELF_AUDIT], "--to-delete"),
    ],
    ids=["audit --report", "audit --json-out", "self-audit --report", "self-audit --to-delete"],
)
def test_a_whole_audit_refuses_an_output_it_could_not_write_before_a_case_is_made(
    command: list[str], option: str, export: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out.csv"
    folder.mkdir()
    case_dir = tmp_path / "case"
    name, *details = command
    result = run(name, export, "--case", case_dir, *details, "--as-of", "2024-06-30", option, folder)
    refused(result, option, "is a folder")
    assert not case_dir.exists()


def test_demo_into_a_file_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    file = tmp_path / "demo-out"
    file.write_text("kept")
    refused(run("demo", "--out", file), "--out", "is a file; name a folder")
    assert file.read_text() == "kept"


def test_demo_without_its_sample_data_is_refused_before_anything_is_cleared(
    tmp_path: Path,
) -> None:
    old_case = tmp_path / "out" / "demo-case"
    old_case.mkdir(parents=True)
    (old_case / "case.db").write_text("an earlier demo")
    result = run("demo", "--sample-data", tmp_path / "missing", "--out", tmp_path / "out")
    refused(result, "does not exist")
    assert (old_case / "case.db").read_text() == "an earlier demo"


def test_rerunning_audit_with_other_examiners_is_refused_before_any_work(
    export: Path, tmp_path: Path
) -> None:
    case_dir = tmp_path / "case"
    assert run("case", "new", case_dir, *NEW_CASE).exit_code == 0
    others = ["--examiner", "张三", "--examiner", "王五", "--as-of", "2024-06-30"]
    refused(run("audit", export, "--case", case_dir, *others), "--examiner", "王五", "--amend")
    assert custody_actions(case_dir) == ["case.new"]
    assert not (case_dir / "manifest.hashdeep").exists()


def test_verify_deletion_that_crashes_is_an_internal_error_not_residue(
    scanned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir = copy_of(scanned, tmp_path)
    after = tmp_path / "after"
    after.mkdir()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("after-scan on fire")

    monkeypatch.setattr("venue_audit.verify.verify_deletion", broken)
    result = run("verify-deletion", case_dir, after, "-q")
    assert result.exit_code == EXIT_INTERNAL, result.output
    assert "internal error in" in result.stderr and "after-scan on fire" in result.stderr
    assert custody_actions(case_dir)[-1] == "failed"


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--consent", "{tmp}/missing.csv"], ["missing.csv", "No such file"]),
        (["--consent", "{tmp}/no-times.csv"], ["no-times.csv", "no signed-time column"]),
        (["--policy", "{tmp}/missing.toml"], ["missing.toml"]),
        (["--policy", "{tmp}/broken.toml"], ["broken.toml", "Invalid value"]),
        (["--encoder", "tensorflow"], ["--encoder tensorflow", "onnx-int8"]),
    ],
    ids=[
        "missing register", "register without times", "missing policy", "broken policy",
        "unknown encoder",
    ],
)
def test_audit_reads_the_consent_register_and_policy_before_a_case_is_made(
    option: list[str], words: list[str], export: Path, tmp_path: Path
) -> None:
    (tmp_path / "no-times.csv").write_text("name,phone\n张三,13800138000\n", encoding="utf-8")
    (tmp_path / "broken.toml").write_text("retention_days = [\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    given = [word.format(tmp=tmp_path) for word in option]
    result = run("audit", export, "--case", case_dir, *NEW_CASE, "--as-of", "2024-06-30", *given)
    refused(result, *words)
    assert not case_dir.exists()


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--zip-password-file", "{tmp}/missing.txt"], ["password file", "missing.txt"]),
        (["--encoder", "tensorflow"], ["--encoder tensorflow", "auto, onnx, onnx-int8, numpy, dlib"]),
        (["--min-face-size", "3"], ["--min-face-size 3", "give 8 to"]),
        (["--min-face-size", "5000"], ["--min-face-size 5000", "give 8 to"]),
        (["--dask-scheduler", "nonsense"], ["--dask-scheduler 'nonsense'", "tcp://HOST:PORT"]),
        (["--dask-scheduler", "tcp://127.0.0.1:{closed}"], ["nothing answers there"]),
    ],
    ids=[
        "missing password file", "unknown encoder", "tiny face", "huge face",
        "scheduler address", "scheduler not running",
    ],
)  # fmt: skip
def test_scan_options_are_refused_before_the_scan_starts(
    option: list[str], words: list[str], scanned: Path, tmp_path: Path
) -> None:
    if "--dask-scheduler" in option:
        pytest.importorskip("distributed")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    case_dir = copy_of(scanned, tmp_path)
    events = custody_actions(case_dir)
    given = [word.format(tmp=tmp_path, closed=closed) for word in option]
    refused(run("scan", case_dir, "-q", *given), *words)
    assert custody_actions(case_dir) == events


def acquire_one_more_picture(case_dir: Path, tmp_path: Path) -> None:
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(TEST_FACES / "biden" / "1.jpg", more / "CH02_20240316093000.jpg")
    assert run("acquire", case_dir, more, "-q").exit_code == 0


def test_a_report_after_new_evidence_refuses_until_it_is_scanned_and_assessed_again(
    assessed: Path, tmp_path: Path
) -> None:
    case_dir = copy_of(assessed, tmp_path)
    acquire_one_more_picture(case_dir, tmp_path)
    refused(run("report", case_dir), "has evidence that was not scanned yet", "venue-audit scan")
    refused(run("consent", case_dir), "has evidence that was not scanned yet")
    assert run("scan", case_dir, "-q", "-w", "1").exit_code == 0
    refused(run("report", case_dir), "was rescanned after its assessment", "venue-audit consent")
    assert not (case_dir / "report").exists()


def test_a_scan_that_did_not_finish_is_named_with_the_command_that_resumes_it(
    scanned: Path, tmp_path: Path
) -> None:
    from venue_audit.case import Case

    case_dir = copy_of(scanned, tmp_path)
    acquire_one_more_picture(case_dir, tmp_path)
    Case(case_dir).log("scan.start", {"items": 1}, ["venue-audit", "scan"])  # then killed
    refused(
        run("consent", case_dir, "--as-of", "2024-06-30"),
        "has a scan that did not finish",
        "it resumes",
    )
    refused(run("export", case_dir), "has a scan that did not finish")


@pytest.mark.parametrize(
    ("font", "words"),
    [("missing.ttf", ["missing.ttf", "does not exist"]), ("notes.txt", ["cannot be embedded"])],
    ids=["missing font", "not a font"],
)
def test_report_with_a_font_it_cannot_embed_writes_nothing(
    font: str, words: list[str], assessed: Path, tmp_path: Path
) -> None:
    case_dir = copy_of(assessed, tmp_path)
    (tmp_path / "notes.txt").write_text("not a font\n")
    events = custody_actions(case_dir)
    out = tmp_path / "out" / "report.pdf"
    refused(run("report", case_dir, "--out", out, "--font", tmp_path / font), *words)
    assert not out.parent.exists()
    assert custody_actions(case_dir) == events
