"""Checks made before any work starts, shared by the commands and the one-call audit.

A mistake found after thirteen seconds of hashing leaves a half-built case and a confused
examiner; found first, it costs nothing. These functions raise
:class:`~venue_audit.errors.UsageError` with one sentence naming the option and the fix.
The examiner's own input files (consent register, policy, certificate) are checked by
reading them with the code that reads them for real, so the check and the use cannot differ.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from venue_audit.errors import UsageError


def parse_day(value: str | None, option: str = "--as-of") -> date | None:
    """``YYYY-MM-DD`` as a date (``None`` stays ``None``); anything else is refused."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def judged_at(as_of: str | None, policy_file: Path | None, recorded: str = "") -> date:
    """The day the audit is judged at: ``--as-of``, else the policy file's ``as_of``, else the
    date the case was last assessed at (``recorded``); one of them is required.

    Without it "today" would creep into the report, and a rerun tomorrow would differ.
    """
    day = parse_day(as_of)
    if day is not None:
        return day
    if policy_file is not None:
        from venue_audit.consent.policy import ConsentPolicy

        in_policy = ConsentPolicy.from_toml(policy_file).as_of
        if in_policy is not None:
            return in_policy
    if recorded:
        return date.fromisoformat(recorded[:10])
    raise UsageError(
        "give --as-of DATE (YYYY-MM-DD), the day the audit is judged at, or as_of in the policy"
    )


def require_sources(sources: Iterable[Path]) -> list[Path]:
    """Every source exists (a dangling symlink is evidence too: it is recorded, not followed)."""
    checked = []
    for source in sources:
        source = Path(source)
        if not source.exists() and not source.is_symlink():
            raise UsageError(f"source {source} does not exist")
        checked.append(source)
    if not checked:
        raise UsageError("name at least one source to examine")
    return checked


def require_case_folder(directory: Path) -> Path:
    """A case folder path that is a folder or does not exist yet (never a file)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a case folder; name a folder")
    _require_room_for(directory, str(directory))
    return directory


def require_output_file(path: Path, option: str) -> Path:
    """A file a command will write (``--out report.pdf``): not a folder, and the folders it
    goes in are folders or can be made, so nothing fails after the work is done."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; name the file to write")
    _require_room_for(path, f"{option} {path}")
    return path


def require_output_folder(path: Path, option: str) -> Path:
    """A folder a command will write into (``export --out DIR``): a folder or not there yet."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path} is a file; name a folder to write into")
    _require_room_for(path, f"{option} {path}")
    return path


def _require_room_for(path: Path, said: str) -> None:
    """The nearest existing folder above ``path`` is a folder this process may write in."""
    for parent in Path(os.path.abspath(path)).parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{said}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise UsageError(f"{said}: no permission to write in {parent}")
            return


def distinct_examiners(names: Iterable[str]) -> list[str]:
    """At least two examiners, each named once: one person given twice is not two examiners."""
    examiners = [" ".join(name.split()) for name in names]
    if any(not name for name in examiners):
        raise UsageError("an --examiner name is empty")
    if len({name.casefold() for name in examiners}) < len(examiners):
        folded = [name.casefold() for name in examiners]
        repeated = sorted({n for n in examiners if folded.count(n.casefold()) > 1})
        raise UsageError(
            f"examiner {', '.join(repeated)} is named twice: name two different examiners"
        )
    if len(examiners) < 2:
        raise UsageError(
            "name at least two examiners (--examiner A --examiner B): Chinese evidence rules "
            "require two"
        )
    return examiners


def responsible_person(names: Iterable[str]) -> list[str]:
    """A self-audit's one responsible person (个人信息保护负责人), named, and only one."""
    people = [" ".join(name.split()) for name in names]
    if len(people) != 1 or not people[0]:
        raise UsageError(
            "a self-audit names one responsible person (--responsible NAME), "
            "the business's 个人信息保护负责人"
        )
    return people


def require_within_sources(marked: Iterable[Path], sources: Iterable[Path | str]) -> None:
    """Every ``--offsite`` path is a source or inside one: marking is not acquiring."""
    roots = [Path(os.path.abspath(s)) for s in sources]
    for path in marked:
        absolute = Path(os.path.abspath(path))
        if not any(absolute == root or root in absolute.parents for root in roots):
            raise UsageError(
                f"--offsite {path} is not one of the sources nor inside one; name it as a "
                "source too, so it is acquired"
            )


def require_consent_inputs(
    consent_log: Path | None,
    policy_file: Path | None,
    links: Iterable[tuple[str, str]] = (),
    tz: str | None = None,
) -> None:
    """The consent register and the policy read as the assess stage will read them, and every
    ``--link`` names a column of the register: a mistake in either is refused before
    acquisition and scan, not after them with a half-built case."""
    if policy_file is not None:
        from venue_audit.consent.policy import ConsentPolicy

        ConsentPolicy.from_toml(policy_file)
    if consent_log is None:
        return
    from venue_audit.consent import load_consent_log

    log = load_consent_log(consent_log, tz=tz)
    for person_kind, column in links:
        if column not in log.headers:
            raise UsageError(f"--link {person_kind}={column}: the log has no column {column!r}")
