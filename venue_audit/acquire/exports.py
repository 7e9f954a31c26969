"""Write the manifest in the three forms examiners use.

- ``manifest.csv``: the 电子数据清单 with Chinese headers (UTF-8 with BOM so
  that Excel on a Chinese Windows opens it correctly);
- ``manifest.hashdeep``: hashdeep's known-hashes format, so ``hashdeep -a -k``
  audits the evidence with a tool that is not ours (top-level files only:
  hashdeep cannot see inside archives);
- ``manifest.dfxml``: Digital Forensics XML with the tool's provenance.
"""

from __future__ import annotations

import csv
import platform
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from venue_audit import TOOL_NAME, __version__
from venue_audit.acquire.names import on_disk
from venue_audit.case import Case

CSV_HEADERS = ["序号", "文件名", "路径", "类型", "大小", "修改时间", "MD5", "SHA-256", "SM3"]
CSV_NAME = "manifest.csv"
HASHDEEP_NAME = "manifest.hashdeep"
DFXML_NAME = "manifest.dfxml"


def manifest_rows(case: Case) -> list[dict[str, Any]]:
    """Current evidence rows with their source root, in a stable order."""
    return list(
        case.db.query(
            "select e.*, s.root from evidence e join sources s on s.id = e.source_id "
            "where e.current = 1 order by s.root, e.path"
        )
    )


def absolute_path(row: dict[str, Any]) -> str:
    """The on-disk path of a top-level file (a file source's path is its root)."""
    root = Path(row["root"])
    return on_disk(
        str(root if row["path"] == root.name and not root.is_dir() else root / row["path"])
    )


def display_path(row: dict[str, Any]) -> str:
    return f"{Path(row['root']).name}/{row['path']}" if Path(row["root"]).is_dir() else row["path"]


def write_csv(case: Case, rows: list[dict[str, Any]], target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        for number, row in enumerate(rows, 1):
            writer.writerow(
                [
                    number,
                    row["name"],
                    display_path(row),
                    row["type"] or row["entry"],
                    row["size"],
                    row["mtime"] or "",
                    row["md5"] or "",
                    row["sha256"] or "",
                    row["sm3"] or "",
                ]
            )


def write_hashdeep(case: Case, rows: list[dict[str, Any]], target: Path) -> None:
    lines = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha256,filename",
        f"## Invoked from: {TOOL_NAME} {__version__}",
        f"## $ {TOOL_NAME} acquire (case {case.info.case_no})",
        "##",
    ]
    for row in rows:
        if row["entry"] == "file" and row["sha256"]:
            lines.append(f"{row['size']},{row['md5']},{row['sha256']},{absolute_path(row)}")
    # hashdeep names files by their bytes: undecodable name bytes are written as they are
    target.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")


def write_dfxml(case: Case, rows: list[dict[str, Any]], target: Path) -> None:
    dfxml = ET.Element(
        "dfxml",
        {
            "version": "1.0",
            "xmlns": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        },
    )
    metadata = ET.SubElement(dfxml, "metadata")
    ET.SubElement(metadata, "dc:type").text = "Hash manifest"
    creator = ET.SubElement(dfxml, "creator", {"version": "1.0"})
    ET.SubElement(creator, "program").text = TOOL_NAME
    ET.SubElement(creator, "version").text = __version__
    environment = ET.SubElement(creator, "execution_environment")
    ET.SubElement(environment, "os_sysname").text = platform.system()
    ET.SubElement(environment, "os_release").text = platform.release()
    ET.SubElement(environment, "host").text = platform.node()
    ET.SubElement(environment, "arch").text = platform.machine()
    ET.SubElement(environment, "python").text = sys.version.split()[0]
    ET.SubElement(environment, "case_no").text = case.info.case_no
    for root in sorted({row["root"] for row in rows}):
        ET.SubElement(dfxml, "source").append(_text("image_filename", root))
    for row in rows:
        fileobject = ET.SubElement(dfxml, "fileobject")
        fileobject.append(_text("filename", display_path(row)))
        if row["parent_id"]:
            fileobject.append(_text("parent_object", str(row["parent_id"])))
        fileobject.append(_text("id", str(row["id"])))
        fileobject.append(_text("filesize", str(row["size"])))
        fileobject.append(
            _text("name_type", {"symlink": "l", "device": "c", "fifo": "p"}.get(row["entry"], "r"))
        )
        if row["mtime"]:
            fileobject.append(_text("mtime", row["mtime"]))
        for kind in ("md5", "sha256", "sm3"):
            if row[kind]:
                digest = _text("hashdigest", row[kind])
                digest.set("type", kind)
                fileobject.append(digest)
        if row["error"]:
            fileobject.append(_text("error", row["error"]))
    ET.indent(dfxml)
    ET.ElementTree(dfxml).write(target, encoding="utf-8", xml_declaration=True)


def _text(tag: str, value: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = value
    return element


def export_manifest(case: Case) -> dict[str, Path]:
    """Write all three manifest files into the case folder; returns their paths."""
    rows = manifest_rows(case)
    targets = {
        "csv": case.directory / CSV_NAME,
        "hashdeep": case.directory / HASHDEEP_NAME,
        "dfxml": case.directory / DFXML_NAME,
    }
    write_csv(case, rows, targets["csv"])
    write_hashdeep(case, rows, targets["hashdeep"])
    write_dfxml(case, rows, targets["dfxml"])
    return targets
