"""kill -9 of a kitchen process under each command that runs one: `report` says the kitchen died
and exits 1; the live app, `play` and `race` show it, restart it on x and quit cleanly. After
each, no process is left and every line already written to the trace is kept, whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import descendants, pid_alive, wait_until
from tests.terminal import RESTORED, Terminal, processes_in, terminal

__all__ = ["terminal"]  # the fixture, used by name

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

KILLED = "the kitchen process was killed by signal 9"


def trace_events(path: Path) -> list[dict[str, object]]:
    """Every line of the trace, each one whole JSON: nothing written was lost or cut."""
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert events and events[0]["type"] == "hello", events[:1]
    return events


def written(path: Path, text: str) -> bool:
    return path.exists() and text in path.read_text()


# --- report ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "wait_for"),
    [
        (["--scenario", "three-tables", "--mode", "sync"], '"seated"'),
        (["--scenario", "pdf-embed", "--prep-shelf", "--speed", "2"], '"shelf_in"'),
    ],
    ids=["sync", "prep-shelf"],
)
def test_report_says_the_kitchen_died_and_keeps_the_trace(
    args: list[str], wait_for: str, tmp_path: Path
) -> None:
    report = subprocess.Popen(
        [sys.executable, "-m", "kitchen_tui", "report", *args, "--trace", "k.trace"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        trace = tmp_path / "k.trace"
        assert wait_until(lambda: written(trace, wait_for), timeout=30), "the run never started"
        (kitchen,) = _kitchens(report.pid)
        everyone = descendants(report.pid)  # the kitchen and its prep shelf workers
        os.kill(kitchen, signal.SIGKILL)  # the kitchen alone: its shelf must go with it
        out, err = report.communicate(timeout=20)
    finally:
        if report.poll() is None:
            report.kill()
            report.wait()
    assert report.returncode == 1, (out, err)
    assert err == f"kitchen-tui: {KILLED}\n"
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=10), everyone
    assert not processes_in(tmp_path)
    types = [event["type"] for event in trace_events(trace)]
    assert wait_for.strip('"') in types and "served" not in types[-1:]


# --- the screens: the live app, play, race ----------------------------------------------------

SCREENS = {
    "app": (["--scenario", "three-tables", "--mode", "sync"], "front desk"),
    "play": (["play", "three-tables", "--no-hold"], "SCENE"),
    "race": (["race"], "stats"),
}


@pytest.mark.tmux
@pytest.mark.parametrize("name", SCREENS)
def test_a_killed_kitchen_is_shown_restarted_on_x_and_nothing_is_left_at_quit(
    name: str, terminal: Terminal, tmp_path: Path
) -> None:
    args, shows = SCREENS[name]
    terminal.start([*args, "--trace", "k.trace"], tmp_path)
    terminal.wait_shows(shows)
    app = terminal.app_pid()
    wanted = 2 if name == "race" else 1
    assert wait_until(lambda: len(_kitchens(app)) == wanted, timeout=30), descendants(app)
    first = _kitchens(app)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    terminal.wait_shows("press x for a fresh kitchen")
    assert KITCHEN_DIED in terminal.screen()
    terminal.tmux("send-keys", "-t", "k", "x")
    assert wait_until(lambda: len(_kitchens(app) - first) == 1, timeout=30), _kitchens(app)
    assert wait_until(lambda: "press x for a fresh kitchen" not in terminal.screen(), 10)
    everyone = {app, *descendants(app)} | first
    terminal.tmux("send-keys", "-t", "k", "q")
    assert terminal.exit_code() == 0
    assert terminal.modes() == RESTORED
    assert "Traceback" not in terminal.screen(history=200)
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=10), everyone
    assert not processes_in(tmp_path)
    traces = sorted(tmp_path.glob("*.trace"))
    assert len(traces) == wanted, traces
    for trace in traces:
        trace_events(trace)


KITCHEN_DIED = "killed by signal 9"


def _kitchens(app: int) -> set[int]:
    """The app's kitchen processes: its children running the kitchen's module."""
    found = set()
    for pid in descendants(app):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"kitchen_tui.kitchen.serve" in command:
            found.add(pid)
    return found
