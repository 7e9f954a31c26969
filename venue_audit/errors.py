"""The errors a user can cause, and the exit code each one means on every command.

The library raises these; the CLI maps them to exit codes without knowing why they were
raised, so ``venue-audit audit`` and a Python caller see the same refusal.

Exit codes (the same on every command): 0 done; 1 a difference or residue was found (hashdeep's
audit-mode convention); 2 a usage error, refused before any work; 3 an evidence or case
integrity failure; anything else is an internal error (the CLI uses 70, sysexits' EX_SOFTWARE,
so a crash is never mistaken for "a difference was found").
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DIFFERENCE = 1
EXIT_USAGE = 2
EXIT_INTEGRITY = 3
EXIT_INTERNAL = 70


class VenueAuditError(Exception):
    """Base of the errors a user can cause; ``exit_code`` is what the CLI exits with."""

    exit_code = EXIT_USAGE


class UsageError(VenueAuditError):
    """A mistake in what was asked: a bad path, date, option or case state. Nothing was done."""

    exit_code = EXIT_USAGE


class IntegrityError(VenueAuditError):
    """Evidence or the case database no longer matches what was recorded."""

    exit_code = EXIT_INTEGRITY
