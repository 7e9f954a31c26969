"""The machine-readable annexes written beside the PDF, and their hash list.

The PDF shows aggregates and top-N tables so it stays readable for a case of
28,000 records; the annexes carry every row. ``annexes.sha256`` is in
``sha256sum`` format so any examiner can check the set with ``sha256sum -c``
without our tool; it also lists the PDF itself, whose hash the PDF cannot hold.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from venue_audit.acquire.exports import CSV_HEADERS as MANIFEST_HEADERS
from venue_audit.report import i18n
from venue_audit.report.model import EvidenceItem, FindingSection, PersonRow

SUMMARY_NAME = "summary.json"
MANIFEST_NAME = "manifest.csv"
FINDINGS_NAME = "findings.csv"
PERSONS_NAME = "persons.csv"
VERIFICATION_NAME = "verification.json"
HASH_LIST_NAME = "annexes.sha256"

INTEGRITY_HEADERS = ["报告时SHA-256", "复核结果"]
FINDINGS_HEADERS = [
    "规则 rule",
    "严重程度 severity",
    "标题 title_zh",
    "title_en",
    "数量 count",
    "法律依据 citations",
    "后续施行的参考规定 later_guidance",
    "证据位置 locators",
    "人员编号 person_ids",
]
PERSONS_HEADERS = [
    "人员编号 person_id",
    "特征空间 space",
    "记录数 records",
    "已删除可恢复记录数 deleted_records",
    "首次采集 first_seen",
    "首次采集时间来源 first_seen_source",
    "最后采集 last_seen",
    "最后采集时间来源 last_seen_source",
    "状态 status",
    "同意核查结果 consent_status",
    "场所标识 venue_keys",
    "关联同意记录 consent_rows",
    "同意核查说明 consent_reason",
    "存储位置 stores",
    "摄像头 cameras",
    "同意核查说明（中文） consent_reason_zh",
    "首次采集时间的时区依据 first_seen_offset",
    "最后采集时间的时区依据 last_seen_offset",
]


def summary_bytes(summary: dict[str, Any]) -> bytes:
    """The exact bytes of summary.json, so its hash can go in the footer before it is written.

    Undecodable file-name bytes (lone surrogates) cannot be UTF-8: then the whole
    file is written with ASCII escapes, which is still the same JSON value.
    """
    text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(summary, ensure_ascii=True, indent=2) + "\n").encode("ascii")


def write_summary(summary: dict[str, Any], target: Path) -> None:
    target.write_bytes(summary_bytes(summary))


def write_json(value: dict[str, Any], target: Path) -> None:
    """Another JSON annex (the deletion verdict), written the way summary.json is."""
    target.write_bytes(summary_bytes(value))


def write_manifest(evidence: list[EvidenceItem], target: Path) -> None:
    """The 电子数据清单 with the acquisition manifest's headers, plus the report-time check."""
    with target.open("w", encoding="utf-8-sig", errors="backslashreplace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_HEADERS + INTEGRITY_HEADERS)
        for number, item in enumerate(evidence, 1):
            writer.writerow(
                [
                    number,
                    Path(item.path).name,
                    item.path,
                    item.type,
                    item.size,
                    item.mtime,
                    item.md5,
                    item.sha256,
                    item.sm3,
                    item.verified_sha256 or "",
                    item.integrity,
                ]
            )


def write_findings(findings: list[FindingSection], target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", errors="backslashreplace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FINDINGS_HEADERS)
        for finding in findings:
            writer.writerow(
                [
                    finding.rule,
                    finding.severity,
                    finding.title_zh,
                    finding.title_en,
                    finding.count,
                    "; ".join(finding.citations),
                    "; ".join(finding.later_guidance),
                    "; ".join(finding.locators),
                    " ".join(str(p) for p in finding.person_ids),
                ]
            )


def write_persons(persons: list[PersonRow], target: Path) -> None:
    """One row per person, never an image: the annex must not become a new leak."""
    with target.open("w", encoding="utf-8-sig", errors="backslashreplace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PERSONS_HEADERS)
        for person in persons:
            writer.writerow(
                [
                    person.id,
                    person.space,
                    person.records,
                    person.deleted_records,
                    person.first_seen,
                    person.first_seen_source,
                    person.last_seen,
                    person.last_seen_source,
                    person.status,
                    person.consent_status,
                    "; ".join(person.keys),
                    "; ".join(person.consent_rows),
                    person.consent_reason,
                    "; ".join(person.stores),
                    "; ".join(person.cameras),
                    "；".join(
                        i18n.consent_reasons(person.consent_notes, person.consent_reason, "zh")
                    ),
                    person.first_seen_offset,
                    person.last_seen_offset,
                ]
            )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_hash_list(directory: Path, names: list[str], target: Path) -> dict[str, str]:
    """``sha256sum`` lines for the named files in ``directory``; returns name -> hash."""
    hashes = {name: file_sha256(directory / name) for name in names}
    target.write_text(
        "".join(f"{digest}  {name}\n" for name, digest in hashes.items()), encoding="utf-8"
    )
    return hashes


class HashListError(ValueError):
    """annexes.sha256 is missing or a line is not ``<64 hex>  <name>``."""


def read_hash_list(path: Path) -> list[tuple[str, str]]:
    """(hash, name) pairs; names must be plain file names beside the list, never paths."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise HashListError(f"cannot read {path}: {error}") from error
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        digest, separator, name = line.partition("  ")
        name = name.lstrip("*")
        if (
            not separator
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
            or not name
            or Path(name).name != name
        ):
            raise HashListError(f"{path.name}, line {number}: not a '<sha256>  <file name>' line")
        entries.append((digest, name))
    return entries
