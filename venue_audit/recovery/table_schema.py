"""Column layouts of tables, parsed from the CREATE TABLE text kept in sqlite_master.

A deleted row usually loses its cell header, so the only way to find where its record starts
is to know what the serial types of that table's rows look like. That knowledge comes from
the column declared types (SQLite's type-affinity rules), parsed here without SQLite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from venue_audit.recovery.sqlite_format import int_body_size

_CONSTRAINT_WORDS = {
    "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
    "REFERENCES", "GENERATED", "AS",
}
_TABLE_CONSTRAINTS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}

INTEGER_TYPES = frozenset(range(0, 10))


def affinity(declared: str) -> str:
    """SQLite's affinity rules (https://www.sqlite.org/datatype3.html §3.1), in their order."""
    t = declared.upper()
    if "INT" in t:
        return "INTEGER"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "TEXT"
    if "BLOB" in t or not t.strip():
        return "BLOB"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "REAL"
    return "NUMERIC"


def serial_type_fits(aff: str, st: int, declared: str = "") -> bool:
    """Whether a value stored under this affinity would plausibly carry serial type ``st``.

    Deliberately strict (text in an INTEGER column is legal SQLite but rare in vendor data):
    it is what keeps header-less matching from reading records into random bytes.
    """
    if st in (10, 11) or st < 0:
        return False
    if st == 0:
        return True
    if aff in ("INTEGER", "REAL", "NUMERIC"):
        return st <= 9
    if aff == "TEXT":
        return st >= 13 and st % 2 == 1
    if "BLOB" in declared.upper():
        return st >= 12 and st % 2 == 0
    return True  # no declared type keeps whatever it was given


@dataclass(frozen=True)
class Column:
    name: str
    declared_type: str
    affinity: str


@dataclass
class TableSchema:
    name: str
    root_page: int
    sql: str
    columns: list[Column] = field(default_factory=list)
    rowid_alias: int | None = None
    without_rowid: bool = False
    pk_columns: list[int] = field(default_factory=list)  # declared positions, in key order
    # set on a record layout whose columns are not in declared order: record position i
    # holds declared column record_order[i]
    record_order: tuple[int, ...] | None = None
    # value sizes (body bytes) seen in a column's live values when they are few: how long a
    # header-less deleted row's value most likely was (positions in this layout)
    value_sizes: dict[int, set[int]] = field(default_factory=dict)
    # storage classes ("integer", "real", "text", "blob") a column's live values have: a
    # DATETIME or VARBINARY column (NUMERIC affinity) holding text fits its own rows
    value_classes: dict[int, set[str]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def record_layout(self) -> TableSchema:
        """The columns in the order a record stores them. A WITHOUT ROWID table is an index
        b-tree keyed on its primary key, so its records hold the key columns first, in key
        order, then the others in declared order; any other table stores declared order."""
        if not self.without_rowid or not self.pk_columns:
            return replace(self, value_sizes={}, value_classes={})
        order = [*self.pk_columns, *(i for i in range(len(self.columns)) if i not in self.pk_columns)]
        return TableSchema(self.name, self.root_page, self.sql, [self.columns[i] for i in order],
                           None, True, list(range(len(self.pk_columns))), tuple(order))

    def learn_from_live(self, rows: list[list], encoding: str, most: int = 8) -> None:
        """Learn from the table's live rows (in declared order) what its columns hold: the
        storage classes of their values, and, where a column's values take at most ``most``
        different sizes in a record (fixed-width keys, small integers), those sizes, which tell
        how long a value whose serial type was lost most likely was."""
        order = self.record_order or tuple(range(len(self.columns)))
        for position, column in enumerate(order):
            values = [row[column] for row in rows if column < len(row)]
            self.value_classes[position] = {_storage_class(v) for v in values} - {"null"}
            sizes = {_body_size(v, encoding) for v in values}
            if len(rows) >= 3 and len(sizes) <= most:
                self.value_sizes[position] = sizes

    def declared_order(self, values: list) -> list:
        """Values of a record in this layout, put back in the table's declared column order."""
        if self.record_order is None:
            return values
        out: list = [None] * len(self.columns)
        for position, column in enumerate(self.record_order):
            if position < len(values):
                out[column] = values[position]
        return out

    @property
    def declared_names(self) -> list[str]:
        return self.declared_order(self.column_names)

    def fits(self, serial_types: tuple[int, ...]) -> bool:
        """Serial types could be a row of this table (equal column count, all types fit)."""
        if len(serial_types) != len(self.columns):
            return False
        for i, (col, st) in enumerate(zip(self.columns, serial_types, strict=True)):
            if i == self.rowid_alias:
                if st != 0:
                    return False
            elif not self._type_fits(i, col, st):
                return False
        return True

    def classes(self, position: int) -> set[str]:
        """Storage classes a value of this column may have: those its affinity allows (as
        strictly as ``serial_type_fits``) and those seen in its live values."""
        col = self.columns[position]
        if col.affinity in ("INTEGER", "REAL", "NUMERIC"):
            declared = {"null", "integer", "real"}
        elif col.affinity == "TEXT":
            declared = {"null", "text"}
        elif "BLOB" in col.declared_type.upper():
            declared = {"null", "blob"}
        else:
            declared = {"null", "integer", "real", "text", "blob"}
        return declared | self.value_classes.get(position, set())

    def _type_fits(self, position: int, col: Column, st: int) -> bool:
        return serial_type_fits(col.affinity, st, col.declared_type) or (
            st not in (10, 11) and serial_class(st) in self.value_classes.get(position, ())
        )

    def fit_score(self, serial_types: tuple[int, ...]) -> float:
        """Fraction of columns whose serial type fits; 0 when the column count is impossible."""
        if not serial_types or len(serial_types) > len(self.columns):
            return 0.0
        good = sum(
            1
            for i, (col, st) in enumerate(zip(self.columns, serial_types, strict=False))
            if self._type_fits(i, col, st)
        )
        return good / len(self.columns)


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] in "\"'`[" and name[-1] in "\"'`]":
        return name[1:-1]
    return name


