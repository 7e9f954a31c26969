"""Scan a generated tree with the real scanner and read back what each store yielded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan


@dataclass
class StoreView:
    locator: str
    kind: str
    profile: str
    records: int = 0
    face_images: int = 0
    face_templates: int = 0
    artifacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def spaces(self) -> list[str]:
        return sorted(s for a in self.artifacts for s in a["spaces"])

    def of_kind(self, *kinds: str) -> list[dict[str, Any]]:
        return [a for a in self.artifacts if a["kind"] in kinds]


def scan_tree(tmp_path: Path, root: Path) -> dict[str, StoreView]:
    """Acquire and scan ``root``; every store by its locator relative to ``root``."""
    case = Case.create(tmp_path / "case", CaseInfo("T-PROFILE", "档案测试", ["甲", "乙"]))
    acquire(case, [root], workers=1)
    scan(case, ScanOptions(workers=1))
    return store_views(case, root.name + "/")


def store_views(case: Case, prefix: str) -> dict[str, StoreView]:
    counts = count_faces(case).by_store
    views: dict[str, StoreView] = {}
    by_id: dict[int, StoreView] = {}
    for row in case.db.query("select id, locator, kind, profile from stores"):
        view = StoreView(row["locator"].removeprefix(prefix), row["kind"], row["profile"])
        tally = counts.get(row["id"])
        if tally is not None:
            view.records, view.face_images = tally.records, tally.face_images
            view.face_templates = tally.face_templates
        views[view.locator] = by_id[row["id"]] = view
    for artifact in case.db.query(
        "select a.id, a.store_id, a.kind, a.locator, a.person_key, a.person_key_kind, a.captured_at,"
        " a.captured_at_source, a.model_guess, a.deleted, a.camera,"
        " (select json_group_array(space) from faces f where f.artifact_id = a.id) as spaces"
        " from artifacts a order by a.id"
    ):
        import json

        artifact["spaces"] = json.loads(artifact["spaces"])
        by_id[artifact["store_id"]].artifacts.append(artifact)
    return views
