"""Case details given again on a rerun: equal is fine, different is refused or amended.

``venue-audit audit --case ./case-001 --case-no NEW`` on an existing case used to ignore the
new case number silently, so the report carried the old one while the examiner believed the
new. Now a detail given on the command line must match the case, or the examiner asks for an
amendment (``--amend``): the case record changes and a ``case.amend`` custody event records
each field's old and new value, so the history stays visible.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from venue_audit.case.workspace import SELF_AUDIT, Case, CaseInfo
from venue_audit.errors import UsageError
from venue_audit.preflight import distinct_examiners, responsible_person

# Fields the case sets itself; an examiner never gives them.
_RECORDED_BY_THE_TOOL = {"created_at", "tool_version", "as_of"}


class CaseDetailsDiffer(UsageError):
    """Details given for an existing case differ from what it records; nothing was changed."""


def given_details(info: CaseInfo) -> dict[str, Any]:
    """The details a request sets: every examiner-given field not left empty or at its default."""
    given = {}
    for field in fields(CaseInfo):
        value = getattr(info, field.name)
        if field.name in _RECORDED_BY_THE_TOOL or not value or value == field.default:
            continue
        given[field.name] = value
    return given


def differences(case: Case, info: CaseInfo) -> dict[str, tuple[Any, Any]]:
    """``{field: (recorded, given)}`` for every given detail that differs from the case."""
    return {
        name: (getattr(case.info, name), value)
        for name, value in given_details(info).items()
        if getattr(case.info, name) != value
    }


def reconcile(
    case: Case, info: CaseInfo, amend: bool = False, command: list[str] | None = None
) -> dict[str, tuple[Any, Any]]:
    """Refuse differing details, or with ``amend`` record them; returns what differed."""
    changed = differences(case, info)
    if not changed:
        return changed
    if "purpose" in changed:
        raise CaseDetailsDiffer(
            f"case {case.directory} is a{'n' if case.info.purpose[0] in 'aeiou' else ''} "
            f"{case.info.purpose} case; a case's purpose cannot change: use a new case folder"
        )
    if not amend:
        described = "; ".join(
            f"{_option(name)} {_shown(new)} (the case records {_shown(old)})"
            for name, (old, new) in changed.items()
        )
        raise CaseDetailsDiffer(
            f"case {case.directory} already exists with other details: {described}; "
            "drop the option to keep the case as it is, or add --amend to record an amendment"
        )
    if "examiners" in changed:
        check = responsible_person if case.info.purpose == SELF_AUDIT else distinct_examiners
        check(changed["examiners"][1])
    row = {
        name: json.dumps(new, ensure_ascii=False) if isinstance(new, list) else new
        for name, (_old, new) in changed.items()
    }
    assignments = ", ".join(f"[{name}] = ?" for name in row)
    with case.db.conn:
        case.db.execute(f"update case_info set {assignments}", list(row.values()))
    case.log(
        "case.amend",
        {name: {"from": old, "to": new} for name, (old, new) in changed.items()},
        command,
    )
    case.info = Case(case.directory).info
    return changed


def _option(name: str) -> str:
    named = {"examiners": "--examiner", "witnesses": "--witness"}
    return named.get(name, "--" + name.replace("_", "-"))


def _shown(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else repr(value)
