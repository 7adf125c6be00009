"""ctrl+c and an ending signal (SIGTERM or SIGHUP) to every command, in a real terminal (tmux,
a server of the test's own): each ends with the shell's code for it, the terminal left on its
main screen with no mouse reporting and the cursor shown, no traceback, no process left, and
every line already written (a trace, a cast) kept whole."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import descendants, kitchen_tui, pid_alive, wait_until
from tests.terminal import IN_THE_APP, RESTORED, Terminal, processes_in, terminal

__all__ = ["terminal"]  # the fixture, used by name

pytestmark = [pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(90)]


def _port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _has(name: str, text: str) -> Callable[[Path], bool]:
    """Ready once the file `name` in the run's folder holds `text`."""
    return lambda folder: (folder / name).exists() and text in (folder / name).read_text()


@dataclass(frozen=True)
class Command:
    """A command as a user types it, when it is under way, what it writes, how ctrl+c ends it."""

    args: tuple[str, ...]
    shows: str  # on screen once it is up
    ready: Callable[[Path], bool] = lambda _folder: True  # under way: an order in, a take on
    outputs: tuple[str, ...] = ()
    ctrl_c: int = 130  # the exit code ctrl+c gives: a screen's quit key exits 0
    screen: bool = False
    stopped: int | None = None  # the exit code a signal gives, if not the shell's 128 + n


COMMANDS = {
    "app": Command(
        ("--trace", "t.trace"), "front desk", outputs=("t.trace",), ctrl_c=0, screen=True
    ),
    "play": Command(
        ("play", "three-tables", "--trace", "t.trace"),
        "SCENE",
        outputs=("t.trace",),
        ctrl_c=0,
        screen=True,
    ),
    "race": Command(
        ("race", "--trace", "t.trace"),
        "stats",
        outputs=("t.sync.trace", "t.async.trace"),
        ctrl_c=0,
        screen=True,
    ),
    "replay": Command(("replay", "TRACE"), "REPLAY", ctrl_c=0, screen=True),
    "report": Command(
        ("report", "--scenario", "ten-chats", "--mode", "sync", "--trace", "t.trace"),
        "",
        ready=_has("t.trace", '"seated"'),
        outputs=("t.trace",),
    ),
    "record": Command(
        ("record", "--out", "t.cast", "--trace", "t.trace", "--seconds", "30"),
        "",
        ready=_has("t.trace", '"hello"'),
        outputs=("t.cast", "t.trace"),
    ),
    "sweep": Command(
        ("sweep", "--dish", "message", "--modes", "sync", "--rates", "0.5,1", "--seconds", "30"),
        "",
        ready=lambda _folder: True,
    ),
    # A server asked to stop (by a signal too) stops every tab's app and exits 0.
    "serve": Command(
        ("serve", "--port", "PORT"), "each tab gets its own kitchen", ctrl_c=0, stopped=0
    ),
}
HOW = {"SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP, "ctrl+c": None}
# ctrl+c to every command, and one ending signal each. SIGTERM and SIGHUP share one handler in
# each place that handles them (ui/signals.py for the four screens, cli/record.py,
# cli/web_server.py; report and sweep keep Python's default for both), so the commands that
# share a handler take turns: each handler still meets each signal, every command one of them.
ENDING = {
    **{"app": "SIGTERM", "play": "SIGHUP", "race": "SIGHUP", "replay": "SIGTERM"},
    **{"report": "SIGHUP", "sweep": "SIGTERM", "record": "SIGTERM", "serve": "SIGHUP"},
}
CASES = [(name, how) for name in COMMANDS for how in ("ctrl+c", ENDING[name])]


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("signals")
    run = kitchen_tui("report", "--scenario", "three-tables", "--trace", "t.trace", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder / "t.trace"


def whole_lines(path: Path) -> list[object]:
    """Every line of a trace or a cast, each whole JSON: nothing written was cut or lost."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines, f"{path.name} is empty"
    return lines


@pytest.mark.parametrize(("name", "how"), CASES, ids=[f"{n}-{h}" for n, h in CASES])
def test_a_signal_or_ctrl_c_ends_the_command_cleanly_and_keeps_what_it_wrote(
    name: str, how: str, terminal: Terminal, tmp_path: Path, trace: Path
) -> None:
    command = COMMANDS[name]
    swap = {"TRACE": str(trace), "PORT": _port()}
    terminal.start([swap.get(arg, arg) for arg in command.args], tmp_path)
    app = terminal.app_pid()
    if command.shows:
        terminal.wait_shows(command.shows)
    if command.screen:
        assert wait_until(lambda: terminal.modes() == IN_THE_APP, timeout=30)
    assert wait_until(lambda: command.ready(tmp_path), timeout=30), sorted(tmp_path.iterdir())
    if name not in ("replay", "serve"):
        assert wait_until(lambda: bool(descendants(app)), timeout=30), "no kitchen ran"
    everyone = {app, *descendants(app)}
    number = HOW[how]
    if number is None:
        terminal.tmux("send-keys", "-t", "k", "C-c")
    else:
        os.kill(app, number)
    code = terminal.exit_code()
    if number is None:
        expected = command.ctrl_c
    else:
        expected = 128 + number if command.stopped is None else command.stopped
    assert code == expected, terminal.screen()
    assert terminal.modes() == RESTORED
    assert "Traceback" not in terminal.screen(history=200)
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=10), everyone
    assert not processes_in(tmp_path)
    for output in command.outputs:
        whole_lines(tmp_path / output)


def test_a_closed_terminal_ends_the_app_and_its_kitchen(terminal: Terminal, tmp_path: Path) -> None:
    """The window closed: the terminal is gone (tmux's server killed), so is every process."""
    terminal.start([], tmp_path)
    pid = terminal.app_pid()
    assert wait_until(lambda: bool(descendants(pid)), timeout=30), "no kitchen process ran"
    everyone = {pid, *descendants(pid)}
    terminal.tmux("kill-server")
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=15), everyone


def test_a_closed_terminal_ends_a_busy_app(terminal: Terminal, tmp_path: Path) -> None:
    """The window closed while a steady stream keeps the screen busy: a hung-up terminal sends
    SIGHUP and then SIGCONT, and the app must not restart its terminal for that SIGCONT (it
    did, then waited forever on the dead terminal's writer: app and kitchen left running)."""
    (tmp_path / "stream.toml").write_text('mode = "async"\n[load]\nrate = 40.0\nseconds = 120\n')
    terminal.start(["--scenario", "stream.toml"], tmp_path)
    pid = terminal.app_pid()

    def served() -> int:
        shown = re.search(r"served (\d+)", terminal.screen())
        return int(shown.group(1)) if shown else 0

    assert wait_until(lambda: served() >= 20, timeout=30), "the stream was never served"
    everyone = {pid, *descendants(pid)}
    terminal.tmux("kill-server")
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=15), everyone
