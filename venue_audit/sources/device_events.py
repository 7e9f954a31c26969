"""Face events that cameras and door terminals push, as their receivers log them.

Each capture or recognition a device reports becomes a timeline event with
its time, channel, how many faces and the pictures' URLs, and what it says
about each picture (face box, age group, gender, score, similarity). The
events are not counted as face records: they say that a capture happened, the
pictures are evidence of their own. After the scan, a URL that names an
evidence file links the event to that file's capture record
(:mod:`venue_audit.scan.event_links`).

* **Hikvision ISAPI** ``faceCapture`` (JSON, as a receiver logs the HTTP
  body): ``eventType``, ``channelID``, ``dateTime`` and per ``faceCapture[]``
  entry ``targetAttrs.faceTime``, ``deviceChannel`` and ``faces[]`` with the
  face box scaled 0–1 (``faceRect``), ``age.ageGroup``, ``gender.value``,
  ``faceScore`` and picture ``URL``s. Field names as a third-party receiver's
  test fixture of a real DS-2CD camera's push records them (code index id
  58405187966); older firmware sends ``<EventNotificationAlert>`` XML with
  ``eventType`` ``faceSnap``/``faceCapture``.
* **Dahua** event-stream lines ``Code=FaceRecognition;action=Start;index=0;data={…}``
  (``UTC``, ``Candidates[].Person``, ``Similarity``) and door terminals'
  ``Code=_DoorFace_;action=Pulse;index=0;data={…}`` (``UserID``, ``Similarity``,
  ``RealUTC``), the JSON possibly spread over several lines (code index ids
  5779106743, 61428301946, 56534330695). ``index`` is the 0-based channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from venue_audit.sources.base import (
    Item,
    LogEvent,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    Yield,
)
from venue_audit.sources.event_lines import (
    LineProblem,
    documents,
    local_name,
    text_item_shows,
    xml_dict,
    xml_element,
)
from venue_audit.sources.registry import register

EVENT_TEXT = 500
LINE_LIMIT = 64 << 20
_DAHUA = re.compile(r"Code=(?P<code>FaceRecognition|_DoorFace_|FaceDetection);\s*action=(?P<action>\w+);"
                    r"\s*index=(?P<index>\d+)")
_ISAPI_FACE = ("faceCapture", "faceSnap", "FaceSnap", "faceCaptureAlarm")
_MARKERS = (b'"faceCapture"', b"<EventNotificationAlert", b"Code=FaceRecognition",
            b"Code=_DoorFace_", b"Code=FaceDetection")


def _unix(value: Any) -> str | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if not 946_684_800 <= seconds < 4_102_444_800:  # 2000 … 2100
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _pictures(value: Any, found: list[str], depth: int = 0) -> list[str]:
    """Every picture URL in an event body (keys named like ``URL``, ``bkgUrl``, ``SnapPath``)."""
    if depth > 6:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and item and re.search(r"url|path|picture", key, re.I):
                if "/" in item or "." in item:
                    found.append(item)
            elif isinstance(item, dict | list):
                _pictures(item, found, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _pictures(item, found, depth + 1)
    return found


def isapi_face(face: dict[str, Any]) -> dict[str, Any]:
    """What an ISAPI ``faces[]`` entry says about one face: id, box (scaled 0–1), age, gender, score."""
    age = face.get("age") if isinstance(face.get("age"), dict) else {}
    gender = face.get("gender") if isinstance(face.get("gender"), dict) else {}
    rect = face.get("faceRect") if isinstance(face.get("faceRect"), dict) else {}
    facts = {
        "face id": face.get("faceId"),
        "face box (0-1)": {k: rect[k] for k in ("x", "y", "width", "height") if k in rect} or None,
        "age group": age.get("ageGroup"),
        "gender": gender.get("value"),
        "face score": face.get("faceScore"),
    }
    return {k: v for k, v in facts.items() if v not in (None, "", {})}


def _described(face: dict[str, Any]) -> str:
    box = face.get("face box (0-1)") or {}
    return (
        f"face {face.get('face id', '?')} score {face.get('face score', '?')}"
        + (f" age {face['age group']}" if face.get("age group") else "")
        + (f" gender {face['gender']}" if face.get("gender") else "")
        + (f" box x{box.get('x')} y{box.get('y')} w{box.get('width')} h{box.get('height')}"
           if box else "")
    )


def isapi_events(body: Any) -> Iterator[dict[str, Any]]:
    """One event per face a Hikvision ISAPI faceCapture body reports.

    ``pictures`` says what the event knows of each picture URL: a face's own picture
    (``faces[].URL``) gets that face's box and attributes, the background picture
    (``bkgUrl``) every face's.
    """
    if not isinstance(body, dict) or body.get("eventType") not in _ISAPI_FACE:
        return
    channel = body.get("channelID")
    entries = body.get("faceCapture") or body.get("FaceCapture") or []
    if isinstance(entries, dict):
        entries = [entries]
    if not entries:
        files = _pictures(body, [])
        yield {"action": "face capture", "at": body.get("dateTime"), "camera": channel,
               "count": 1, "files": files, "detail": "", "pictures": {}}
        return
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        target = entry.get("targetAttrs") or {}
        faces = [f for f in entry.get("faces") or [] if isinstance(f, dict)]
        described = [isapi_face(face) for face in faces]
        files = _pictures(entry, [])
        pictures: dict[str, dict[str, Any]] = {url: {"faces": described} for url in files}
        for face, facts in zip(faces, described, strict=True):
            for url in _pictures(face, []):
                pictures[url] = facts
        yield {
            "action": "face capture",
            "at": target.get("faceTime") or body.get("dateTime"),
            "camera": target.get("deviceChannel", channel),
            "count": max(1, len(faces)),
            "files": files,
            "detail": "; ".join(_described(face) for face in described),
            "pictures": pictures,
        }


def dahua_event(text: str, body: Any) -> dict[str, Any] | None:
    """A Dahua FaceRecognition / _DoorFace_ event line with its ``data=`` JSON."""
    match = _DAHUA.search(text)
    if match is None or not isinstance(body, dict):
        return None
    code = match["code"]
    at = _unix(body.get("RealUTC")) or _unix(body.get("UTC"))
    if code == "_DoorFace_":
        who = f"UserID {body.get('UserID')}" if body.get("UserID") not in (None, "") else ""
        similarity = body.get("Similarity")
        action = "door face recognition"
    else:
        candidates = body.get("Candidates") or ([body["Candidate"]] if body.get("Candidate") else [])
        best = next((c for c in candidates if isinstance(c, dict)), {})
        person = best.get("Person") if isinstance(best.get("Person"), dict) else best
        who = " ".join(
            f"{k} {person[k]}" for k in ("UID", "ID", "Name", "PersonName") if person.get(k)
        )
        similarity = best.get("Similarity")
        action = "face recognition" if code == "FaceRecognition" else "face detection"
    detail = ", ".join(
        part for part in (who, f"similarity {similarity}" if similarity is not None else "",
                          f"action {match['action']}") if part
    )
    face = body.get("Face") if isinstance(body.get("Face"), dict) else {}
    facts = {k: v for k, v in (("person", who), ("similarity", similarity),
                               ("face box (0-8191)", face.get("BoundingBox")))
             if v not in (None, "")}
    files = _pictures(body, [])
    return {"action": action, "at": at, "camera": int(match["index"]) + 1, "count": 1,
            "files": files, "detail": detail, "pictures": {url: facts for url in files}}


def xml_events(text: str) -> Iterator[dict[str, Any]]:
    element = xml_element(text)
    if element is None or local_name(element.tag) != "EventNotificationAlert":
        return
    body = xml_dict(element)
    if isinstance(body, dict):
        yield from isapi_events(body)


def looks_like_device_events(head: bytes) -> bool:
    return any(marker in head for marker in _MARKERS)


@register
class DeviceEventLogReader(SourceReader):
    """Receivers' logs of Hikvision ISAPI face captures and Dahua face recognitions."""

    NAME = "device-events"
    DESCRIPTION = "camera / door-terminal face events (Hikvision ISAPI faceCapture, Dahua FaceRecognition, _DoorFace_)"
    PRIORITY = 46

    def claims(self, item: Item, head: bytes) -> bool:
        return text_item_shows(item, head, looks_like_device_events)

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        counts: dict[str, int] = {}
        located: list[LineProblem] = []
        yield StoreFound("device-events", profile="device-events", details={"events": counts})
        with item.open() as stream:
            for number, text, bodies in documents(stream, LINE_LIMIT, located):
                for event in self._events(text, bodies):
                    counts[event["action"]] = counts.get(event["action"], 0) + event["count"]
                    camera = event["camera"]
                    line = " ".join(text.split())[:EVENT_TEXT]
                    yield LogEvent(
                        at=str(event["at"]) if event["at"] else None,
                        action=event["action"],
                        count=event["count"],
                        remote=None,
                        locator=f"{item.locator} line {number}",
                        text=(f"channel {camera}: " if camera not in (None, "") else "")
                        + (f"{event['detail']} | " if event["detail"] else "") + line,
                        files=list(dict.fromkeys(event["files"]))[:50],
                        camera=str(camera) if camera not in (None, "") else None,
                        pictures=event["pictures"],
                    )
        for number, reason, code, params in located:
            yield Problem(f"{item.locator} line {number}", reason, code, params)
        systems = sorted({"Dahua" if "recognition" in a or "detection" in a else "Hikvision ISAPI"
                          for a in counts})
        yield StoreFound("device-events", profile="device-events",
                         details={"system": " and ".join(systems) + " face events" if systems else None,
                                  "events": counts})

    def _events(self, text: str, bodies: list[Any]) -> Iterator[dict[str, Any]]:
        if _DAHUA.search(text):
            event = dahua_event(text, bodies[0] if bodies else None)
            if event is not None:
                yield event
            return
        if "<EventNotificationAlert" in text:
            yield from xml_events(text)
            return
        for body in bodies:
            yield from isapi_events(body)
