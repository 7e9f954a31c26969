"""Database URLs: what to connect to, and how to name it in the custody log without secrets.

A password in the URL is refused outright: it would sit in the shell history,
the process list and the custody log's ``command`` field. Passwords come from
``VENUE_AUDIT_DB_PASSWORD`` or a prompt the caller supplies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from venue_audit.acquire.live.errors import BadTarget

PASSWORD_VARIABLE = "VENUE_AUDIT_DB_PASSWORD"

_SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
_URL = re.compile(r"^(postgresql|postgres|mysql|mariadb)(\+\w+)?://", re.I)
# Query options that would change what is read or where secrets go are not passed through.
_SECRET_OPTIONS = {"password", "passwd", "pass", "sslpassword", "ssl-password", "ssl_password"}


@dataclass(frozen=True)
class DatabaseTarget:
    """One server and database, as parsed from ``postgresql://user@host:port/db?sslmode=...``."""

    dialect: str
    host: str
    port: int
    user: str
    database: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        """The URL as the custody log records it (never a password)."""
        user = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = "&".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.dialect}://{user}{host}:{self.port}/{self.database}" + (
            f"?{query}" if query else ""
        )

    def as_log(self) -> dict[str, object]:
        return {
            "url": self.display,
            "dialect": self.dialect,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "database": self.database,
            "options": dict(sorted(self.options.items())),
        }


def is_database_url(text: str) -> bool:
    """Whether an ``acquire`` source argument is a server URL rather than a path."""
    return bool(_URL.match(text.strip()))


def parse_target(url: str) -> DatabaseTarget:
    if not is_database_url(url):
        raise BadTarget(
            f"not a database URL: expected postgresql://user@host/db or mysql://user@host/db, got {url.split('://')[0]!r}://…"
        )
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower().split("+")[0]
    dialect = _SCHEMES[scheme]
    if parts.password is not None:
        raise BadTarget(
            "the URL contains a password; remove it and set "
            f"{PASSWORD_VARIABLE} or answer the prompt instead (a password on the command line "
            "ends up in shell history and the custody log)"
        )
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if _SECRET_OPTIONS & {k.lower() for k in options}:
        raise BadTarget(
            f"the URL contains a password option; use {PASSWORD_VARIABLE} or the prompt instead"
        )
    try:
        port = parts.port or _DEFAULT_PORTS[dialect]
    except ValueError as error:
        raise BadTarget(f"bad port in database URL: {error}") from error
    host = parts.hostname or ("localhost" if not options.get("host") else options["host"])
    database = unquote(parts.path.lstrip("/"))
    if "/" in database:
        raise BadTarget(f"bad database name {database!r} in URL")
    return DatabaseTarget(
        dialect=dialect,
        host=host,
        port=port,
        user=unquote(parts.username or ""),
        database=database,
        options=options,
    )


def timeout_option(options: dict[str, str], default: int = 15) -> int:
    """``connect_timeout`` from the URL in seconds (a server that never answers must not hang us)."""
    text = options.get("connect_timeout", str(default))
    if not text.isdigit() or int(text) == 0:
        raise BadTarget(f"connect_timeout must be a positive number of seconds, not {text!r}")
    return int(text)
