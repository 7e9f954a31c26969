"""The command line: parse arguments, check them, call the library, print. No logic lives here.

One module per command (or pair of commands); each registers on :data:`app` from
:mod:`venue_audit.cli.app`, which gives every command the shared options, exit codes and
error handling. Importing this package registers them all.
"""

from venue_audit.cli import (  # noqa: F401  (each module registers its commands)
    audit,
    browse,
    case,
    consent,
    deletion,
    evidence,
    export,
    report,
    scan,
    self_audit,
)
from venue_audit.cli.app import app

__all__ = ["app"]
