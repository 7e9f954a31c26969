"""JSON and XML bodies inside log lines: the shape device and platform logs take.

Receivers of camera events and GA/T 1400 pushes log each body as it came:
``2025-03-14 09:12:03 INFO POST /VIID/Faces {"FaceListObject": …}``, a Dahua
event stream's ``Code=FaceRecognition;action=Start;index=0;data={…}`` whose
JSON may run over several lines, or an ISAPI ``<EventNotificationAlert>`` on
one line. These helpers find the bodies; the readers decide what they mean.
Nothing found is executed; XML with a DOCTYPE or entity declarations is
refused, not parsed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from venue_audit.sources.base import Item
from venue_audit.sources.tabular import bounded_lines

# (line number, reason, reason code, its parameters): a reader makes each a located Problem
LineProblem = tuple[int, str, str, dict[str, Any]]

MAX_BODY_LINES = 400
MAX_BODY_BYTES = 64 << 20
PEEK = 64 << 10
TEXT_TYPES = frozenset({"log", "text", "json", "jsonl", "xml"})
_DECODER = json.JSONDecoder()


def text_item_shows(item: Item, head: bytes, marks: Callable[[bytes], bool]) -> bool:
    """Whether a text-like item's first 64 KiB show the marks a reader looks for."""
    if item.type not in TEXT_TYPES:
        return False
    if marks(head):
        return True
    if item.size > len(head):
        with item.open() as stream:
            return marks(stream.read(PEEK))
    return False


def decode_line(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    return text[:-1] if text.endswith("\r") else text


def json_bodies(text: str) -> tuple[list[Any], bool]:
    """The JSON objects and arrays in a piece of text, and whether the last one is cut short.

    The prefix before the first ``{`` (a time, a log level, ``data=``) is skipped.
    """
    bodies: list[Any] = []
    position = 0
    while True:
        start = _next_open(text, position)
        if start < 0:
            return bodies, False
        try:
            body, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as error:
            if error.pos >= len(text.rstrip()) - 1:  # ran off the end: the body goes on
                return bodies, True
            position = start + 1
            continue
        except RecursionError:
            position = start + 1
            continue
        bodies.append(body)
        position = end


def _next_open(text: str, position: int) -> int:
    braces = [i for i in (text.find("{", position), text.find("[{", position)) if i >= 0]
    return min(braces) if braces else -1


def xml_element(text: str) -> ElementTree.Element | None:
    """An XML element on one line, or None; DOCTYPEs and entity declarations are refused."""
    start = text.find("<")
    if start < 0 or "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None
    try:
        return ElementTree.fromstring(text[start:].strip())
    except ElementTree.ParseError:
        return None


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_dict(element: ElementTree.Element) -> Any:
    """An element as nested dicts (namespaces dropped); repeated children become lists."""
    children = list(element)
    if not children:
        return (element.text or "").strip()
    result: dict[str, Any] = {}
    for child in children:
        name, value = local_name(child.tag), xml_dict(child)
        if name in result:
            existing = result[name]
            result[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[name] = value
    return result


def documents(
    stream: BinaryIO, line_limit: int, problems: list[LineProblem]
) -> Iterator[tuple[int, str, list[Any]]]:
    """``(first line number, text, JSON bodies)`` of each line, joining lines while a body runs on."""
    pending: list[str] = []
    first = 0
    for number, raw in bounded_lines(stream, line_limit):
        if raw is None:
            problems.append((number, f"line longer than {line_limit} bytes, skipped",
                             "line.too_long", {"limit": line_limit}))
            pending = []
            continue
        line = decode_line(raw)
        if pending:
            pending.append(line)
        else:
            first, pending = number, [line]
        text = "\n".join(pending)
        bodies, cut = json_bodies(text)
        if cut and len(pending) < MAX_BODY_LINES and len(text) < MAX_BODY_BYTES:
            continue
        if cut:
            problems.append((first, f"a JSON body runs past {len(pending)} lines, not read",
                             "json.body_too_long", {"lines": len(pending)}))
        pending = []
        yield first, text, bodies
    if pending:
        text = "\n".join(pending)
        problems.append((first, "the file ends inside a JSON body", "json.body_unterminated", {}))
        yield first, text, json_bodies(text)[0]
