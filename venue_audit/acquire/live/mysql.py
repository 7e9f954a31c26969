"""MySQL and MariaDB: a READ ONLY transaction WITH CONSISTENT SNAPSHOT, tables streamed unbuffered.

InnoDB gives every read in ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` the
same view (REPEATABLE READ); MyISAM tables have no snapshot, which the custody
log records per table as the table's engine. ``time_zone = '+00:00'`` makes
TIMESTAMP values print the same on every acquisition. Rows are streamed with
PyMySQL's ``SSCursor`` (the server sends them as they are read; memory holds
one batch).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

from venue_audit.acquire.live.errors import (
    AuthenticationFailed,
    DriverMissing,
    LiveAcquisitionError,
    PasswordRequired,
    PermissionDenied,
    ServerUnreachable,
    TlsRequired,
)
from venue_audit.acquire.live.session import ServerFacts, ServerTable, TableUnreadable
from venue_audit.acquire.live.target import DatabaseTarget, timeout_option

_SYSTEM_SCHEMAS = ("mysql", "information_schema", "performance_schema", "sys")
_TLS_VERIFY = {"verify-ca", "verify_ca", "verify-full", "verify_identity"}
_TLS_ON = {"require", "required", "true", "1", *_TLS_VERIFY}
_TLS_OFF = {"disable", "disabled", "false", "0"}
_TLS_DEFAULT = {"", "prefer", "preferred"}
_PASSED_OPTIONS = {
    "ssl",
    "sslmode",
    "ssl-mode",
    "ssl_mode",
    "ssl-ca",
    "ssl_ca",
    "sslrootcert",
    "connect_timeout",
}
_DENIED = {1142, 1143}  # SELECT command denied to user for table / column


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def connect(target: DatabaseTarget, password: str | None) -> MysqlSession:
    try:
        import pymysql
    except ImportError as error:
        raise DriverMissing(
            "reading MySQL/MariaDB needs the 'PyMySQL' package (pip install PyMySQL)"
        ) from error
    unknown = set(target.options) - _PASSED_OPTIONS
    if unknown:
        raise LiveAcquisitionError(f"unsupported MySQL URL option(s): {', '.join(sorted(unknown))}")
    options = {k.replace("-", "_").lower(): v for k, v in target.options.items()}
    mode = (options.get("ssl_mode") or options.get("sslmode") or options.get("ssl") or "").lower()
    if mode not in _TLS_ON | _TLS_OFF | _TLS_DEFAULT:
        raise LiveAcquisitionError(
            f"unknown ssl-mode {mode!r}: use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY"
        )
    context = _tls_context(mode, options.get("ssl_ca") or options.get("sslrootcert"))
    try:
        connection = pymysql.connect(
            host=target.host,
            port=target.port,
            user=target.user or None,
            password=(password or "").encode("utf-8"),  # PyMySQL would encode str as Latin-1
            database=target.database or None,
            charset="utf8mb4",
            autocommit=False,
            connect_timeout=timeout_option(options),
            ssl=context,
            ssl_disabled=mode in _TLS_OFF,
        )
    except pymysql.err.MySQLError as error:
        raise _connect_error(target, error, password) from None
    return MysqlSession(connection, target.database)


def _tls_context(mode: str, ca: str | None) -> ssl.SSLContext | None:
    """MySQL's ssl-mode semantics: REQUIRED encrypts, VERIFY_CA checks the chain, VERIFY_IDENTITY the name.

    Without a mode PyMySQL's own default applies (TLS when the server offers it).
    """
    if mode not in _TLS_ON:
        return None
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = mode in {"verify-full", "verify_identity"}
    context.verify_mode = ssl.CERT_REQUIRED if mode in _TLS_VERIFY else ssl.CERT_NONE
    return context


def _connect_error(
    target: DatabaseTarget, error: Any, password: str | None
) -> LiveAcquisitionError:
    code = error.args[0] if error.args and isinstance(error.args[0], int) else None
    message = str(error.args[1]) if len(error.args) > 1 else str(error)
    where = target.display
    if code == 1045:
        if not password:
            return PasswordRequired(f"{where}: the server asks for a password: {message}")
        hint = (
            ""
            if target.options
            else " (if the account or server requires TLS, MariaDB reports it the same way: "
            "try ?ssl-mode=REQUIRED)"
        )
        return AuthenticationFailed(f"{where}: authentication failed: {message}{hint}")
    if code in (3159, 2026) or "secure transport" in message or "SSL" in message:
        return TlsRequired(
            f"{where}: TLS requirement not met ({message}); the server may demand TLS "
            "(add ?ssl-mode=REQUIRED, or VERIFY_IDENTITY with ssl-ca=…) or not offer it at all"
        )
    if code == 1044:
        return PermissionDenied(f"{where}: {message}")
    if code == 1049:
        return LiveAcquisitionError(f"{where}: {message}")
    return ServerUnreachable(f"{where}: cannot connect: {message}")


class MysqlSession:
    def __init__(self, connection: Any, database: str) -> None:
        import pymysql

        self._pymysql = pymysql
        self._connection = connection
        self.default_schema = database
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("SET SESSION time_zone = '+00:00'")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            row = None
            # MySQL 8 renamed tx_isolation / tx_read_only; MariaDB before 11.1 has only the old names.
            for prefix in ("transaction", "tx"):
                try:
                    cursor.execute(
                        "SELECT VERSION(), @@version_comment, "
                        "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f+00:00'), "
                        f"@@session.{prefix}_isolation, @@session.{prefix}_read_only, "
                        "DATABASE(), CURRENT_USER()"
                    )
                except pymysql.err.OperationalError as error:
                    if error.args and error.args[0] == 1193:  # unknown system variable
                        continue
                    raise
                row = cursor.fetchone()
                break
            if row is None:
                raise LiveAcquisitionError("the server reports no transaction isolation variables")
        self.facts = ServerFacts(
            version=f"{row[0]} ({row[1]})",
            snapshot_time=row[2],
            isolation=f"{row[3]}, read_only={'on' if row[4] else 'off'}, consistent snapshot",
            details={"database": row[5], "user": row[6]},
        )
        if not row[4]:
            raise LiveAcquisitionError("the server did not start a read-only transaction")

    def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def tables(self) -> list[ServerTable]:
        if self.default_schema:
            listing = self._query(
                "SELECT table_schema, table_name, engine FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema = %s ORDER BY table_name",
                [self.default_schema],
            )
        else:
            listing = self._query(
                "SELECT table_schema, table_name, engine FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN %s "
                "ORDER BY table_schema, table_name",
                [_SYSTEM_SCHEMAS],
            )
        tables = []
        for schema, name, engine in listing:
            columns = self._query(
                "SELECT column_name, column_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                [schema, name],
            )
            key = self._query(
                "SELECT column_name FROM information_schema.key_column_usage "
                "WHERE table_schema = %s AND table_name = %s AND constraint_name = 'PRIMARY' "
                "ORDER BY ordinal_position",
                [schema, name],
            )
            tables.append(
                ServerTable(
                    schema=schema,
                    name=name,
                    columns=[_text(c[0]) for c in columns],
                    types=[_text(c[1]) for c in columns],
                    primary_key=[_text(k[0]) for k in key],
                    engine=_text(engine or ""),
                )
            )
        return tables

    def _select(self, table: ServerTable) -> str:
        query = f"SELECT {', '.join(quote(c) for c in table.columns)} FROM {quote(table.schema)}.{quote(table.name)}"
        if table.primary_key:
            query += " ORDER BY " + ", ".join(quote(c) for c in table.primary_key)
        return query

    def count(self, table: ServerTable) -> int:
        return int(
            self._guarded(
                lambda: self._query(
                    f"SELECT COUNT(*) FROM {quote(table.schema)}.{quote(table.name)}"
                )[0][0]
            )
        )

    def sample(self, table: ServerTable, limit: int) -> list[tuple[Any, ...]]:
        return self._guarded(lambda: self._query(f"{self._select(table)} LIMIT {int(limit)}"))

    def stream(self, table: ServerTable, batch: int) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self._connection.cursor(self._pymysql.cursors.SSCursor)
        try:
            self._guarded(lambda: cursor.execute(self._select(table)))
            while rows := self._guarded(lambda: cursor.fetchmany(batch)):
                yield list(rows)
        finally:
            cursor.close()

    def _guarded(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except self._pymysql.err.MySQLError as error:
            if error.args and error.args[0] in _DENIED:
                raise TableUnreadable(str(error.args[1])) from None
            raise LiveAcquisitionError(f"the server refused a read: {error}") from None

    def close(self) -> None:
        """End the transaction; a broken connection must not hide the error that broke it."""
        try:
            self._connection.rollback()
        except self._pymysql.err.MySQLError:
            pass
        finally:
            self._connection.close()


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
