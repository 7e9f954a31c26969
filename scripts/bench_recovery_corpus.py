"""Deleted-row recovery on the public SQLite forensic corpus, scored against its truth files.

Corpus: Nemetz, Schmitt, Freiling, "A standardized corpus for SQLite database forensics"
(DFRWS EU 2018) and its anti-forensics extension (Schmitt, IMF 2018), CC0. Get it with
``git clone https://github.com/compositionsystems/sqlite-forensic-corpus`` and pass the folder
``sqlite_forensic_corpus_v2.0`` as ``--corpus PATH`` (or set VENUE_AUDIT_SQLITE_CORPUS); the
suite says so and stops when it is absent. It is benchmark data and never goes in the repository.

Truth: each database's ``.xml`` lists every row it ever held; rows ``deleted="1"`` and all rows
of dropped tables are deleted. ``09-01.xml`` lists its 1,148 deleted rows as live (its ``.sql``
deletes them); the suite therefore also counts as deleted any row the XML calls live that the
database, read by SQLite, no longer holds (only in the unmodified databases, 01..0E).

Scoring, per deleted row, its best find: *complete* = every column right; *partial* = at least
two columns right, one of them distinctive (held by no other row in that column); else *missed*. A record
that is neither is *false* when it matches no live row either, and *live as deleted* when it is
a live row. *Unlinked live* are our records of the separate anomaly class (cells no longer
reachable from the b-tree but not freed: tampered pointers), which are never counted as
deleted. *Survive* is an independent byte-search oracle: the row's record body, encoded here
from the truth values (not by the recovery code), is found in the file (its on-page part and
every overflow chunk).

Peer tool: FQLite 1.5.7 (the last version with a command line). With ``--fqlite CLASSPATH``
(a ``java -cp`` class path of a build of its source; Java 8+) it is run on a copy of each
database and scored the same way; without it, the figures published in issue 18 are printed.

Run: python scripts/bench.py recovery_corpus --corpus PATH [--fqlite CLASSPATH] [--quick]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from venue_audit.recovery import recover_sqlite

DEFAULT_CORPUS = Path("/work/corpus/sqlite_forensic_corpus_v2.0")
CORPUS_ENV = "VENUE_AUDIT_SQLITE_CORPUS"
FQLITE_ENV = "VENUE_AUDIT_FQLITE_CLASSPATH"
UNMODIFIED = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "0A", "0B", "0C", "0D", "0E"}
QUICK_CATEGORIES = {"0A", "0C", "0D", "0E"}
# Issue 18's published FQLite 1.5.7 figures (complete, partial) where it gave them.
PUBLISHED_FQLITE = {"0C": (71, 30), "09": (36, 186), "all": (220, 241)}


# --- truth --------------------------------------------------------------------------------------


@dataclass
class TruthTable:
    name: str
    columns: list[str]
    affinities: list[str]
    rowid_alias: int | None
    dropped: bool


@dataclass
class TruthRow:
    table: TruthTable
    values: list[str | None]  # None = SQL NULL
    deleted: bool


_ELEMENT = re.compile(r"<element>(.*?)</element>", re.S)
_ROW = re.compile(r"<row( deleted=\"1\")?>(.*?)</row>", re.S)
_CONTENT = re.compile(r"<content>(.*?)</content>|<content\s*/>", re.S)


def _tag(text: str, name: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", text, re.S)
    return html.unescape(m.group(1)) if m else ""


def read_truth(xml_path: Path) -> list[TruthRow]:
    """Rows of the truth file. Read with patterns, not an XML parser: two files of the corpus
    are not well-formed (a control character in a table name, a mismatched index tag)."""
    text = xml_path.read_text(encoding="utf-8", errors="replace")
    rows: list[TruthRow] = []
    for element in _ELEMENT.findall(text):
        meta = element.split("<sql>")[0]
        if _tag(meta, "type").strip().lower() != "table":
            continue
        defs = re.findall(r"<columnDefinition>(.*?)</columnDefinition>", element, re.S)
        columns = [_tag(d, "name") for d in defs]
        attrs = [_tag(d, "attribute").upper() for d in defs]
        affinities = [_tag(d, "columnTypeName").strip().upper() for d in defs]
        alias = next(
            (i for i, (a, aff) in enumerate(zip(attrs, affinities, strict=True))
             if "PRIMARY KEY" in a and "DESC" not in a and aff == "INTEGER"
             and a.split()[0] == "INTEGER"),
            None,
        )
        table = TruthTable(_tag(meta, "name"), columns, affinities, alias,
                           _tag(meta, "deleted").strip() == "True")
        for flag, body in _ROW.findall(element):
            values: list[str | None] = []
            for m in _CONTENT.finditer(body):
                raw = m.group(1)
                values.append(None if raw is None or raw == "NULL" else html.unescape(raw))
            rows.append(TruthRow(table, values, table.dropped or bool(flag)))
    return rows


def _live_keys(db_path: Path) -> dict[str, set[str]]:
    """First-column values of every ordinary table, read by SQLite (read-only, immutable)."""
    keys: dict[str, set[str]] = {}
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return keys
    try:
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall()
        for name, sql in tables:
            if not sql or sql.upper().startswith("CREATE VIRTUAL"):
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            try:
                keys[name] = {_canonical(r[0]) for r in conn.execute(f"SELECT * FROM {quoted}")}
            except sqlite3.Error:
                continue
    except sqlite3.Error:
        pass
    finally:
        conn.close()
    return keys


def correct_truth(rows: list[TruthRow], db_path: Path) -> int:
    """Mark as deleted the rows the XML calls live whose key (first column) the table, read by
    SQLite, no longer holds; return how many. Virtual and temporary tables are left alone."""
    keys = _live_keys(db_path)
    fixed = 0
    for row in rows:
        live = keys.get(row.table.name)
        if live and not row.deleted and row.values and _canonical(row.values[0]) not in live:
            row.deleted = True
            fixed += 1
    return fixed


# --- values -------------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _canonical(value: object) -> str:
    """One text per value for set lookups: numbers to 9 significant digits."""
    if value is None:
        return "\x00NULL"
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, int | float):
        return f"{float(value):.9g}"
    n = _number(str(value)) if str(value).strip() == str(value) else None
    return f"{n:.9g}" if n is not None else str(value)


def equal(truth: str | None, found: object) -> bool:
    if truth is None or found is None:
        return truth is None and found is None
    if isinstance(found, bytes):
        found = found.decode("utf-8", errors="replace")
    if isinstance(found, str):
        if found == truth:
            return True
        a, b = _number(truth), _number(found)
        return a is not None and b is not None and _close(a, b)
    a = _number(truth)
    return a is not None and _close(a, float(found))  # type: ignore[arg-type]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# --- byte-search oracle -------------------------------------------------------------------------


def _int_body(v: int) -> tuple[int, bytes]:
    if v in (0, 1):
        return 8 + v, b""
    for st, size in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 8)):
        if -(1 << (8 * size - 1)) <= v < 1 << (8 * size - 1):
            return st, v.to_bytes(size, "big", signed=True)
    raise ValueError(v)


def _encodings(text: str | None, affinity: str, encoding: str) -> list[tuple[int, bytes]]:
    """(serial type, body bytes) the value may have been stored as under this affinity."""
    if text is None:
        return [(0, b"")]
    n = _number(text) if affinity in ("INTEGER", "REAL", "NUMERIC") else None
    if n is not None:
        options = []
        if re.fullmatch(r"[+-]?\d+", text.strip()) and -(1 << 63) <= int(text) < 1 << 63:
            options.append(_int_body(int(text)))
        elif n.is_integer() and abs(n) < 1 << 62:
            options.append(_int_body(int(n)))
        if affinity == "REAL" or not options:
            options.append((7, struct.pack(">d", n)))
        return options
    raw = text.encode(encoding)
    return [(13 + 2 * len(raw), raw)]


def _varint(v: int) -> bytes:
    if v <= 0x7F:
        return bytes([v])
    out = []
    while v:
        out.append(v & 0x7F)
        v >>= 7
    out.reverse()
    return bytes([b | 0x80 for b in out[:-1]] + [out[-1]])


def _local_size(payload: int, usable: int) -> int:
    max_local = usable - 35
    if payload <= max_local:
        return payload
    min_local = (usable - 12) * 32 // 255 - 23
    k = min_local + (payload - min_local) % (usable - 4)
    return k if k <= max_local else min_local


def survives(data: bytes, row: TruthRow, encoding: str, usable: int) -> bool:
    """The row's record body is in the file: its on-page part and every overflow chunk."""
    choices: list[list[tuple[int, bytes]]] = [[]]
    for i, (text, aff) in enumerate(zip(row.values, row.table.affinities, strict=False)):
        opts = [(0, b"")] if i == row.table.rowid_alias else _encodings(text, aff, encoding)
        choices = [[*c, o] for c in choices for o in opts][:8]
    for choice in choices:
        header = b"".join(_varint(st) for st, _ in choice)
        hsize = len(header) + 1
        hsize += len(_varint(hsize)) - 1
        body = b"".join(b for _, b in choice)
        payload = hsize + len(body)
        local = _local_size(payload, usable)
        pieces = [body[: max(0, local - hsize)]]
        pos = local - hsize
        while pos < len(body):
            pieces.append(body[pos : pos + usable - 4])
            pos += usable - 4
        if all(len(p) < 2 or p in data for p in pieces if p) and len(body) >= 2:
            return True
    return False