def _split_top_level(body: str) -> list[str]:
    parts, depth, current, quote = [], 0, [], ""
    for ch in body:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        elif ch == "[":
            quote = "]"
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    if current:
        parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


_TOKEN = re.compile(r'"[^"]*"|`[^`]*`|\[[^\]]*\]|\'[^\']*\'|\([^)]*\)|[^\s(]+')


def parse_create_table(name: str, root_page: int, sql: str) -> TableSchema:
    """Parse CREATE TABLE text; on anything unparseable return a schema with no columns."""
    schema = TableSchema(name=name, root_page=root_page, sql=sql)
    open_at = sql.find("(")
    close_at = sql.rfind(")")
    if open_at < 0 or close_at <= open_at:
        return schema
    tail = sql[close_at + 1 :].upper()
    schema.without_rowid = "WITHOUT" in tail and "ROWID" in tail
    table_pk: list[str] = []
    for part in _split_top_level(sql[open_at + 1 : close_at]):
        tokens = _TOKEN.findall(part)
        if not tokens:
            continue
        first = tokens[0].upper()
        if first in _TABLE_CONSTRAINTS and not tokens[0].startswith(("\"", "`", "[")):
            if first == "PRIMARY":
                m = re.search(r"\(([^)]*)\)", part)
                if m:
                    table_pk = [_unquote(c.split()[0]) for c in m.group(1).split(",") if c.strip()]
            continue
        col_name = _unquote(tokens[0])
        type_words: list[str] = []
        for tok in tokens[1:]:
            if tok.upper() in _CONSTRAINT_WORDS:
                break
            type_words.append(tok)
        declared = " ".join(type_words)
        schema.columns.append(Column(col_name, declared, affinity(declared)))
        upper = part.upper()
        if re.search(r"\bPRIMARY\s+KEY\b", upper):
            schema.pk_columns = [len(schema.columns) - 1]
        if declared.upper() == "INTEGER" and re.search(r"\bPRIMARY\s+KEY\b", upper) and (
            not re.search(r"\bPRIMARY\s+KEY\s+DESC\b", upper)
        ):
            schema.rowid_alias = len(schema.columns) - 1
    if table_pk:
        names = [c.name.lower() for c in schema.columns]
        schema.pk_columns = [names.index(c.lower()) for c in table_pk if c.lower() in names]
    if table_pk and len(table_pk) == 1 and schema.rowid_alias is None:
        for i, col in enumerate(schema.columns):
            if col.name.lower() == table_pk[0].lower() and col.declared_type.upper() == "INTEGER":
                schema.rowid_alias = i
    if schema.without_rowid:
        schema.rowid_alias = None
    return schema


def _body_size(value: object, encoding: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool | int):
        return int_body_size(int(value))
    if isinstance(value, float):
        return 8
    if isinstance(value, str):
        return len(value.encode(encoding, errors="surrogatepass"))
    return len(value) if isinstance(value, bytes | bytearray) else 0


def serial_class(st: int) -> str:
    """Storage class of a serial type: "null", "integer", "real", "text" or "blob"."""
    if st == 0:
        return "null"
    if st == 7:
        return "real"
    if st < 12:
        return "integer"
    return "blob" if st % 2 == 0 else "text"


def _storage_class(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return "integer"
    if isinstance(value, float):
        return "real"
    return "text" if isinstance(value, str) else "blob"
