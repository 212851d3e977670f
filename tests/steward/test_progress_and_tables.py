"""Long work shows its progress on stderr only (a bar on a terminal, plain lines otherwise); tables align."""

from __future__ import annotations

import io
import re

import pytest

from steward._progress import note, progress, track
from steward._table import table_lines


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_piped_the_first_step_one_per_tenth_and_the_last() -> None:
    stream = io.StringIO()
    with progress("runs", stream=stream) as advance:
        for done in range(1, 101):
            advance(done, 100)
    lines = stream.getvalue().splitlines()
    # the first step (the work has started, with a first estimate), then one line per tenth
    assert [line.split(",")[0] for line in lines] == [f"runs: {n}/100 ({n}%)" for n in (1, *range(10, 101, 10))]
    assert all(re.search(r", \d+:\d\d elapsed, about \d+:\d\d left$", line) for line in lines[:-1])
    assert lines[-1].endswith("elapsed")  # nothing left at the end


def test_track_counts_a_step_the_loop_skips_and_shows_small_totals_step_by_step() -> None:
    stream = io.StringIO()
    seen = []
    for item in track(["a", "b", "c"], "items", stream=stream):
        if item == "b":
            continue
        seen.append(item)
    assert seen == ["a", "c"]
    assert [line.split(",")[0] for line in stream.getvalue().splitlines()] == [
        "items: 1/3 (33%)",
        "items: 2/3 (66%)",
        "items: 3/3 (100%)",
    ]


def test_a_bar_on_a_terminal_with_counts_and_no_plain_lines() -> None:
    stream = _Terminal()
    with progress("runs", 4, stream=stream) as advance:
        for done in range(1, 5):
            advance(done, 4)
    shown = stream.getvalue()
    assert "runs" in shown and "4/4" in shown and "elapsed" in shown
    assert "(100%)" not in shown  # the bar, not the plain lines

    unknown = _Terminal()
    with progress("nothing to do", stream=unknown):
        pass
    assert "0/?" not in unknown.getvalue().rsplit("\r", 1)[-1]  # a bar that never learnt its total is removed


def test_note_writes_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    note("staging crm (csv)")
    assert capsys.readouterr() == ("", "staging crm (csv)\n")


def test_tables_align_columns_right_align_numbers_and_keep_each_row_on_one_line() -> None:
    lines = table_lines(
        ("user", "roles", "n"),
        [("ada", "admin, auditor", 3), ("bob\nevil\x1b[2J", None, 12), ("日本", "x", 0)],
        right={2},
    )
    assert lines == [
        "user              roles            n",
        "ada               admin, auditor   3",
        "bob\\nevil\\x1b[2J  -               12",
        "日本              x                0",  # two columns each
    ]
    assert table_lines(("a", "b"), [("x", "")]) == ["a  b", "x"]  # no trailing spaces
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        table_lines(("a", "b"), [("x",)])
