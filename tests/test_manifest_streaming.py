"""The manifest files are written row by row, with the bytes of the whole-document writers."""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree as ET

from venue_audit.acquire import acquire
from venue_audit.acquire.exports import (
    _dfxml_header,
    display_path,
    export_manifest,
    manifest_rows,
    write_dfxml,
)
from venue_audit.case import Case, CaseInfo


def whole_document_dfxml(case: Case, target: Path) -> None:
    """The DFXML as one ElementTree, indented and written by ElementTree: the reference.

    The header comes from the module (it is an ElementTree either way); every file object is
    built here as elements, which the module writes as text.
    """
    rows = manifest_rows(case)
    dfxml = _dfxml_header(case, [row["root"] for row in rows])
    for row in rows:
        fileobject = ET.SubElement(dfxml, "fileobject")
        ET.SubElement(fileobject, "filename").text = display_path(row)
        if row["parent_id"]:
            ET.SubElement(fileobject, "parent_object").text = str(row["parent_id"])
        ET.SubElement(fileobject, "id").text = str(row["id"])
        ET.SubElement(fileobject, "filesize").text = str(row["size"])
        kinds = {"symlink": "l", "device": "c", "fifo": "p"}
        ET.SubElement(fileobject, "name_type").text = kinds.get(row["entry"], "r")
        if row["mtime"]:
            ET.SubElement(fileobject, "mtime").text = row["mtime"]
        for kind in ("md5", "sha256", "sm3"):
            if row[kind]:
                digest = ET.SubElement(fileobject, "hashdigest")
                digest.text = row[kind]
                digest.set("type", kind)
        if row["error"]:
            ET.SubElement(fileobject, "error").text = row["error"]
    ET.indent(dfxml)
    ET.ElementTree(dfxml).write(target, encoding="utf-8", xml_declaration=True)


def test_the_streamed_dfxml_has_the_bytes_of_the_whole_document(
    new_case: Case, evidence_tree: Path, tmp_path: Path
) -> None:
    # an undecodable name, a name with markup characters, archive members, a symlink, a FIFO
    fd = os.open(os.fsencode(evidence_tree) + b"/bad\xff<&>.jpg", os.O_WRONLY | os.O_CREAT)
    os.write(fd, b"\xff\xd8\xff")
    os.close(fd)
    os.mkfifo(evidence_tree / "pipe")
    acquire(new_case, [evidence_tree])
    streamed = export_manifest(new_case)["dfxml"]
    whole_document_dfxml(new_case, tmp_path / "reference.dfxml")
    assert streamed.read_bytes() == (tmp_path / "reference.dfxml").read_bytes()
    assert len(manifest_rows(new_case)) > 10


def test_an_empty_manifest_is_the_header_alone(tmp_path: Path) -> None:
    case = Case.create(tmp_path / "case", CaseInfo("T", "t", ["a", "b"]))
    write_dfxml(case, [], tmp_path / "streamed.dfxml", [])
    whole_document_dfxml(case, tmp_path / "reference.dfxml")
    assert (tmp_path / "streamed.dfxml").read_bytes() == (tmp_path / "reference.dfxml").read_bytes()
