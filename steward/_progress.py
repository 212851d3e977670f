"""Progress of long work, on stderr only, so stdout stays exactly what a command prints (its JSON included).

On a terminal, a rich progress bar with the counts, the time taken and the time left; when stderr is piped or
redirected, plain lines: one per tenth of the work, and the last. Messages without a count (`note`) are plain
lines on stderr either way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO, TypeVar

T = TypeVar("T")

Advance = Callable[[int, int], None]
"""Told after each step of the work: (done, total); the total may grow or shrink as the work learns it."""


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


@contextmanager
def progress(label: str, total: int | None = None, *, stream: TextIO | None = None) -> Iterator[Advance]:
    """Show the progress of `label` on `stream` (stderr): a bar on a terminal, plain lines otherwise.

    `total` may be unknown at the start (None); each call of the returned `advance(done, total)` sets both.
    """
    out = sys.stderr if stream is None else stream
    if _is_terminal(out):
        with _bar(label, total, out) as advance:
            yield advance
    else:
        yield _Lines(label, out)


def track(items: Sequence[T], label: str, *, stream: TextIO | None = None) -> Iterator[T]:
    """Each of `items` in turn, counted as done when the loop asks for the next one (a `continue` counts)."""
    with progress(label, len(items), stream=stream) as advance:
        for done, item in enumerate(items, start=1):
            yield item
            advance(done, len(items))


def note(line: str) -> None:
    """A progress message with no count (what a step is doing): a plain line on stderr."""
    print(line, file=sys.stderr, flush=True)


class _Lines:
    """Plain progress lines: `label: done/total (pct%), elapsed, about ... left`, at each tenth and at the end."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self._label = label
        self._stream = stream
        self._started = time.monotonic()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        tenth = min(done, total) * 10 // total
        if tenth <= self._shown:
            return
        self._shown = tenth
        elapsed = time.monotonic() - self._started
        line = f"{self._label}: {done}/{total} ({done * 100 // total}%), {_clock(elapsed)} elapsed"
        if 0 < done < total:
            line += f", about {_clock(elapsed / done * (total - done))} left"
        print(line, file=self._stream, flush=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@contextmanager
def _bar(label: str, total: int | None, stream: TextIO) -> Iterator[Advance]:
    """A rich bar on `stream`; what the program prints meanwhile (logs on stderr, and stdout when it is a
    terminal too) appears above the bar instead of through it. A bar that never learnt its total (nothing to
    do) is removed at the end."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
    from rich.text import Text

    class Times(ProgressColumn):
        def render(self, task: Task) -> Text:
            text = f"{_clock(task.elapsed or 0.0)} elapsed"
            if task.time_remaining is not None and not task.finished:
                text += f", about {_clock(task.time_remaining)} left"
            return Text(text, style="progress.elapsed")

    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        Times(),
        console=Console(file=stream),
        redirect_stdout=_is_terminal(sys.stdout),
        redirect_stderr=stream is sys.stderr,
    )
    with bar:
        task = bar.add_task(label, total=total)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            yield advance
        finally:
            if bar.tasks[0].total is None:
                bar.remove_task(task)
