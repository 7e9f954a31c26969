"""Progress on stderr, one line per stage: what is done of how much, at what rate, how long left.

The library reports ``progress(done, total)`` per stage (acquire in bytes, scan in items)
and ``on_stage(name, index, count)`` between stages; stages that cannot count (persons,
consent, report) show their elapsed time and say so rather than invent an ETA. Whatever
the display, the latest count is kept for the Ctrl-C message (``interruption.done``).
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from venue_audit.cli.app import errors, interruption

# what each stage counts (None: the stage reports no counts)
UNITS = {"acquire": "bytes", "scan": "items", "re-hashing": "bytes"}
DONE_VERBS = {"acquire": "hashed", "scan": "analysed", "re-hashing": "re-hashed"}


def _amount(value: float, unit: str) -> str:
    if unit != "bytes":
        return f"{value:,.0f}"
    for size in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or size == "TB":
            return f"{value:,.0f} {size}" if size == "B" else f"{value:,.1f} {size}"
        value /= 1024
    return f"{value:,.1f} TB"


class CountColumn(ProgressColumn):
    """``1,234 / 5,000 items  38.2 items/s`` (or the elapsed time alone for uncounted stages)."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if not unit or task.total is None:
            return Text("")
        done = f"{_amount(task.completed, unit)} / {_amount(task.total, unit)}"
        rate = f"  {_amount(task.speed, unit)}/s" if task.speed else ""
        label = "" if unit == "bytes" else f" {unit}"
        return Text(f"{done}{label}{rate}")


class EtaColumn(TimeRemainingColumn):
    """``· ETA 0:01:23`` for a counted stage; nothing for one that cannot count (no guess)."""

    def render(self, task: Task) -> Text:
        if not task.fields.get("unit"):
            return Text("")
        return Text("· ETA ") + super().render(task)


class StageProgress:
    """The display for one command: ``stage()`` starts a line, ``update()`` advances it."""

    def __init__(self, quiet: bool) -> None:
        self.shown = not quiet and errors.is_terminal
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.name = ""
        self.started = time.monotonic()

    def __enter__(self) -> StageProgress:
        if self.shown:
            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                CountColumn(),
                TimeElapsedColumn(),
                EtaColumn(),
                console=errors,
            )
            self.bar.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            if kind is None:
                self._finish()
            self.bar.__exit__(kind, error, trace)

    def _finish(self) -> None:
        if self.bar is not None and self.task is not None:
            task = self.bar.tasks[-1]
            self.bar.update(self.task, total=task.total or 1, completed=task.total or 1)

    def stage(self, name: str, index: int = 0, count: int = 1) -> None:
        """Begin stage ``name`` (``index`` of ``count``); the previous one is complete."""
        self._finish()
        self.name = name
        self.started = time.monotonic()
        interruption.done = f"{name} started" if index == 0 else f"{index} of {count} stages done"
        if self.bar is not None:
            label = f"[{index + 1}/{count}] {name}" if count > 1 else name
            self.task = self.bar.add_task(label, total=None, unit=UNITS.get(name))

    def update(self, done: int, total: int) -> None:
        unit = UNITS.get(self.name, "items")
        verb = DONE_VERBS.get(self.name, "done")
        counted = f"{_amount(done, unit)} of {_amount(total, unit)}"
        interruption.done = f"{self.name}: {counted}{'' if unit == 'bytes' else ' ' + unit} {verb}"
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total, unit=unit)
