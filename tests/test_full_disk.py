"""A full disk, end to end, for every output of every command: a trace, stills, a cast, a GIF,
a chart, stdout. Each run stops with one line that names the file and the reason (exit code 1),
no traceback, the terminal restored, no process left, and what was written before kept.

/dev/full stands for a full disk (every write fails with ENOSPC). Where a command names its
files itself (a still in a folder), a file-size limit does the same (EFBIG).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.recording.gif import agg_binary
from tests.conftest import wait_until
from tests.terminal import RESTORED, Terminal, file_size_limit, processes_in, terminal

__all__ = ["terminal"]  # the fixture, used by name

pytestmark = [pytest.mark.timeout(90)]

FULL = "write failed: No space left on device"
KEPT = "what was written is kept"


def trace_lines(path: Path) -> list[dict[str, object]]:
    """A trace's events, every line whole JSON: what a run wrote before it stopped."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def ended_cleanly(terminal: Terminal, folder: Path, line: str) -> None:
    """Exit code 1, the terminal as it was, `line` said once, no traceback, nobody left."""
    assert terminal.exit_code() == 1, terminal.screen()
    screen = terminal.screen(history=200)
    assert terminal.modes() == RESTORED
    assert screen.count(line) == 1 and "Traceback" not in screen, screen
    said = [row for row in screen.splitlines() if row.startswith("kitchen-tui:")]
    assert said == [line], said
    assert wait_until(lambda: not processes_in(folder), timeout=10), processes_in(folder)


# --- the screen commands ---------------------------------------------------------------------


@pytest.mark.tmux
@pytest.mark.parametrize(
    "command",
    [[], ["play", "three-tables", "--no-hold"]],
    ids=["app", "play"],
)
def test_a_trace_on_a_full_disk_stops_the_screen_with_one_line(
    command: list[str], terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start([*command, "--trace", "/dev/full"], tmp_path)
    ended_cleanly(terminal, tmp_path, f"kitchen-tui: --trace /dev/full: {FULL}; {KEPT}")


@pytest.mark.tmux
def test_one_race_trace_on_a_full_disk_stops_the_race_and_keeps_the_other(
    terminal: Terminal, tmp_path: Path
) -> None:
    (tmp_path / "race.sync.trace").symlink_to("/dev/full")
    terminal.start(["race", "--trace", "race.trace"], tmp_path)
    ended_cleanly(terminal, tmp_path, f"kitchen-tui: --trace race.sync.trace: {FULL}; {KEPT}")
    kept = trace_lines(tmp_path / "race.async.trace")
    assert kept[0]["type"] == "hello" and kept[0]["settings"]["mode"] == "async"  # type: ignore[index]


@pytest.mark.tmux
def test_a_still_on_a_full_disk_stops_the_talk_and_leaves_no_half_picture(
    terminal: Terminal, tmp_path: Path
) -> None:
    """Every still is larger than the limit: the first fails, at the end of scene 1."""
    args = ["play", "three-tables", "--no-hold", "--speed", "5", "--stills", "stills"]
    terminal.start(args, tmp_path, wrapper=file_size_limit(4096))
    still = "01-sync--one-cook--three-tables.svg"
    ended_cleanly(
        terminal,
        tmp_path,
        f"kitchen-tui: --stills stills: write failed: {still}: File too large;"
        " the stills saved before it are kept",
    )
    assert list((tmp_path / "stills").iterdir()) == []  # no cut SVG left behind


# --- record ---------------------------------------------------------------------------------


def run(*args: str, cwd: Path, stdout: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`kitchen-tui ARGS`, its stdout into `stdout` if given (/dev/full), else captured."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
    command = [sys.executable, "-m", "kitchen_tui", *args]
    if stdout is None:
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=cwd, env=env)
    with stdout.open("w") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.PIPE, text=True, timeout=60, cwd=cwd, env=env
        )
    return subprocess.CompletedProcess(done.args, done.returncode, "", done.stderr)


