"""Typed failures of a live acquisition, each with a message an examiner can act on.

The CLI prints ``str(error)`` and exits 2; nothing here ever carries a password.
"""

from __future__ import annotations

from venue_audit.errors import UsageError


class LiveAcquisitionError(UsageError):
    """Reading a running database server failed before anything was copied."""


class DriverMissing(LiveAcquisitionError):
    """The Python driver for this server type is not installed."""


class BadTarget(LiveAcquisitionError):
    """The database URL is malformed, unsupported, or carries a password."""


class ServerUnreachable(LiveAcquisitionError):
    """No server answered at that host and port."""


class AuthenticationFailed(LiveAcquisitionError):
    """The server refused the user name or password."""


class PasswordRequired(AuthenticationFailed):
    """The server wants a password and none was given (environment variable or prompt)."""


class TlsRequired(LiveAcquisitionError):
    """The server only accepts encrypted connections (or refuses the TLS settings given)."""


class PermissionDenied(LiveAcquisitionError):
    """The account may connect but lacks a privilege the acquisition needs."""


class UnknownTables(LiveAcquisitionError):
    """``--tables`` named tables the account cannot see."""
