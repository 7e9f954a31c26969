"""What every command shares: -h, --version, help without type placeholders, one-line errors,
exit codes, and a quiet exit when the reader of stdout goes away."""

from __future__ import annotations

import re
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
    assert "<" not in result.output and ">" not in result.output, result.output
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


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["scan", "--bogus"], ["No such option: --bogus", "venue-audit scan -h"]),
        (["scan"], ["Missing argument 'CASE_DIR'", "venue-audit scan -h"]),
        (["no-such-command"], ["No such command 'no-such-command'", "venue-audit -h"]),
        (["case", "new"], ["Missing argument 'CASE_DIR'", "venue-audit case new -h"]),
        (["scan", "case", "-w", "0"], ["'--workers'", "greater than or equal to 1"]),
        (["browse", "case", "--port", "70000"], ["'--port'", "less than or equal to 65535"]),
        (["custody", "case", "--nope", "--json"], ["No such option: --nope"]),
    ],
    ids=["unknown option", "missing argument", "unknown command", "group", "workers", "port", "option before --json"],
)
def test_a_mistake_in_the_command_line_itself_is_one_error_line(
    args: list[str], words: list[str]
) -> None:
    result = runner.invoke(app, args, prog_name="venue-audit")
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def leaf_commands(group: object = None, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every runnable command of the program, as the words that name it."""
    import typer

    group = group or typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found += leaf_commands(command, (*path, name))
        else:
            found.append([*path, name])
    return found


def test_the_lists_above_name_every_command() -> None:
    assert sorted(leaf_commands()) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_takes_quiet_and_json(command: list[str]) -> None:
    """The same spelling everywhere; test_cli_json.py runs each with ``-q --json``."""
    result = runner.invoke(app, [*command, "-h"])
    assert "-q, --quiet" in result.output
    assert re.search(r"^\s+--json\s+Print the result as JSON on stdout", result.output, re.M)
    if "--workers" in result.output:
        assert "Worker processes to use, 1 or more" in " ".join(result.output.split())


def test_range_notes_leave_the_help_but_the_rest_of_a_default_stays() -> None:
    from venue_audit.cli.app import _without_range_notes

    assert _without_range_notes("Port.  [default: 8001; 1<=x<=65535]") == "Port.  [default: 8001]"
    assert _without_range_notes("Workers.  [x>=1]") == "Workers."
    assert _without_range_notes("List.  [default: 待删除清单.xlsx]") == "List.  [default: 待删除清单.xlsx]"
