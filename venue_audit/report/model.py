"""Everything the report shows, as plain data.

The renderer never queries a database: :func:`venue_audit.report.load.load_report_data`
fills a :class:`ReportData` from ``case.db``, and tests (or another front end)
can build one by hand. Keeping the two apart means the PDF can be tested
against numbers whose true values are known, without a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

SUMMARY_SCHEMA = "venue-audit.summary/1"
# What a file's extension promises; the acquisition's type comes from its bytes.
EXTENSION_TYPES = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".bmp": "bmp",
    ".webp": "webp", ".tif": "tiff", ".tiff": "tiff", ".heic": "heif", ".zip": "zip",
    ".7z": "7z", ".gz": "gzip", ".pdf": "pdf", ".npy": "npy", ".mp4": "mp4", ".mkv": "matroska",
    ".avi": "avi", ".db": "sqlite", ".sqlite": "sqlite", ".sqlite3": "sqlite",
}
PERSON_STATUSES = ("no_consent", "withdrawn_retained", "expired_retained", "consented")


@dataclass
class CaseDetails:
    case_no: str
    venue: str
    examiners: list[str]
    title: str = ""
    org: str = ""
    tz: str = "Asia/Shanghai"
    created_at: str = ""
    as_of: str = ""
    period_start: str = ""
    period_end: str = ""
    place: str = ""
    commissioned_at: str = ""
    material_source: str = ""
    handover_at: str = ""
    requirements: str = ""
    witnesses: list[str] = field(default_factory=list)
    holder: str = ""
    purpose: str = "examination"  # or "self-audit": a business's own compliance check


@dataclass
class EvidenceItem:
    path: str
    type: str
    size: int
    mtime: str
    md5: str
    sha256: str
    sm3: str
    acquired_at: str = ""
    verified_sha256: str | None = None
    after_state: bool = False  # acquired by verify-deletion after the claimed deletion

    @property
    def archive_member(self) -> bool:
        return "!/" in self.path

    @property
    def disguised(self) -> str | None:
        """The extension's type when the content is another type (a WebP named .jpg), else None."""
        suffix = PurePosixPath(self.path.split("!/")[-1]).suffix.lower()
        expected = EXTENSION_TYPES.get(suffix)
        if expected is None or not self.type or self.type in (expected, "empty"):
            return None
        return suffix

    @property
    def integrity(self) -> str:
        """``match``, ``mismatch`` or ``unchecked`` (not re-hashed at report time)."""
        if self.verified_sha256 is None:
            return "unchecked"
        return "match" if self.verified_sha256 == self.sha256 else "mismatch"


@dataclass
class StoreRow:
    path: str
    kind: str
    profile: str
    records: int = 0
    face_images: int = 0
    face_templates: int = 0
    deleted_recoverable: int = 0
    exact_duplicates: int = 0
    offsite: str | None = None  # why the store is off-site ("marked", "path: cloud"), or None


@dataclass
class ModelFile:
    name: str
    sha256: str
    path: str = ""


@dataclass
class Transformation:
    """A step that turned evidence bytes into what was counted (carving, WAL replay, decoding)."""

    name: str
    description_zh: str
    description_en: str
    count: int | None = None


@dataclass
class Methodology:
    tool_name: str = "venue-audit"
    tool_version: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    libraries: dict[str, str] = field(default_factory=dict)
    models: list[ModelFile] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    clustering: str = ""
    clustering_zh: str = ""
    transformations: list[Transformation] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


@dataclass
class Thumbnail:
    label: str
    image: bytes
    evidence_no: int | None = None  # the item's number in the evidence list (电子数据清单)


@dataclass
class FindingSection:
    rule: str
    severity: str
    title_zh: str
    title_en: str
    count: int
    citations: list[str] = field(default_factory=list)
    locators: list[str] = field(default_factory=list)
    person_ids: list[int | str] = field(default_factory=list)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    detail_zh: str = ""
    detail_en: str = ""
    # citations of instruments that came into force after the conduct: shown as guidance only
    later_guidance: list[str] = field(default_factory=list)
    conduct_first: str = ""
    conduct_last: str = ""
    unit: str = "persons"  # what ``count`` counts: persons, records, items, log_lines


@dataclass
class PersonRow:
    """One person as the persons table and persons.csv show them, checkable against the venue's
    own records: its keys, the consent rows matched (or why none), where and when seen."""

    id: int | str
    records: int
    first_seen: str
    last_seen: str
    status: str
    space: str = ""
    deleted_records: int = 0
    keys: list[str] = field(default_factory=list)  # "visitor_id=V1001"
    consent_status: str = ""  # the consent judgement (also for persons only in deleted data)
    consent_rows: list[str] = field(default_factory=list)  # "到访登记同意书.csv row 2"
    consent_reason: str = ""
    consent_notes: list[dict[str, Any]] = field(default_factory=list)  # [{code, params}]
    stores: list[str] = field(default_factory=list)
    cameras: list[str] = field(default_factory=list)
    first_seen_source: str = ""  # the clock the time comes from: file name, DB column, EXIF ...
    last_seen_source: str = ""
    # how each time's UTC offset was known: stored, absolute (Unix time), assumed; "" unknown
    first_seen_offset: str = ""
    last_seen_offset: str = ""


