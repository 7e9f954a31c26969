"""What every command shares: -h, --version, help without type placeholders, one-line errors,
exit codes, and a quiet exit when the reader of stdout goes away."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from venue_audit import __version__
from venue_audit.cli import app
from venue_audit.errors import EXIT_USAGE

runner = CliRunner()

COMMANDS = [
    ["case", "new"],
    ["acquire"],
    ["verify-manifest"],
    ["scan"],
    ["consent"],
    ["report"],
    ["verify-report"],
    ["verify-deletion"],
    ["custody"],
    ["audit"],
    ["browse"],
    ["export"],
    ["self-audit"],
    ["to-delete"],
    ["demo"],
]


def venue_audit(*args: str) -> list[str]:
    return [sys.executable, "-m", "venue_audit.cli", *args]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_answers_h_with_an_example_and_no_type_placeholders(
    command: list[str],
) -> None:
    result = runner.invoke(app, [*command, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "<" not in result.output.replace("<=", ""), result.output
    assert "--version" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_prints_the_version(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"venue-audit {__version__}"


def test_the_main_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "0 done; 1 a difference or residue was found" in text
    assert "2 a usage error" in text and "3 an evidence or case integrity failure" in text


def test_a_user_mistake_is_one_line_on_stderr_with_exit_code_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "no-such-case")])
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "is not a case folder" in result.stderr


def test_a_closed_pipe_ends_the_command_quietly_with_exit_code_0(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    examiners = ["--examiner", "甲", "--examiner", "乙"]
    created = runner.invoke(
        app, ["case", "new", str(case_dir), "--case-no", "1", "--venue", "v", *examiners]
    )
    assert created.exit_code == 0, created.output
    process = subprocess.Popen(
        venue_audit("custody", str(case_dir), "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -1` exiting before the command writes
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""
