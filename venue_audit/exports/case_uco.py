"""The acquisition and the examination as CASE/UCO JSON-LD (https://caseontology.org).

CASE is the exchange format of digital-forensic provenance: another lab's tools read what
was examined, by whom, with which tool, and what came out, without reading our database.
The graph follows the case-utils conventions and validates with its ``case_validate``:

- one ``case-investigation:Investigation`` (the case), naming everything below;
- the examiners as ``uco-identity:Person``, the commissioning body as
  ``uco-identity:Organization``, venue-audit as ``uco-tool:Tool`` with its version;
- every acquired file and archive member as ``uco-observable:File`` with its path, size,
  modification time and MD5 / SHA-256 / SM3 (SM3 is outside UCO's hash vocabulary, which
  the validator reports as information, not as an error); an archive member is
  ``Contained_Within`` its archive;
- per source, a ``case-investigation:InvestigativeAction`` "acquired" (times from the
  custody log) whose result is a ``case-investigation:ProvenanceRecord`` of its files;
- one action "examined" (scan, persons, consent) from those records to the report's files,
  with their SHA-256 as the custody log recorded them.

Identifiers are UUIDs derived from the case and the item, so the same case always gives the
same graph.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from venue_audit import __version__
from venue_audit.case import Case

CONTEXT = {
    "kb": "urn:venue-audit:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
HASHES = (("md5", "MD5"), ("sha256", "SHA256"), ("sm3", "SM3"))
EXAMINATION = ("scan.end", "identify", "assess", "report")


class _Ids:
    """Stable identifiers: ``kb:<kind>-<uuid5(case, kind, key)>``."""

    def __init__(self, case: Case) -> None:
        self.namespace = uuid.uuid5(
            uuid.NAMESPACE_URL, f"venue-audit:{case.info.case_no}:{case.info.created_at}"
        )

    def __call__(self, kind: str, key: object = "") -> str:
        return f"kb:{kind}-{uuid.uuid5(self.namespace, f'{kind}:{key}')}"


def _ref(identifier: str) -> dict[str, str]:
    return {"@id": identifier}


def _time(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _hashes(row: dict[str, Any], ids: _Ids, key: object) -> list[dict[str, Any]]:
    return [
        {
            "@id": ids(f"hash-{column}", key),
            "@type": "uco-types:Hash",
            "uco-types:hashMethod": method,
            "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": row[column]},
        }
        for column, method in HASHES
        if row.get(column)
    ]


def _file(
    ids: _Ids, key: object, path: str, name: str, size: int | None, mtime: str | None, hashes: list
) -> dict[str, Any]:
    file_facet: dict[str, Any] = {
        "@id": ids("file-facet", key),
        "@type": "uco-observable:FileFacet",
        "uco-observable:fileName": name,
        "uco-observable:filePath": path,
    }
    if size is not None:
        file_facet["uco-observable:sizeInBytes"] = size
    if mtime:
        file_facet["uco-observable:modifiedTime"] = _time(mtime)
    facets = [file_facet]
    if hashes:
        content: dict[str, Any] = {
            "@id": ids("content-facet", key),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:hash": hashes,
        }
        if size is not None:
            content["uco-observable:sizeInBytes"] = size
        facets.append(content)
    return {"@id": ids("file", key), "@type": "uco-observable:File", "uco-core:hasFacet": facets}


def _custody(case: Case) -> list[dict[str, Any]]:
    events = []
    for row in case.db.query("select seq, at, action, detail from custody order by seq"):
        try:
            detail = json.loads(row["detail"] or "{}")
        except json.JSONDecodeError:
            detail = {}
        events.append({**row, "detail": detail if isinstance(detail, dict) else {}})
    return events


def case_graph(case: Case) -> dict[str, Any]:
    """The JSON-LD document for ``case`` (``{"@context": ..., "@graph": [...]}``)."""
    ids = _Ids(case)
    graph: list[dict[str, Any]] = []
    tool = {
        "@id": ids("tool", "venue-audit"),
        "@type": "uco-tool:Tool",
        "uco-core:name": "venue-audit",
        "uco-tool:version": __version__,
        "uco-tool:toolType": "forensic examination of stored face data",
    }
    examiners = [
        {"@id": ids("person", name), "@type": "uco-identity:Person", "uco-core:name": name}
        for name in case.info.examiners
    ]
    graph += [tool, *examiners]
    if case.info.org:
        graph.append(
            {
                "@id": ids("organization", case.info.org),
                "@type": "uco-identity:Organization",
                "uco-core:name": case.info.org,
            }
        )
    performer = _ref(examiners[0]["@id"]) if examiners else None

    sources = {row["id"]: row for row in case.db.query("select id, root, label from sources")}
    files_of: dict[int, list[str]] = defaultdict(list)
    for row in case.db.query(
        "select id, source_id, path, name, parent_id, entry, size, mtime, md5, sha256, sm3"
        " from evidence where current = 1 and entry = 'file' order by id"
    ):
        root = sources.get(row["source_id"], {}).get("root", "")
        node = _file(
            ids,
            row["id"],
            f"{root}/{row['path']}" if root else row["path"],
            row["name"] or Path(row["path"]).name,
            row["size"],
            row["mtime"],
            _hashes(row, ids, row["id"]),
        )
        graph.append(node)
        files_of[row["source_id"]].append(node["@id"])
        if row["parent_id"]:
            graph.append(
                {
                    "@id": ids("contained-within", row["id"]),
                    "@type": "uco-observable:ObservableRelationship",
                    "uco-core:source": _ref(node["@id"]),
                    "uco-core:target": _ref(ids("file", row["parent_id"])),
                    "uco-core:kindOfRelationship": "Contained_Within",
                    "uco-core:isDirectional": True,
                }
            )

    events = _custody(case)
    actions, records = [], []
    for source_id, source in sorted(sources.items()):
        record = {
            "@id": ids("provenance-record", f"acquired:{source_id}"),
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": source["label"] or Path(source["root"]).name,
            "uco-core:description": f"files and archive members acquired read-only from {source['root']}",
            "uco-core:object": [_ref(i) for i in files_of.get(source_id, [])],
        }
        root = _file(
            ids, f"source:{source_id}", source["root"], Path(source["root"]).name, None, None, []
        )
        root["uco-core:hasFacet"][0]["uco-observable:isDirectory"] = Path(source["root"]).is_dir()
        started = [
            e
            for e in events
            if e["action"] == "acquire.start" and e["detail"].get("source") == source["root"]
        ]
        ended = [
            e
            for e in events
            if e["action"] == "acquire" and e["detail"].get("source") == source["root"]
        ]
        action = {
            "@id": ids("action", f"acquired:{source_id}"),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "acquired",
            "uco-core:description": "hashed read-only (MD5, SHA-256, SM3) into the case manifest",
            "uco-action:instrument": _ref(tool["@id"]),
            "uco-action:object": [_ref(root["@id"])],
            "uco-action:result": [_ref(record["@id"])],
        }
        if started:
            action["uco-action:startTime"] = _time(started[0]["at"])
        if ended:
            action["uco-action:endTime"] = _time(ended[-1]["at"])
        if performer:
            action["uco-action:performer"] = performer
        graph += [root, record, action]
        actions.append(action)
        records.append(record)

    examined = [e for e in events if e["action"] in EXAMINATION]
    if examined:
        outputs = []
        for event in examined:
            if event["action"] != "report":
                continue
            folder = Path(str(event["detail"].get("pdf", ""))).parent
            for name, digest in sorted((event["detail"].get("sha256") or {}).items()):
                key = f"report:{event['seq']}:{name}"
                outputs.append(
                    _file(
                        ids,
                        key,
                        str(folder / name),
                        name,
                        None,
                        None,
                        _hashes({"sha256": digest}, ids, key),
                    )
                )
        result = {
            "@id": ids("provenance-record", "examined"),
            "@type": "case-investigation:ProvenanceRecord",
            "uco-core:description": "the evidence report and its annexes",
            "uco-core:object": [_ref(o["@id"]) for o in outputs],
        }
        action = {
            "@id": ids("action", "examined"),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "examined",
            "uco-core:description": "face images and templates found and counted, persons "
            "identified, consent and retention assessed, report written",
            "uco-action:instrument": _ref(tool["@id"]),
            "uco-action:object": [_ref(r["@id"]) for r in records],
            "uco-action:result": [_ref(result["@id"])],
            "uco-action:startTime": _time(examined[0]["at"]),
            "uco-action:endTime": _time(examined[-1]["at"]),
        }
        if performer:
            action["uco-action:performer"] = performer
        graph += [*outputs, result, action]
        actions.append(action)
        records.append(result)

    investigation = {
        "@id": ids("investigation", case.info.case_no),
        "@type": "case-investigation:Investigation",
        "uco-core:name": case.info.case_no,
        "uco-core:description": " — ".join(
            part for part in (case.info.title, case.info.venue) if part
        ),
        "uco-core:object": [_ref(n["@id"]) for n in [tool, *examiners, *actions, *records]],
    }
    return {"@context": CONTEXT, "@graph": [investigation, *graph]}


def write_case_uco(case: Case, target: Path) -> Path:
    document = case_graph(case)
    Path(target).write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return Path(target)
