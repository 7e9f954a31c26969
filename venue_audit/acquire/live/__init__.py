"""Acquire from a running PostgreSQL or MySQL/MariaDB server, read-only, into a case snapshot."""

from venue_audit.acquire.live.acquisition import (
    LiveAcquisitionResult,
    TablePlan,
    acquire_database,
    open_session,
)
from venue_audit.acquire.live.encoding import snapshot_value, vector_text_to_json
from venue_audit.acquire.live.errors import (
    AuthenticationFailed,
    BadTarget,
    DriverMissing,
    LiveAcquisitionError,
    PasswordRequired,
    PermissionDenied,
    ServerUnreachable,
    TlsRequired,
    UnknownTables,
)
from venue_audit.acquire.live.snapshot import CopiedTable
from venue_audit.acquire.live.target import (
    PASSWORD_VARIABLE,
    DatabaseTarget,
    is_database_url,
    parse_target,
)

__all__ = [
    "PASSWORD_VARIABLE",
    "AuthenticationFailed",
    "BadTarget",
    "CopiedTable",
    "DatabaseTarget",
    "DriverMissing",
    "LiveAcquisitionError",
    "LiveAcquisitionResult",
    "PasswordRequired",
    "PermissionDenied",
    "ServerUnreachable",
    "TablePlan",
    "TlsRequired",
    "UnknownTables",
    "acquire_database",
    "is_database_url",
    "open_session",
    "parse_target",
    "snapshot_value",
    "vector_text_to_json",
]
