"""Count capture records, face images, templates and duplicates by DESIGN.md's rules.

- a *record* is one stored capture (file, archive member, database row); a row
  holding a crop and its template is one record with two artifacts;
- a record is an *exact duplicate* when every one of its artifacts has the
  SHA-256 of an artifact of an earlier record (a cloud zip holding the server's
  crops): it is linked to the original and not counted again;
- deleted-but-recoverable records are counted apart and never mixed into live.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from venue_audit.case import Case

IMAGE_KINDS = ("face_crop", "raw_frame")
ARCHIVE_MARK = "!/"


@dataclass
class StoreCounts:
    records: int = 0
    face_images: int = 0
    face_templates: int = 0
    duplicates: int = 0


@dataclass
class FaceCounts:
    records: int = 0
    face_images: int = 0
    faces_in_images: int = 0
    face_templates: int = 0
    video_frames_with_faces: int = 0
    exact_duplicates: int = 0
    deleted_recoverable: int = 0
    by_store: dict[int, StoreCounts] = field(default_factory=lambda: defaultdict(StoreCounts))
    duplicate_records: list[str] = field(default_factory=list)

    def as_summary(self) -> dict[str, int]:
        return {
            "records": self.records,
            "face_images": self.face_images,
            "faces_in_images": self.faces_in_images,
            "face_templates": self.face_templates,
            "video_frames_with_faces": self.video_frames_with_faces,
            "exact_duplicates": self.exact_duplicates,
            "deleted_recoverable": self.deleted_recoverable,
        }


def count_faces(case: Case) -> FaceCounts:
    counts = FaceCounts()
    faces_per_artifact = dict(
        case.db.execute("select artifact_id, count(*) from faces group by artifact_id").fetchall()
    )
    records: dict[str, list[dict]] = defaultdict(list)
    for artifact in case.db.query(
        "select id, record_key, store_id, kind, deleted, sha256 from artifacts order by id"
    ):
        records[artifact["record_key"]].append(artifact)
    deleted_keys = set()
    seen: set[str] = set()
    # Originals first: a copy inside an archive (a backup) is the duplicate, not the
    # database row it was copied from, whatever order the evidence was acquired in.
    ordered = sorted(records.items(), key=lambda item: (ARCHIVE_MARK in item[0], item[1][0]["id"]))
    for key, artifacts in ordered:
        if any(a["deleted"] for a in artifacts):
            deleted_keys.add(key)
            continue
        hashes = {a["sha256"] for a in artifacts}
        store = counts.by_store[artifacts[0]["store_id"]]
        if hashes <= seen:
            counts.exact_duplicates += 1
            store.duplicates += 1
            counts.duplicate_records.append(key)
            continue
        seen |= hashes
        counts.records += 1
        store.records += 1
        for artifact in artifacts:
            if artifact["kind"] in IMAGE_KINDS:
                counts.face_images += 1
                store.face_images += 1
                counts.faces_in_images += faces_per_artifact.get(artifact["id"], 0)
            elif artifact["kind"] == "template":
                counts.face_templates += 1
                store.face_templates += 1
            elif artifact["kind"] == "video_frame":
                counts.video_frames_with_faces += 1
    counts.deleted_recoverable = len(deleted_keys)
    return counts
