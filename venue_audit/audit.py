"""The whole audit in one call: case → acquire → scan → identify → assess → report.

This is what ``venue-audit audit`` and ``venue-audit demo`` run, and what a
Python user calls (``from venue_audit import audit``). Each stage is the same
library call its own command makes, so a one-command audit and a step-by-step
one produce the same case and the same summary.json.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from venue_audit import acquire as acquisition
from venue_audit.assess import assess_case
from venue_audit.case import Case, CaseInfo
from venue_audit.case.amendment import reconcile
from venue_audit.case.output_paths import Output, case_evidence, refuse_overlap
from venue_audit.case.workspace import SELF_AUDIT, check_case_info
from venue_audit.errors import UsageError
from venue_audit.faces import EngineConfig, face_pool
from venue_audit.identify import identify
from venue_audit.offsite import mark_offsite
from venue_audit.preflight import (
    judged_at,
    require_case_folder,
    require_consent_inputs,
    require_output_file,
    require_sources,
    require_within_sources,
)
from venue_audit.report.i18n import LANGS
from venue_audit.scan import ScanOptions, scan
from venue_audit.summary import build_summary
from venue_audit.user_files import require_inputs

StageCallback = Callable[[str, int, int], None]
ProgressCallback = Callable[[int, int], None]
STAGES = ("acquire", "scan", "identify", "assess", "report")


@dataclass
class AuditRequest:
    sources: list[Path]
    case_dir: Path
    case_info: CaseInfo | None = None
    consent_log: Path | None = None
    policy: Path | None = None
    as_of: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    report_pdf: Path | None = None
    summary_json: Path | None = None
    lang: str = "zh"
    redact: bool = True
    workers: int = 0
    # sources (or folders within them) taken from outside the venue: cloud, another host
    offsite: list[Path] = field(default_factory=list)
    # an existing case whose details differ from case_info: record an amendment, not refuse
    amend: bool = False
    # the to-delete list (.csv or .xlsx, SQL scripts beside it); a self-audit always makes one
    to_delete: Path | None = None
    # the face engine's settings (encoder, smallest face); None: the defaults
    engine: EngineConfig | None = None


@dataclass
class AuditResult:
    case_dir: Path
    summary: dict[str, Any]
    report: Any = None
    to_delete: Any = None  # remediation.ToDeleteList, when one was made


def audit_outputs(request: AuditRequest) -> list[Output]:
    """Every path an audit writes: case folder, report and annexes, summary, to-delete list."""
    outputs: list[Output] = [("the case folder", request.case_dir)]
    if request.report_pdf is not None:
        from venue_audit.report.case_report import report_output_paths

        outputs += report_output_paths(request.report_pdf)
    if request.summary_json is not None:
        outputs.append(("the summary file", request.summary_json))
    if request.to_delete is not None:
        from venue_audit.remediation.export import to_delete_outputs

        outputs += to_delete_outputs("the to-delete list", request.to_delete)
    return outputs


def check_request(request: AuditRequest) -> date:
    """Refuse here, before a case folder is made, whatever can be refused; returns the as-of day.

    Outputs (case folder, report and annexes, summary file) in, on or around a source or
    an evidence path the case already holds are refused, and so are inputs that are not
    regular files (a FIFO as consent register).
    """
    require_case_folder(request.case_dir)
    require_sources(request.sources)
    require_within_sources(request.offsite, request.sources)
    refuse_overlap(audit_outputs(request), request.sources)
    if (request.case_dir / "case.db").exists():
        refuse_overlap(audit_outputs(request)[1:], case_evidence(Case(request.case_dir).db))
    require_inputs((request.consent_log, "consent register"), (request.policy, "policy file"))
    for option, path in (
        ("--report", request.report_pdf),
        ("--json-out", request.summary_json),
        ("--to-delete", request.to_delete),
    ):
        if path is not None:
            require_output_file(path, option)
    if request.lang not in LANGS:
        raise UsageError(f"--lang {request.lang!r}: choose one of {', '.join(LANGS)}")
    if request.to_delete is not None and request.to_delete.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--to-delete {request.to_delete}: write the list as .csv or .xlsx")
    if (request.case_dir / "case.db").exists():
        info = Case(request.case_dir).info
        day = judged_at(request.as_of, request.policy, info.as_of)
    else:
        info = request.case_info or CaseInfo("", "", [])
        day = judged_at(request.as_of, request.policy)
        check_case_info(info)
    require_consent_inputs(request.consent_log, request.policy, request.links, info.tz)
    return day


def audit(
    request: AuditRequest,
    on_stage: StageCallback | None = None,
    command: list[str] | None = None,
    progress: ProgressCallback | None = None,
) -> AuditResult:
    """Run every stage; an existing case folder is reused (acquire and scan are idempotent).

    ``on_stage(name, index, count)`` announces each stage; ``progress(done, total)`` counts
    within the stages that can (acquire in bytes, scan in items).
    """

    def stage(name: str) -> None:
        if on_stage:
            on_stage(name, STAGES.index(name), len(STAGES))

    as_of = check_request(request).isoformat()
    if (request.case_dir / "case.db").exists():
        case = Case(request.case_dir)
        if request.case_info is not None:
            reconcile(case, request.case_info, request.amend, command)
    else:
        assert request.case_info is not None  # check_request refused it otherwise
        case = Case.create(request.case_dir, request.case_info, command, request.sources)
    with case.writing("audit"):  # one writer for the whole audit, not stage by stage
        return _run(case, request, as_of, stage, command, progress)


def _run(
    case: Case,
    request: AuditRequest,
    as_of: str,
    stage: Callable[[str], None],
    command: list[str] | None,
    progress: ProgressCallback | None,
) -> AuditResult:
    options = ScanOptions(workers=request.workers, engine=request.engine or EngineConfig())
    # The face workers start (seconds: models load once in a fork server) while acquisition runs.
    with face_pool(options.workers or os.cpu_count()) as pool:
        stage("acquire")
        acquisition.acquire(
            case,
            request.sources,
            workers=request.workers or None,
            progress=progress,
            command=command,
        )
        acquisition.export_manifest(case)
        if request.offsite:
            mark_offsite(case, request.offsite, command)
        stage("scan")
        scan(case, options, progress=progress, command=command, pool=pool)
    stage("identify")
    identify(case, command)
    stage("assess")
    assess_case(case, request.consent_log, request.policy, request.links, as_of, command)
    listed = None
    if case.info.purpose == SELF_AUDIT or request.to_delete is not None:
        from venue_audit.remediation import make_to_delete
        from venue_audit.remediation.export import export_to_delete

        listed = make_to_delete(case, command)
        if request.to_delete is not None:
            export_to_delete(
                listed, request.to_delete, case.info.case_no, "en" if request.lang == "en" else "zh"
            )
    summary = build_summary(case)
    report = None
    if request.report_pdf is not None:
        stage("report")
        from venue_audit.report import report_case

        report = report_case(
            case,
            request.report_pdf,
            as_of=summary["as_of"],
            lang=request.lang,
            redact=request.redact,
            command=command,
        )
    if request.summary_json is not None:
        request.summary_json.parent.mkdir(parents=True, exist_ok=True)
        request.summary_json.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return AuditResult(case.directory, summary, report, listed)
