"""The Typer application every command registers on, and the contract all commands share.

Each command gets, without repeating it: ``-h/--help``, ``--version``, help without type
placeholders, the exit codes of :mod:`venue_audit.errors` (a user's mistake is one line on
stderr, never a traceback), a quiet exit when stdout is a closed pipe
(``venue-audit custody CASE | head -1``), and on Ctrl-C a custody event and a line saying how
to resume.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from venue_audit import __version__
from venue_audit.case import Case
from venue_audit.errors import (
    EXIT_DIFFERENCE,
    EXIT_INTEGRITY,
    EXIT_INTERNAL,
    EXIT_USAGE,
    VenueAuditError,
)

EXIT_INTERRUPTED = 130  # the shell's convention for a process stopped by SIGINT

EXIT_CODES_HELP = (
    "Exit codes, the same on every command: 0 done; 1 a difference or residue was found "
    "(hashdeep's audit-mode convention); 2 a usage error, refused before any work; "
    "3 an evidence or case integrity failure; 70 an internal error (a bug: please report it); "
    "130 interrupted (Ctrl-C)."
)

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; the caller raises what this returns."""
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    return typer.Exit(code)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"venue-audit {__version__}")
        raise typer.Exit()


Version = Annotated[
    bool,
    typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
]


def _with_version_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The command with a ``--version`` option added to its signature, so Typer offers it."""
    signature = inspect.signature(command, eval_str=True)
    if "version" in signature.parameters:
        return command

    @functools.wraps(command)
    def wrapper(*args: Any, version: bool = False, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    extra = inspect.Parameter(
        "version", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Version
    )
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), extra]
    )
    wrapper.__annotations__ = {**command.__annotations__, "version": Version}
    return wrapper


def _stdout_closed() -> None:
    """The reader of our stdout went away (``| head``): stop writing, exit 0, print nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class Interruption:
    """What a command tells the Ctrl-C handler: the case it works on and what is done so far."""

    def __init__(self) -> None:
        self.case: Case | None = None
        self.done = ""

    def reset(self) -> None:
        self.case = None
        self.done = ""


interruption = Interruption()


def open_case(directory: Path) -> Case:
    """Open the case a command works on; a Ctrl-C from here on is logged in its custody."""
    case = Case(directory)
    interruption.case = case
    return case


def _record_interruption(command_path: str) -> None:
    done = interruption.done or "nothing finished"
    again = " ".join(["venue-audit", *sys.argv[1:]])
    typer.echo(
        f"interrupted ({done}); what was saved is kept; to resume, run again: {again}", err=True
    )
    if interruption.case is not None:
        try:
            interruption.case.log("interrupted", {"command": command_path, "done": done}, sys.argv)
        except Exception as error:  # the case may be mid-write; the message above still stands
            typer.echo(f"note: the interruption could not be logged in custody: {error}", err=True)


def _report_internal_error(command_path: str) -> None:
    """A bug, not a user's mistake: the traceback goes to stderr, exit code 70, custody notes it."""
    trace = traceback.format_exc()
    typer.echo(trace, err=True, nl=False)
    last = trace.strip().splitlines()[-1]
    typer.echo(
        f"internal error in {command_path} (a bug; please report it with the lines above): {last}",
        err=True,
    )
    if interruption.case is not None:
        with contextlib.suppress(Exception):  # the case itself may be what failed
            interruption.case.log("failed", {"command": command_path, "error": last}, sys.argv)


# Click's UsageError, from whichever Click this Typer uses (its own copy since Typer 0.26)
ClickUsageError: type[Any] = typer.BadParameter.__bases__[0]


class OneLineUsageError(ClickUsageError):
    """A mistake in the command line itself (unknown option, bad value): one ``error:`` line,
    like every other refusal, instead of Click's usage block."""

    def show(self, file: Any = None) -> None:
        message = " ".join(self.format_message().split()).rstrip(".")
        where = f" (see '{self.ctx.command_path} -h')" if self.ctx is not None else ""
        typer.echo(f"error: {message}{where}", err=True)


def _one_line(error: Any) -> Exception:
    """The error as one line; one that shows something else (help, for no arguments) is kept."""
    if type(error).show is not ClickUsageError.show:
        return error
    one_line = OneLineUsageError(error.format_message(), error.ctx)
    one_line.exit_code = error.exit_code
    return one_line


class OneLineUsageErrors:
    """Mixed into the command and group classes: their parse errors become one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except ClickUsageError as error:
            raise _one_line(error) from None


def _argument_name(param: Any) -> str:
    name = param.metavar or param.name.upper()
    return name if param.required or name.startswith("[") else f"[{name}]"


# Click's range notation ("[x>=1]", "[default: 8001; 1<=x<=65535]"): the help says it in words
RANGE_NOTE = re.compile(r";? ?(?:-?\d+<=?x(?:<=?-?\d+)?|x[<>]=?-?\d+)(?=\])")


def _without_range_notes(help_text: str) -> str:
    return RANGE_NOTE.sub("", help_text).replace("  []", "").replace(" []", "")


class Group(OneLineUsageErrors, TyperGroup):
    """A group of venue-audit commands (``venue-audit``, ``venue-audit case``)."""

    def resolve_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().resolve_command(*args, **kwargs)
        except ClickUsageError as error:
            raise _one_line(error) from None


class Command(OneLineUsageErrors, TyperCommand):
    """A venue-audit command: help without type placeholders, and the exit-code contract."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [
            _argument_name(p) for p in self.get_params(ctx) if p.param_type_name == "argument"
        ]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = [p for p in self.get_params(ctx) if not getattr(p, "hidden", False)]
        arguments = [
            (_argument_name(p), p.help or "") for p in params if p.param_type_name == "argument"
        ]
        options = [
            (record[0], _without_range_notes(record[1]))
            for p in params
            if p.param_type_name == "option" and (record := p.get_help_record(ctx))
        ]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        interruption.reset()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()
            return result
        except VenueAuditError as error:
            raise fail(str(error), error.exit_code) from None
        except BrokenPipeError:
            _stdout_closed()
            raise typer.Exit(0) from None
        except (KeyboardInterrupt, typer.Abort):
            _record_interruption(ctx.command_path)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except typer.Exit:
            raise
        except Exception as error:
            if hasattr(error, "exit_code") and hasattr(error, "show"):
                raise  # Typer's own usage errors: it prints them and exits with their code
            _report_internal_error(ctx.command_path)
            raise typer.Exit(EXIT_INTERNAL) from None


class App(typer.Typer):
    """A Typer app whose commands are :class:`Command`, each with ``--version`` and ``-h``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        kwargs.setdefault("cls", Command)
        register = super().command(*args, **kwargs)
        return lambda function: register(_with_version_option(function))


app = App(
    help="Audit the facial data a venue has kept: acquire exports forensically, find and count "
    "faces and persons, cross-check consent, write an evidence report, verify deletions.\n\n"
    "Example: venue-audit case new ./case-001 --case-no 沪青检-2025-001 --venue 'Sales office A' "
    "--examiner 张三 --examiner 李四\n\n" + EXIT_CODES_HELP,
)


@app.callback()
def main(version: Version = False) -> None:
    """venue-audit: forensic audit of a venue's face data."""


__all__ = [
    "EXIT_DIFFERENCE",
    "EXIT_INTEGRITY",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "App",
    "app",
    "console",
    "errors",
    "fail",
    "interruption",
    "open_case",
]
