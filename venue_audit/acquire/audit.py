"""Re-hash the evidence and compare it with the manifest (hashdeep's audit mode).

The vocabulary is hashdeep's, which examiners already know: *matched* (same
path, same digests), *changed* (same path, other digests), *moved* (same
digests, other path), *missing* (in the manifest, gone now) and *new* (present
now, not in the manifest). Anything but *matched* fails the audit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from venue_audit.acquire.acquisition import ProgressCallback, hash_source
from venue_audit.acquire.limits import DEFAULT_LIMITS
from venue_audit.acquire.walk import list_entries
from venue_audit.case import Case
from venue_audit.case.lock import writes_case


@dataclass
class AuditResult:
    matched: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.changed or self.moved or self.missing or self.new)

    def counts(self) -> dict[str, int]:
        return {
            "matched": len(self.matched),
            "changed": len(self.changed),
            "moved": len(self.moved),
            "missing": len(self.missing),
            "new": len(self.new),
        }


def _digests(row: object) -> tuple[object, ...]:
    if isinstance(row, dict):
        return (row["sha256"], row["md5"], row["sm3"], row["size"], row["entry"])
    return (row.sha256, row.md5, row.sm3, row.size, row.entry)  # type: ignore[attr-defined]


@writes_case
def verify_manifest(
    case: Case,
    sources: list[Path] | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    command: list[str] | None = None,
) -> AuditResult:
    """Audit the given sources (default: every source of the case) against the manifest."""
    workers = workers or os.cpu_count() or 1
    known_roots = [row["root"] for row in case.db.query("select root from sources order by root")]
    roots = [str(Path(s).absolute()) for s in sources] if sources else known_roots
    result = AuditResult()
    for root in roots:
        expected = {
            row["path"]: row
            for row in case.db.query(
                "select e.* from evidence e join sources s on s.id = e.source_id where s.root = ? and e.current = 1",
                [root],
            )
        }
        found = {}
        root_path = Path(root)
        if root_path.exists() or root_path.is_symlink():
            entries = list(list_entries(root_path, exclude=(case.directory,)))
            for records in hash_source(root_path, entries, workers, DEFAULT_LIMITS, progress):
                for record in records:
                    found[record.path] = record
        for path, row in expected.items():
            record = found.get(path)
            if record is None:
                continue
            (result.matched if _digests(record) == _digests(row) else result.changed).append(path)
        gone = {path: row for path, row in expected.items() if path not in found}
        gone_by_hash = {row["sha256"]: path for path, row in gone.items() if row["sha256"]}
        for path, record in found.items():
            if path in expected:
                continue
            origin = gone_by_hash.pop(record.sha256, None) if record.sha256 else None
            if origin is not None:
                result.moved.append((origin, path))
                del gone[origin]
            else:
                result.new.append(path)
        result.missing.extend(gone)
    case.log(
        "verify-manifest",
        {
            "sources": roots,
            **result.counts(),
            "passed": result.passed,
            "changed": result.changed[:100],
            "missing": result.missing[:100],
            "new": result.new[:100],
        },
        command,
    )
    return result