def said_one_line(run: subprocess.CompletedProcess[str], folder: Path) -> str:
    """The one error line the run ended with (sweep's progress lines may come before it)."""
    assert run.returncode == 1, (run.stdout, run.stderr)
    lines = run.stderr.splitlines()
    assert "Traceback" not in run.stderr and lines, run.stderr
    assert [line for line in lines if line.startswith("kitchen-tui:")] == lines[-1:], lines
    assert wait_until(lambda: not processes_in(folder), timeout=10), processes_in(folder)
    return lines[-1]


def test_record_says_why_its_take_stopped_when_the_trace_is_on_a_full_disk(
    tmp_path: Path,
) -> None:
    """It printed only "(exit 1)": the reason was inside the cast."""
    done = run("record", "--out", "t.cast", "--trace", "/dev/full", "--seconds", "8", cwd=tmp_path)
    assert said_one_line(done, tmp_path) == f"kitchen-tui: --trace /dev/full: {FULL}; {KEPT}"
    assert done.stdout.startswith("wrote t.cast:")
    header, *events = (tmp_path / "t.cast").read_text().splitlines()
    assert json.loads(header)["version"] == 2 and events  # the take up to the failure


def _agg_installed() -> bool:
    try:
        agg_binary()
    except UsageError:
        return False
    return True


@pytest.mark.skipif(not _agg_installed(), reason="GIFs need agg: pip install 'kitchen-tui[gif]'")
def test_a_gif_on_a_full_disk_is_one_line_and_keeps_the_cast(tmp_path: Path) -> None:
    done = run("record", "--out", "t.cast", "--gif", "/dev/full", "--seconds", "2", cwd=tmp_path)
    assert said_one_line(done, tmp_path) == (
        f"kitchen-tui: --gif /dev/full: {FULL}; t.cast is kept: draw the GIF again with"
        " kitchen-tui gif t.cast GIF"
    )
    (tmp_path / "full.gif").symlink_to("/dev/full")
    again = run("gif", "t.cast", "full.gif", cwd=tmp_path)
    assert said_one_line(again, tmp_path).startswith(f"kitchen-tui: GIF full.gif: {FULL};")
    assert json.loads((tmp_path / "t.cast").read_text().splitlines()[0])["version"] == 2


# --- report, sweep: stdout and the chart --------------------------------------------------------

FULL_STDOUT = f"kitchen-tui: stdout: {FULL}; {KEPT}"
SWEEP = ["sweep", "--dish", "redis", "--modes", "async", "--rates", "5,10", "--seconds", "2"]


REPORT = ["report", "--scenario", "three-tables", "--mode", "async", "--speed", "10"]
REPORT += ["--trace", "t.trace"]


@pytest.mark.parametrize(
    "args",
    [REPORT, [*REPORT, "--json"], [*SWEEP, "--speed", "10"], [*SWEEP, "--speed", "10", "--json"]],
    ids=["report", "report-json", "sweep", "sweep-json"],
)
def test_stdout_on_a_full_disk_is_one_line(args: list[str], tmp_path: Path) -> None:
    """`report > /dev/full` ended in a traceback of rich's write."""
    done = run(*args, cwd=tmp_path, stdout=Path("/dev/full"))
    assert said_one_line(done, tmp_path) == FULL_STDOUT
    if args[0] == "report":  # its trace, another output, was written whole before
        served = [e for e in trace_lines(tmp_path / "t.trace") if e["type"] == "served"]
        assert len(served) == 3


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason="the chart needs matplotlib: pip install 'kitchen-tui[charts]'",
)
def test_a_sweep_chart_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "chart.svg").symlink_to("/dev/full")
    done = run(*SWEEP, "--speed", "10", "--out", "chart.svg", cwd=tmp_path)
    assert said_one_line(done, tmp_path) == f"kitchen-tui: --out chart.svg: {FULL}; {KEPT}"
    assert "offered/s" in done.stdout  # the table, printed before the chart failed
