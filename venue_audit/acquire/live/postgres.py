"""PostgreSQL: one READ ONLY, REPEATABLE READ transaction, tables streamed by server-side cursor.

The session sets ``default_transaction_read_only`` at connection start and
opens ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``, so the server itself
refuses any write even if one were attempted. ``TimeZone=UTC`` makes
timestamps print the same way on every acquisition. Privileges are checked
with ``has_table_privilege`` before touching a table, and every per-table
statement runs inside a savepoint so an unexpected refusal (row-level
security) does not abort the snapshot.
"""

from __future__ import annotations

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

APPLICATION_NAME = "venue-audit"
# libpq options that only shape the connection (TLS, timeouts); anything else in the URL is refused.
_PASSED_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslcompression",
    "gssencmode",
    "connect_timeout",
    "target_session_attrs",
    "channel_binding",
}
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


def connect(target: DatabaseTarget, password: str | None) -> PostgresSession:
    try:
        import psycopg
    except ImportError as error:
        raise DriverMissing(
            "reading PostgreSQL needs the 'psycopg' package (pip install 'psycopg[binary]')"
        ) from error
    unknown = set(target.options) - _PASSED_OPTIONS
    if unknown:
        raise LiveAcquisitionError(
            f"unsupported PostgreSQL URL option(s): {', '.join(sorted(unknown))}"
        )
    params: dict[str, Any] = {
        "host": target.host,
        "port": target.port,
        "dbname": target.database or target.user or "postgres",
        "application_name": APPLICATION_NAME,
        # lock_timeout: never queue forever behind another session's exclusive lock
        "options": "-c default_transaction_read_only=on -c TimeZone=UTC -c lock_timeout=60s",
        "connect_timeout": timeout_option(target.options),
        **{k: v for k, v in target.options.items() if k != "connect_timeout"},
    }
    if target.user:
        params["user"] = target.user
    if password is not None:
        params["password"] = password
    try:
        connection = psycopg.connect(**params, autocommit=False)
    except psycopg.Error as error:
        raise _connect_error(target, error) from None
    return PostgresSession(connection)


def _connect_error(target: DatabaseTarget, error: Exception) -> LiveAcquisitionError:
    message = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
    text = str(error)
    where = target.display
    if "no password supplied" in text:
        return PasswordRequired(f"{where}: the server asks for a password: {message}")
    if "password authentication failed" in text or ("role" in text and "does not exist" in text):
        return AuthenticationFailed(f"{where}: authentication failed: {message}")
    if "no encryption" in text or "SSL" in text or "certificate" in text:
        return TlsRequired(
            f"{where}: the server's TLS rules refused this connection ({message}); "
            "add ?sslmode=require (or verify-full with sslrootcert=…) to the URL"
        )
    if "permission denied" in text or "not permitted to log in" in text:
        return PermissionDenied(f"{where}: {message}")
    if "pg_hba.conf" in text:
        return AuthenticationFailed(
            f"{where}: the server's access rules refuse this user: {message}"
        )
    if "does not exist" in text:
        return LiveAcquisitionError(f"{where}: {message}")
    return ServerUnreachable(f"{where}: cannot connect: {message}")


