"""The README's commands work as written: every ``venue-audit`` line of its shell examples
parses (known command, known options, required arguments present), and its hashdeep
cross-check passes on a case acquired from two sources."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from venue_audit.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """Each ``venue-audit …`` command of the README's ```sh blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split(" # ")[0].strip()
            if line.startswith("venue-audit "):
                commands.append(line)
    return commands


def parse(command: str) -> None:
    """Parse ``command`` as the program would, without running it."""
    args = shlex.split(command)[1:]
    group = typer.main.get_command(app)
    context = group.make_context("venue-audit", list(args), resilient_parsing=False)
    while hasattr(group, "resolve_command"):  # a group: find the subcommand, parse its args
        first = getattr(context, "_protected_args", None) or getattr(
            context, "protected_args", None
        )
        pending = [*(first or []), *context.args]
        name, sub, rest = group.resolve_command(context, pending)
        assert sub is not None, f"unknown command {name} in: {command}"
        context = sub.make_context(name, rest, parent=context)
        group = sub


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 15


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_parses(command: str) -> None:
    parse(command)


@pytest.mark.skipif(
    shutil.which("hashdeep") is None, reason="hashdeep not installed (.ci/run installs it)"
)
def test_the_readme_hashdeep_cross_check_names_every_source(
    tmp_path: Path, evidence_tree: Path
) -> None:
    (evidence_tree / "link-to-etc").unlink()  # hashdeep -r follows directory links; we never do
    server, backup = evidence_tree / "server", evidence_tree / "cloud-backup.zip"
    case_dir = tmp_path / "case"
    runner = CliRunner()
    new = [
        "case",
        "new",
        str(case_dir),
        "--case-no",
        "1",
        "--venue",
        "v",
        "--examiner",
        "a",
        "--examiner",
        "b",
    ]
    assert runner.invoke(app, new).exit_code == 0
    assert (
        runner.invoke(app, ["acquire", str(case_dir), str(server), str(backup), "-q"]).exit_code
        == 0
    )
    manifest = str(case_dir / "manifest.hashdeep")
    both = subprocess.run(
        ["hashdeep", "-a", "-k", manifest, "-r", str(server), str(backup)],
        capture_output=True,
        text=True,
    )
    assert both.returncode == 0 and "Audit passed" in both.stdout, both.stdout + both.stderr
    one = subprocess.run(
        ["hashdeep", "-a", "-k", manifest, "-r", str(server)], capture_output=True, text=True
    )
    assert one.returncode != 0  # the README's old form: the zip's entry is "not found"

    # The two counts differ only by the archive members, and verify-manifest says so.
    verbose = subprocess.run(
        ["hashdeep", "-a", "-v", "-k", manifest, "-r", str(server), str(backup)],
        capture_output=True,
        text=True,
    )
    hashdeep_matched = int(re.search(r"Files matched: (\d+)", verbose.stdout)[1])
    ours = runner.invoke(app, ["verify-manifest", str(case_dir), "-q", "--json"])
    counted = json.loads(ours.stdout)
    assert counted["matched_files"] == hashdeep_matched
    assert counted["matched_archive_members"] > 0
    assert counted["counts"]["matched"] == hashdeep_matched + counted["matched_archive_members"]
    said = runner.invoke(app, ["verify-manifest", str(case_dir), "-q"]).stdout
    assert f"matched = {hashdeep_matched} files on disk (what hashdeep checks)" in said
