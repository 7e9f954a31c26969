"""Refuse any output that would land in, on or around the evidence, before any work starts.

An examiner who types ``--json EXPORT/ok.jpg`` or ``--case EXPORT/case`` must get a
refusal, not a replaced evidence file or a case folder written into the export.
Every output the tool writes (the case folder, the report and its annexes, a
summary file) is checked against every evidence path: equal, inside or above is
refused. Both sides are compared as given (made absolute) and with symlinks
resolved, so a link that leads into the evidence is caught too, and an existing
output file with a second hard link is refused (writing it would rewrite the
other name's bytes).

A command that writes several files into one folder (the report and its annexes, the
export's timeline files, the SQL scripts beside a to-delete list) names them with a
:class:`FilesInFolder`: the folder is refused when it is or lies inside the evidence, and
evidence inside the folder only when the tool would write over it (one of the names it
gives its files, which may be patterns such as ``contact-sheet-person-*.png``).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from venue_audit.errors import UsageError

SNAPSHOTS = "snapshots"  # the case's own copies of live databases: evidence kept inside the case


class OutputPathError(UsageError):
    """An output path overlaps an evidence path; nothing was written."""


@dataclass(frozen=True)
class FilesInFolder:
    """Files a command writes into ``folder``, by name (``fnmatch`` patterns allowed)."""

    label: str
    folder: Path
    names: tuple[str, ...]

    def matches(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.names)


Output = tuple[str, Path] | FilesInFolder


def _forms(path: Path) -> set[Path]:
    """The path made absolute, and with every symlink in it resolved (it need not exist)."""
    absolute = Path(os.path.abspath(path))
    return {absolute, Path(os.path.realpath(absolute))}


def _related(output: Path, evidence: Path) -> str | None:
    if output == evidence:
        return "is"
    if evidence in output.parents:
        return "is inside"
    if output in evidence.parents:
        return "contains"
    return None


def refuse_overlap(outputs: Iterable[Output], evidence: Iterable[Path]) -> None:
    """Raise :class:`OutputPathError` when an output is, is inside or contains an evidence path.

    ``outputs`` pairs a label the examiner recognises (``--json-out``, ``the case folder``)
    with the path, or names the files written into a folder (:class:`FilesInFolder`);
    ``evidence`` are the sources as given on the command line or in the case.
    """
    sources = [(Path(e), _forms(Path(e))) for e in evidence]
    for output in outputs:
        if isinstance(output, FilesInFolder):
            _refuse_folder(output, sources)
            continue
        label, path = output[0], Path(output[1])
        for mine in _forms(path):
            for source, theirs in sources:
                for their in theirs:
                    relation = _related(mine, their)
                    if relation is not None:
                        raise _refusal(label, path, relation, source)
        _refuse_shared_inode(label, path)


def _refusal(label: str, output: Path, relation: str, source: Path) -> OutputPathError:
    return OutputPathError(
        f"{label} {output} {relation} the evidence {source}: "
        "outputs are never written into, onto or around evidence; choose a folder outside it"
    )


def _refuse_folder(output: FilesInFolder, sources: list[tuple[Path, set[Path]]]) -> None:
    folder = Path(output.folder)
    for mine in _forms(folder):
        for source, theirs in sources:
            for their in theirs:
                relation = _related(mine, their)
                if relation in ("is", "is inside"):
                    raise _refusal(f"the folder of {output.label}", folder, relation, source)
                if relation == "contains":
                    written = their.relative_to(mine).parts[0]
                    if output.matches(written):
                        target = mine / written
                        relation = _related(target, their) or "is"
                        raise _refusal(output.label, target, relation, source)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in sorted(names):
        if output.matches(name):
            _refuse_shared_inode(output.label, folder / name)


def _refuse_shared_inode(label: str, output: Path) -> None:
    try:
        info = os.stat(output)
    except OSError:
        return
    if not os.path.isdir(output) and info.st_nlink > 1:
        raise OutputPathError(
            f"{label} {output} exists with {info.st_nlink} hard links: writing it would change "
            "the bytes under its other names; choose a new file"
        )


def refuse_case_overlap(case_dir: Path, sources: Iterable[Path]) -> None:
    """The case folder is an output too: no source may be it, contain it or lie inside it.

    The one exception is the case's own ``snapshots/`` folder, where a live database
    acquisition keeps the copy it then acquires as evidence.
    """
    own_copies = _forms(Path(case_dir) / SNAPSHOTS)
    for source in sources:
        forms = _forms(Path(source))
        if any(f == c or c in f.parents for f in forms for c in own_copies):
            continue
        refuse_overlap([("the case folder", Path(case_dir))], [source])


def case_evidence(db: sqlite_utils.Database) -> list[Path]:
    """Every evidence root a case has acquired (its ``sources`` table)."""
    return [Path(row["root"]) for row in db.query("select root from sources")]