# --- scoring ------------------------------------------------------------------------------------


@dataclass
class Score:
    deleted: int = 0
    survive: int = 0
    complete: int = 0
    partial: int = 0
    survive_found: int = 0
    false: int = 0
    live_as_deleted: int = 0
    unlinked: int = 0
    fragments: int = 0  # cut-off finds of a deleted row, short of partial
    schema: int = 0  # deleted sqlite_master rows of dropped tables
    seconds: float = 0.0
    false_examples: list[str] = field(default_factory=list)

    @property
    def missed(self) -> int:
        return self.deleted - self.complete - self.partial

    def add(self, other: Score) -> None:
        for name in ("deleted", "survive", "complete", "partial", "survive_found", "false",
                     "live_as_deleted", "unlinked", "fragments", "schema", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.false_examples += other.false_examples


def _match(found: list, truth: TruthRow, unique: set[tuple[int, str]]) -> tuple[int, str | None]:
    """(columns right, 'complete' / 'partial' / None) for one found record against one row."""
    right = [equal(t, f) for t, f in zip(truth.values, found, strict=False)]
    n = sum(right)
    if len(found) == len(truth.values) and all(right):
        return n, "complete"
    distinctive = any(
        ok and t is not None and (i, _canonical(t)) in unique
        for i, (ok, t) in enumerate(zip(right, truth.values, strict=False))
    )
    return n, "partial" if n >= 2 and distinctive else None


def _consistent(found: list, truth: TruthRow, unique: set[tuple[int, str]]) -> bool:
    """A cut-off find of this row: every value it has is right or a prefix of the right text,
    and one of them is distinctive."""
    distinctive = False
    for col, (t, f) in enumerate(zip(truth.values, found, strict=False)):
        if f is None or f == "" or f == b"":
            continue
        if isinstance(f, bytes):
            f = f.decode("utf-8", errors="replace")
        if equal(t, f):
            distinctive |= t is not None and (col, _canonical(t)) in unique
        elif not (isinstance(f, str) and t is not None and t.startswith(f)):
            return False
    return distinctive


SCHEMA_TYPES = {"table", "index", "view", "trigger"}


def _schema_row(found: list, rows: list[TruthRow]) -> bool:
    """A deleted sqlite_master row of a table in the truth (a DROP TABLE leaves one); the truth
    files list table rows only."""
    if len(found) != 5 or found[0] not in SCHEMA_TYPES or not isinstance(found[4], str):
        return False
    return any(r.table.name == found[1] for r in rows) and found[4].upper().startswith("CREATE")


def score(records: Iterable[list], rows: list[TruthRow], survivors: set[int]) -> Score:
    """Attribute each record to the truth row it matches best (most columns right; a deleted
    row wins a tie), then count per deleted row its best find. A distinctive value is one no
    other row of the database holds in that column."""
    s = Score(deleted=sum(r.deleted for r in rows), survive=len(survivors))
    index: dict[str, list[int]] = {}
    seen: dict[tuple[int, str], int] = {}
    for i, row in enumerate(rows):
        for col, v in enumerate(row.values):
            key = _canonical(v)
            index.setdefault(key, []).append(i)
            seen[(col, key)] = seen.get((col, key), 0) + 1
    unique = {k for k, n in seen.items() if n == 1}
    best: dict[int, str] = {}
    for found in records:
        candidates = {i for v in found if v is not None for i in index.get(_canonical(v), ())}
        verdicts = [(i, *_match(found, rows[i], unique)) for i in sorted(candidates)]
        verdicts = [v for v in verdicts if v[2]]
        if not verdicts:
            consistent = [i for i in sorted(candidates) if _consistent(found, rows[i], unique)]
            if any(rows[i].deleted for i in consistent):
                s.fragments += 1
            elif consistent:
                s.live_as_deleted += 1
            elif _schema_row(found, rows):
                s.schema += 1
            else:
                s.false += 1
                if len(s.false_examples) < 3:
                    s.false_examples.append(repr(found)[:160])
            continue
        i, _n, verdict = max(verdicts, key=lambda v: (v[2] == "complete", v[1], rows[v[0]].deleted))
        if not rows[i].deleted:
            s.live_as_deleted += 1
        elif best.get(i) != "complete":
            best[i] = verdict  # type: ignore[assignment]
    s.complete = sum(1 for m in best.values() if m == "complete")
    s.partial = sum(1 for m in best.values() if m == "partial")
    s.survive_found = sum(1 for i in best if i in survivors)
    return s


# --- tools --------------------------------------------------------------------------------------


def run_ours(db_path: Path) -> tuple[list[list], int]:
    report = recover_sqlite(db_path)
    unlinked = len(getattr(report, "unlinked", []))
    return [r.values for r in report.records], unlinked


def run_fqlite(db_path: Path, classpath: str) -> list[list]:
    """FQLite's records flagged deleted ('D'), from the CSV it writes beside its input."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / db_path.name.replace("_antifor", "")
        shutil.copyfile(db_path, copy)
        try:
            subprocess.run(
                ["java", "-Djava.awt.headless=true", "-cp", classpath, "fqlite.base.MAIN",
                 "nogui", str(copy)],
                cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return []
        records = []
        for csv in Path(tmp).glob("results*.csv"):
            for line in csv.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split("##header##")[0].split(";")
                if len(fields) < 4 or fields[1] != "D":
                    continue
                records.append([None if v == "null" else v for v in fields[3:]])
        return records


# --- the table ----------------------------------------------------------------------------------


def databases(root: Path, quick: bool) -> list[tuple[str, str, Path, Path]]:
    """(id, category, database, truth) for every database of the corpus."""
    out = []
    for xml in sorted(root.glob("*/*.xml")):
        cat = xml.parent.name
        if quick and cat not in QUICK_CATEGORIES:
            continue
        db = xml.with_suffix(".db")
        if not db.exists():
            db = xml.with_name(xml.stem + "_antifor.db")
        if db.exists():
            out.append((xml.stem, cat, db, xml))
    return out


def _db_layout(data: bytes) -> tuple[str, int]:
    if len(data) < 100:
        return "utf-8", 4096
    raw = struct.unpack(">H", data[16:18])[0]
    page = 65536 if raw == 1 else raw or 4096
    enc = {2: "utf-16-le", 3: "utf-16-be"}.get(struct.unpack(">I", data[56:60])[0], "utf-8")
    return enc, page - data[20]


CATEGORY_NAMES = {
    "07": "fragmented contents", "09": "pointer map (auto_vacuum FULL)", "0A": "dropped tables",
    "0B": "overwritten tables", "0C": "deleted records", "0D": "overwritten records",
    "0E": "deleted overflow pages", "11": "root page pointers", "12": "left child pointers",
    "13": "overflow chains", "14": "cell pointer values", "15": "cell metadata, serial types",
    "16": "zero-terminated contents", "17": "freeblock structures", "18": "freelist trunks",
}
HEADER = ("| category | deleted rows | bytes survive | complete | partial | missed | false "
          "| live as deleted | unlinked live | of surviving | seconds "
          "| FQLite complete | partial | missed | false | live as deleted |")


def _row(label: str, s: Score, fq: Score | None) -> str:
    pct = f"{100 * s.survive_found / s.survive:.0f} %" if s.survive else "-"
    name = f"{label} {CATEGORY_NAMES.get(label, '')}".strip()
    cells = [name, s.deleted, s.survive, s.complete, s.partial, s.missed, s.false,
             s.live_as_deleted, s.unlinked, pct, f"{s.seconds:.1f}"]
    if fq is not None:
        cells += [fq.complete, fq.partial, fq.missed, fq.false, fq.live_as_deleted]
    else:
        cells += ["", "", "", "", ""]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def run(quick: bool, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.py recovery_corpus")
    parser.add_argument("--corpus", type=Path,
                        default=Path(os.environ.get(CORPUS_ENV, DEFAULT_CORPUS)))
    parser.add_argument("--fqlite", default=os.environ.get(FQLITE_ENV, ""),
                        help="java class path of an FQLite 1.5.7 build, to run it beside ours")
    parser.add_argument("--only", default="", help="comma-separated database ids, e.g. 0C-05")
    parser.add_argument("--verbose", action="store_true", help="one line per database")
    args = parser.parse_args(argv or [])
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}: clone "
              "https://github.com/compositionsystems/sqlite-forensic-corpus and pass "
              "--corpus .../sqlite_forensic_corpus_v2.0; skipped")
        return
    only = {x for x in args.only.split(",") if x}
    by_cat: dict[str, Score] = {}
    fq_by_cat: dict[str, Score] = {}
    corrected = []
    for db_id, cat, db_path, xml in databases(args.corpus, quick):
        if only and db_id not in only:
            continue
        rows = read_truth(xml)
        if cat in UNMODIFIED:
            fixed = correct_truth(rows, db_path)
            if fixed:
                corrected.append(f"{db_id}: {fixed}")
        data = db_path.read_bytes()
        encoding, usable = _db_layout(data)
        survivors = {i for i, r in enumerate(rows) if r.deleted and survives(data, r, encoding, usable)}
        t0 = time.perf_counter()
        try:
            records, unlinked = run_ours(db_path)
        except Exception as exc:  # a crash is a result here, not a reason to stop the table
            print(f"{db_id}: recovery raised {type(exc).__name__}: {exc}")
            records, unlinked = [], 0
        s = score(records, rows, survivors)
        s.seconds = time.perf_counter() - t0
        s.unlinked = unlinked
        by_cat.setdefault(cat, Score()).add(s)
        fq = None
        if args.fqlite:
            t0 = time.perf_counter()
            fq = score(run_fqlite(db_path, args.fqlite), rows, survivors)
            fq.seconds = time.perf_counter() - t0
            fq_by_cat.setdefault(cat, Score()).add(fq)
        if args.verbose and (s.deleted or s.false or s.live_as_deleted or unlinked):
            print(_row(db_id, s, fq), *s.false_examples, sep="\n    " if s.false_examples else "")
    peer = "measured here" if args.fqlite else "published in issue 18 (other scoring)"
    print(f"FQLite 1.5.7 columns: {peer}")
    print(HEADER)
    print("|" + "---|" * HEADER.count(" | ") + "---|")
    total, fq_total = Score(), Score()
    for cat in sorted(by_cat):
        s = by_cat[cat]
        total.add(s)
        fq = fq_by_cat.get(cat)
        if fq is not None:
            fq_total.add(fq)
        if not (s.deleted or s.false or s.live_as_deleted or s.unlinked
                or (fq and (fq.false or fq.live_as_deleted))):
            continue
        if fq is None and cat in PUBLISHED_FQLITE:
            c, p = PUBLISHED_FQLITE[cat]
            fq = Score(deleted=s.deleted, complete=c, partial=p)
        print(_row(cat, s, fq))
    if not args.fqlite and "all" in PUBLISHED_FQLITE and not quick:
        c, p = PUBLISHED_FQLITE["all"]
        fq_total = Score(deleted=total.deleted, complete=c, partial=p, false=18)
    print(_row("all", total, fq_total if (args.fqlite or not quick) else None))
    print(f"also: {total.fragments} cut-off finds of deleted rows short of partial, "
          f"{total.schema} deleted sqlite_master rows of dropped tables (neither is false)")
    if corrected:
        print("truth corrected (rows the XML calls live that SQLite no longer holds): "
              + ", ".join(corrected))


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv, argv=[a for a in sys.argv[1:] if a != "--quick"])
