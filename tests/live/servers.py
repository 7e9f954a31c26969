"""Throw-away PostgreSQL and MariaDB servers for the live-acquisition tests.

Each server gets its own data folder under a temporary directory, listens on
127.0.0.1 at a free port only, and logs every statement (PostgreSQL
``log_statement=all``, MariaDB's general log): the tests read those logs to
prove the acquisition never sent a write. As root (CI), the servers run as the
``postgres`` / ``mysql`` accounts the Debian packages create.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

WRITE_STATEMENT = re.compile(
    r"^\s*(insert|update|delete|replace|merge|upsert|create|drop|alter|truncate|rename|grant|"
    r"revoke|copy\s+\S+\s+from|load\s+data|vacuum|reindex|cluster|comment\s+on|select\b.*\binto\b\s+(?!@))",
    re.I | re.S,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_service_user(account: str, base: Path) -> list[str]:
    """Command prefix that runs a server as its service account when the tests run as root."""
    if os.geteuid() != 0:
        return []
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        return []
    for path in [base, *base.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return ["runuser", "-u", account, "--"]


def _server_folder(prefix: str) -> Path:
    """A fresh folder the service account can reach (pytest's temporary folders are 0700)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(base, 0o755)
    return base


def postgres_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(candidate) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(os.path.realpath(found)).parent if found else None


@dataclass
class PostgresServer:
    base: Path
    bindir: Path
    port: int
    prefix: list[str]

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = postgres_bindir()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not installed")
        base = _server_folder("venue-audit-postgres-")
        (base / "socket").mkdir()
        prefix = _as_service_user("postgres", base)
        server = cls(base, bindir, free_port(), prefix)
        subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
        )
        hba = server.data / "pg_hba.conf"
        # First match wins: this account may only connect over TLS.
        hba.write_text("hostnossl all tlsonly 127.0.0.1/32 reject\n" + hba.read_text())
        tls = server.make_certificate()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} "
            f"-c unix_socket_directories={server.socket_dir} -c log_statement=all "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
            "-c log_line_prefix='%m [%p] app=%a user=%u: '"
            + (" -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key" if tls else "")
        )
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(server.data),
                "-l",
                str(server.log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return server

    @property
    def has_tls(self) -> bool:
        return (self.data / "server.crt").exists()

    def make_certificate(self) -> bool:
        """A self-signed certificate for 127.0.0.1, if openssl is installed."""
        if not shutil.which("openssl"):
            return False
        key, certificate = self.data / "server.key", self.data / "server.crt"
        made = subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(certificate),
            ],
            capture_output=True,
        )
        if made.returncode:
            return False
        if self.prefix:
            entry = pwd.getpwnam("postgres")
            for path in (key, certificate):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(key, 0o600)
        return True

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=False,
            capture_output=True,
        )

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user="postgres",
            dbname=database,
            autocommit=True,
        )

    def url(self, user: str, database: str, query: str = "") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}" + (
            f"?{query}" if query else ""
        )

    def statements(self, application: str = "venue-audit") -> list[str]:
        """Every statement the server logged for connections with this application_name."""
        found = []
        pattern = re.compile(
            rf"app={re.escape(application)} user=\S*: LOG:  (?:statement|execute [^:]*): (.*)$"
        )
        for line in self.log.read_text(errors="replace").splitlines():
            match = pattern.search(line)
            if match:
                found.append(match.group(1))
        return found


@dataclass
class MariadbServer:
    base: Path
    port: int
    prefix: list[str]
    process: subprocess.Popen

    @property
    def socket(self) -> Path:
        return self.base / "mysqld.sock"

    @property
    def general_log(self) -> Path:
        return self.base / "general.log"

    @classmethod
    def start(cls) -> MariadbServer:
        server_binary = (
            shutil.which("mariadbd")
            or shutil.which("mysqld")
            or ("/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").exists() else None)
        )
        installer = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
        if not server_binary or not installer:
            raise FileNotFoundError(
                "MariaDB server binaries (mariadbd, mariadb-install-db) not installed"
            )
        base = _server_folder("venue-audit-mariadb-")
        (base / "data").mkdir()
        prefix = _as_service_user("mysql", base)
        user = ["--user=mysql"] if prefix else []
        subprocess.run(
            [
                installer,
                "--no-defaults",
                f"--datadir={base / 'data'}",
                *user,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )
        port = free_port()
        process = subprocess.Popen(
            [
                server_binary,
                "--no-defaults",
                f"--datadir={base / 'data'}",
                *user,
                f"--socket={base / 'mysqld.sock'}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={base / 'mysqld.pid'}",
                "--general-log=1",
                f"--general-log-file={base / 'general.log'}",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=8M",
                "--innodb-flush-log-at-trx-commit=0",
                "--skip-name-resolve",
                f"--log-error={base / 'error.log'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = cls(base, port, prefix, process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {(base / 'error.log').read_text()[-2000:]}")
            try:
                server.admin().close()
                return server
            except Exception:
                time.sleep(0.2)
        process.kill()
        raise TimeoutError("mariadbd did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)

    def admin(self, database: str | None = None):
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket),
            user="root",
            password="",
            database=database,
            autocommit=True,
            charset="utf8mb4",
        )

    def url(self, user: str, database: str, query: str = "") -> str:
        return f"mysql://{user}@127.0.0.1:{self.port}/{database}" + (f"?{query}" if query else "")

    def statements(self, user: str) -> list[str]:
        """Every query the general log holds for connections made by ``user``."""
        threads: set[str] = set()
        found = []
        entry = re.compile(
            r"^(?:\S+\s+)?\s*(\d+) (Connect|Query|Quit|Init DB|Prepare|Execute)\t?(.*)$"
        )
        current: list[str] | None = None
        for line in self.general_log.read_text(errors="replace").splitlines():
            match = entry.match(line)
            if not match:
                if current is not None:
                    current[-1] += "\n" + line
                continue
            thread, command, argument = match.groups()
            current = None
            if command == "Connect" and argument.startswith(f"{user}@"):
                threads.add(thread)
            elif command in ("Query", "Execute") and thread in threads:
                found.append(argument)
                current = found
        return found