@dataclass
class LogEvent:
    """An upload, deletion or packing seen in a log (the Qingpu pattern: pack, upload, delete)."""

    date: str
    kind: str
    count: int = 1  # files where the lines say how many, else one per line (the chart's height)
    remote_host: str = ""
    lines: int = 0  # log lines of this kind, day and host
    files: int | None = None  # files the lines say they moved; None when no line says
    # device face events: how many name a picture linked to a capture record of the
    # evidence, and how many name pictures none of which is in the evidence
    linked: int = 0
    unlinked: int = 0


@dataclass
class Timeline:
    captures_per_day: dict[str, int] = field(default_factory=dict)
    log_events: list[LogEvent] = field(default_factory=list)


@dataclass
class CustodyEvent:
    seq: int
    at: str
    actor: str  # the OS account the tool ran under
    action: str
    command: str
    hash: str
    examiners: list[str] = field(default_factory=list)  # who acted, by name
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class SkippedItem:
    """Something not read (or, in the consent register, not understood), and why.

    ``reason`` is the tool's own sentence; ``code`` and ``params`` let the report word it
    in its language (:mod:`venue_audit.report.reasons`).
    """

    locator: str
    reason: str
    stage: str = ""
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class VerificationRow:
    subject: str  # a baseline store's path, or a person's id when ``person`` is set
    live: int
    recoverable: int
    gone: int
    verdict: str
    person: bool = False


@dataclass
class ResidualRow:
    """One baseline item found again after the deletion, and where."""

    baseline: str
    found_at: str
    how: str
    state: str


@dataclass
class VerificationSection:
    """Deletion verification: what is still there after a claimed deletion."""

    verdict: str
    rows: list[VerificationRow] = field(default_factory=list)
    baseline: str = ""
    after: str = ""
    residual: list[ResidualRow] = field(default_factory=list)
    residual_total: int = 0
    raw: dict[str, Any] | None = None  # the verdict as verify-deletion stored it (the annex)


@dataclass
class ToDeleteRow:
    """One item of the to-delete list as the self-audit report prints it."""

    number: int
    reasons: list[str]
    state: str
    action: str
    place: str
    person_keys: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)


@dataclass
class SelfAuditSection:
    """The self-audit's own pages: duties, the to-delete list and the before/after check."""

    items: int
    digest: str
    by_reason: dict[str, int]
    rows: list[ToDeleteRow] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)  # database, table, key, rows
    remotes: list[str] = field(default_factory=list)
    basis_by_reason: dict[str, list[str]] = field(default_factory=dict)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    follow_up: dict[str, Any] | None = None  # verify-deletion's check of the list


@dataclass
class ReportData:
    case: CaseDetails
    summary: dict[str, Any]
    evidence: list[EvidenceItem] = field(default_factory=list)
    stores: list[StoreRow] = field(default_factory=list)
    methodology: Methodology = field(default_factory=Methodology)
    findings: list[FindingSection] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)
    persons_band: tuple[int, int] | None = None
    timeline: Timeline = field(default_factory=Timeline)
    retention_ages_days: list[int] = field(default_factory=list)
    retention_limit_days: int | None = None
    custody: list[CustodyEvent] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    consent_problems: list[SkippedItem] = field(default_factory=list)
    # how consent was checked: against a register, with none given, or not at all
    consent_check: str = "register"  # "register", "no_register", "not_run"
    verification: VerificationSection | None = None
    self_audit: SelfAuditSection | None = None


def empty_summary(tool_version: str = "", as_of: str = "") -> dict[str, Any]:
    """A summary in the DESIGN.md contract with every count at zero."""
    return {
        "schema": SUMMARY_SCHEMA,
        "tool_version": tool_version,
        "as_of": as_of,
        "evidence": {"files": 0, "bytes": 0, "manifest_sha256": ""},
        "stores": [],
        "faces": {
            "records": 0,
            "face_images": 0,
            "faces_in_images": 0,
            "face_templates": 0,
            "video_frames_with_faces": 0,
            "exact_duplicates": 0,
            "deleted_recoverable": 0,
        },
        "persons": {
            "distinct": 0,
            "only_in_deleted": 0,
            "by_status": {
                "consented": 0,
                "no_consent": 0,
                "withdrawn_retained": 0,
                "expired_retained": 0,
            },
        },
        "findings": [],
    }