class PostgresSession:
    default_schema = "public"

    def __init__(self, connection: Any) -> None:
        import psycopg
        from psycopg.types.string import TextLoader

        self._psycopg = psycopg
        self._connection = connection
        # JSON stays the server's text, not Python objects (a JSON string would lose its quotes).
        for name in ("json", "jsonb"):
            connection.adapters.register_loader(name, TextLoader)
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        row = connection.execute(
            "select version(), current_setting('server_version'), "
            "to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), "
            "current_setting('transaction_isolation'), current_setting('transaction_read_only'), "
            "current_database(), current_user, txid_current_snapshot()::text"
        ).fetchone()
        self.facts = ServerFacts(
            version=row[0],
            snapshot_time=row[2],
            isolation=f"{row[3]}, read_only={row[4]}",
            details={
                "server_version": row[1],
                "database": row[5],
                "user": row[6],
                "transaction_snapshot": row[7],
            },
        )
        if row[4] != "on":
            raise LiveAcquisitionError("the server did not start a read-only transaction")

    def tables(self) -> list[ServerTable]:
        rows = self._connection.execute(
            "select c.oid, n.nspname, c.relname, has_table_privilege(c.oid, 'SELECT'), "
            "c.relrowsecurity and not (select rolbypassrls or rolsuper from pg_roles "
            "where rolname = current_user) "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p') and not c.relispartition "
            "and n.nspname <> all(%s) and n.nspname not like 'pg\\_toast%%' "
            "and n.nspname not like 'pg\\_temp%%' order by n.nspname, c.relname",
            [list(_SYSTEM_SCHEMAS)],
        ).fetchall()
        tables = []
        for oid, schema, name, readable, row_security in rows:
            columns = self._connection.execute(
                "select attname, format_type(atttypid, atttypmod) from pg_attribute "
                "where attrelid = %s and attnum > 0 and not attisdropped order by attnum",
                [oid],
            ).fetchall()
            key = self._connection.execute(
                "select a.attname from pg_index i join pg_attribute a "
                "on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[]) "
                "where i.indrelid = %s and i.indisprimary "
                "order by array_position(i.indkey::int2[], a.attnum)",
                [oid],
            ).fetchall()
            tables.append(
                ServerTable(
                    schema=schema,
                    name=name,
                    columns=[c[0] for c in columns],
                    types=[c[1] for c in columns],
                    primary_key=[k[0] for k in key],
                    readable=bool(readable),
                    notes=(
                        ("row-level security applies: only the rows this account may see are read",)
                        if row_security
                        else ()
                    ),
                    key=oid,
                )
            )
        return tables

    def _select(self, table: ServerTable, order: bool) -> Any:
        sql = self._psycopg.sql
        query = sql.SQL("select {} from {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in table.columns),
            sql.Identifier(table.schema, table.name),
        )
        if order and table.primary_key:
            query += sql.SQL(" order by {}").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in table.primary_key)
            )
        return query

    def count(self, table: ServerTable) -> int:
        sql = self._psycopg.sql
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(table.schema, table.name))
        return int(self._guarded(table, lambda: self._connection.execute(query).fetchone()[0]))

    def sample(self, table: ServerTable, limit: int) -> list[tuple[Any, ...]]:
        query = self._select(table, order=True) + self._psycopg.sql.SQL(" limit {}").format(
            self._psycopg.sql.Literal(limit)
        )
        return self._guarded(table, lambda: self._connection.execute(query).fetchall())

    def stream(self, table: ServerTable, batch: int) -> Iterator[list[tuple[Any, ...]]]:
        try:
            with (
                self._connection.transaction(),
                self._connection.cursor(name="venue_audit_copy") as cursor,
            ):
                cursor.itersize = batch
                cursor.execute(self._select(table, order=True))
                while rows := cursor.fetchmany(batch):
                    yield rows
        except self._psycopg.errors.InsufficientPrivilege as error:
            raise TableUnreadable(str(error).strip()) from None
        except self._psycopg.Error as error:
            raise LiveAcquisitionError(f"reading {table.qualified} failed: {error}") from None

    def _guarded(self, table: ServerTable, action: Callable[[], Any]) -> Any:
        try:
            with self._connection.transaction():
                return action()
        except self._psycopg.errors.InsufficientPrivilege as error:
            raise TableUnreadable(str(error).strip()) from None
        except self._psycopg.Error as error:
            raise LiveAcquisitionError(f"reading {table.qualified} failed: {error}") from None

    def close(self) -> None:
        """End the transaction; a broken connection must not hide the error that broke it."""
        try:
            self._connection.rollback()
        except self._psycopg.Error:
            pass
        finally:
            self._connection.close()
