"""Options shared by several commands: one spelling and one meaning everywhere.

``--json`` prints the command's result as JSON on stdout; ``--json-out FILE`` writes it to a
file; ``-q/--quiet`` turns off progress and notes; ``-w/--workers N`` is the number of
processes; ``--as-of DATE`` is the day the audit is judged at.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

CaseDir = Annotated[
    Path,
    typer.Argument(help="The case folder (holds case.db).", metavar="CASE_DIR", show_default=False),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress display or notes; print only the result."),
]
AsJson = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout (for scripts).")
]
JsonOut = Annotated[
    Path | None,
    typer.Option("--json-out", metavar="FILE", help="Also write the result as JSON to FILE."),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        metavar="N",
        min=1,
        help="Worker processes to use, 1 or more (default: all cores).",
    ),
]
Encoder = Annotated[
    str,
    typer.Option(
        "--encoder",
        metavar="NAME",
        help="auto (onnx if installed, else numpy), onnx (dlib's network, exact), onnx-int8 "
        "(the same network quantised: ~3x faster, not exact), numpy, or dlib (the reference).",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="The day the audit is judged at (YYYY-MM-DD); recorded, so a rerun is identical.",
    ),
]
Offsite = Annotated[
    list[Path] | None,
    typer.Option(
        "--offsite",
        metavar="PATH",
        help="A source (or a folder in one) taken from outside the venue: a cloud export, "
        "another host. Venue faces found there are an off-site-transfer finding.",
    ),
]
Examiners = Annotated[
    list[str] | None,
    typer.Option(
        "--examiner", metavar="NAME", help="An examiner's name; give two different names."
    ),
]
Responsible = Annotated[
    str,
    typer.Option(
        "--responsible",
        metavar="NAME",
        help="The business's person responsible for personal information protection "
        "(个人信息保护负责人): a self-audit has one, instead of two examiners.",
    ),
]
Lang = Annotated[
    Literal["zh", "en", "zh+en"],
    typer.Option("--lang", metavar="LANG", help="The report's language: zh, en or zh+en."),
]

# The examination record (检验记录), on ``case new`` and ``audit`` alike.
Org = Annotated[str, typer.Option("--org", metavar="NAME", help="Commissioning body (委托单位).")]
Title = Annotated[str, typer.Option("--title", metavar="TEXT", help="Cause of the case (案由).")]
CommissionedAt = Annotated[
    str,
    typer.Option(
        "--commissioned-at",
        metavar="DATE",
        help="When the examination was commissioned (委托时间).",
    ),
]
Place = Annotated[
    str, typer.Option("--place", metavar="TEXT", help="Where the examination is done (检验地点).")
]
MaterialSource = Annotated[
    str,
    typer.Option(
        "--material-source",
        metavar="TEXT",
        help="Where the evidence came from (检材来源): who handed what over, how it was exported, "
        "seal numbers. The first custody event.",
    ),
]
HandoverAt = Annotated[
    str,
    typer.Option(
        "--handover-at", metavar="TIME", help="When the evidence was exported and handed over."
    ),
]
Requirements = Annotated[
    str,
    typer.Option(
        "--requirements", metavar="TEXT", help="What the examination must answer (检验要求)."
    ),
]
Witnesses = Annotated[
    list[str] | None,
    typer.Option("--witness", metavar="NAME", help="A witness (见证人); repeat for more."),
]
Holder = Annotated[
    str,
    typer.Option(
        "--holder", metavar="NAME", help="The holder of the evidence (持有人), who signs."
    ),
]


@dataclass(frozen=True)
class ExaminationRecord:
    """The examination record's details (案由, 委托单位 … 持有人) as ``CaseInfo`` fields."""

    org: str = ""
    title: str = ""
    commissioned_at: str = ""
    place: str = ""
    material_source: str = ""
    handover_at: str = ""
    requirements: str = ""
    witnesses: list[str] = field(default_factory=list)
    holder: str = ""

    def case_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``CaseInfo``."""
        return asdict(self)


# The placeholder a command declares where the options go: ``record: ExaminationRecord = RECORD``.
RECORD = ExaminationRecord()

# option name -> (its type, its default); the order of --help
_RECORD_OPTIONS: dict[str, tuple[Any, Any]] = {
    "org": (Org, ""),
    "title": (Title, ""),
    "commissioned_at": (CommissionedAt, ""),
    "place": (Place, ""),
    "material_source": (MaterialSource, ""),
    "handover_at": (HandoverAt, ""),
    "requirements": (Requirements, ""),
    "witness": (Witnesses, None),
    "holder": (Holder, ""),
}


def examination_record_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the examination-record options in place of its ``record`` parameter.

    ``case new`` and ``audit`` both take --org, --title … --holder; declared here once, they
    reach the command as one :class:`ExaminationRecord`, so the two cannot drift apart.
    """
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name != "record":
            parameters.append(parameter)
            continue
        parameters += [
            inspect.Parameter(name, parameter.kind, default=default, annotation=annotation)
            for name, (annotation, default) in _RECORD_OPTIONS.items()
        ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name, default) for name, (_, default) in _RECORD_OPTIONS.items()}
        given["witnesses"] = given.pop("witness") or []
        return command(*args, record=ExaminationRecord(**given), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper
