"""What other forensic tools read, written from the case database.

- ``timeline.l2t.csv``: plaso's l2tcsv (``psort -o l2tcsv`` columns), for plaso users and
  Timesketch;
- ``timeline.jsonl``: the same events as JSON lines, Timesketch's streaming import;
- ``case-uco.jsonld``: the acquisition and the examination as CASE/UCO provenance;
- XLSX copies of the report's CSV annexes (written by the report, :mod:`.xlsx`);
- a browsable copy of the case for Datasette (:mod:`.datasette`).

``export_case`` writes the first three into a folder and logs their SHA-256 in custody.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from venue_audit.case import Case
from venue_audit.case.output_paths import FilesInFolder, case_evidence, refuse_overlap
from venue_audit.exports.case_uco import write_case_uco
from venue_audit.exports.timeline import case_timeline
from venue_audit.exports.timeline_files import write_jsonl, write_l2tcsv

TIMELINE_CSV = "timeline.l2t.csv"
TIMELINE_JSONL = "timeline.jsonl"
CASE_UCO = "case-uco.jsonld"


@dataclass
class ExportResult:
    directory: Path
    files: dict[str, Path] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    events: int = 0
    undated_records: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "files": {name: str(path) for name, path in self.files.items()},
            "sha256": self.sha256,
            "timeline_events": self.events,
            "undated_records": self.undated_records,
        }


def export_case(case: Case, directory: Path, command: list[str] | None = None) -> ExportResult:
    """Write the timeline files and the CASE/UCO provenance into ``directory``; log them.

    A folder in or on the evidence, or evidence these files would overwrite, is refused
    before anything is written.
    """
    directory = Path(directory)
    written = FilesInFolder("the export", directory, (TIMELINE_CSV, TIMELINE_JSONL, CASE_UCO))
    refuse_overlap([written], case_evidence(case.db))
    directory.mkdir(parents=True, exist_ok=True)
    timeline = case_timeline(case)
    result = ExportResult(directory, events=len(timeline.events), undated_records=timeline.undated)
    write_l2tcsv(timeline, directory / TIMELINE_CSV)
    write_jsonl(timeline, directory / TIMELINE_JSONL)
    write_case_uco(case, directory / CASE_UCO)
    for name in (TIMELINE_CSV, TIMELINE_JSONL, CASE_UCO):
        path = directory / name
        result.files[name] = path
        result.sha256[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    case.log(
        "export",
        {
            "directory": str(directory.resolve()),
            "sha256": result.sha256,
            "timeline_events": result.events,
            "undated_records": result.undated_records,
        },
        command,
    )
    return result


__all__ = ["CASE_UCO", "TIMELINE_CSV", "TIMELINE_JSONL", "ExportResult", "export_case"]
