"""Which encoding a text export is in, decided for the file and again for every line.

Exports get stitched together: a GB18030 visitor list with rows appended by a
newer UTF-8 system. One encoding for the whole file turned the UTF-8 rows into
mojibake and lost the face in one of them. So a line is decoded on its own:
UTF-8 first (a GB18030 line is almost never valid UTF-8, the reverse is not
true), then the file's encoding, then whatever charset-normalizer (a maintained
detector, not more hand-written sniffing) finds for that line, and only then
with replacement characters, which is reported.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import charset_normalizer

# Simplified-Chinese detectors name a subset; GB18030 decodes everything they do.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}


def _normal(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _SUPERSETS.get(name, name)


def detect(data: bytes) -> str | None:
    """charset-normalizer's best guess for ``data``, or None when it has none."""
    match = charset_normalizer.from_bytes(data).best()
    return _normal(match.encoding) if match is not None else None


def sniff_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: BOMs, then UTF-8, then GB18030 or a detector."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.start >= len(head) - 4:
                return encoding  # a character cut by the end of the sample
    return _by_lines(head) or detect(head) or "latin-1"


def _by_lines(head: bytes) -> str | None:
    """UTF-8 or GB18030, whichever most lines are in, when every line is in one of them.

    A file stitched from both fails either encoding as a whole; its lines do not.
    """
    votes: Counter[str] = Counter()
    for line in head.split(b"\n")[:-1]:  # the last line may be cut by the sample's end
        if line.isascii():
            continue
        for encoding in ("utf-8", "gb18030"):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                continue
            votes[encoding] += 1
            break
        else:
            return None
    return votes.most_common(1)[0][0] if votes else None


def line_wise(encoding: str) -> bool:
    """Whether lines can be split on b"\\n" before decoding (not so in UTF-16)."""
    return not codecs.lookup(encoding).name.startswith("utf-16")


@dataclass
class LineDecoder:
    """Decodes line by line, each in the first encoding that fits it; counts what it used."""

    encoding: str
    used: Counter[str] = field(default_factory=Counter)

    def decode(self, line: bytes) -> tuple[str, bool]:
        """The text, and whether undecodable bytes had to be replaced."""
        if line.isascii():
            return line.decode("ascii"), False
        primary = "utf-8" if self.encoding == "utf-8-sig" else _normal(self.encoding)
        for encoding in dict.fromkeys(("utf-8", primary)):
            try:
                text = line.decode(encoding)
            except UnicodeDecodeError:
                continue
            self.used[encoding] += 1
            return text, False
        guess = detect(line)
        if guess is not None:
            try:
                text = line.decode(guess)
            except (UnicodeDecodeError, LookupError):
                pass
            else:
                self.used[guess] += 1
                return text, False
        self.used[f"{primary} (replaced)"] += 1
        return line.decode(primary, errors="replace"), True

    def lines(self, numbered: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, str, bool]]:
        for number, line in numbered:
            text, replaced = self.decode(line)
            yield number, text, replaced
