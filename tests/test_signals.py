"""SIGTERM and SIGHUP to each screen command, in a real terminal (tmux, a server of its own):
the app exits with the shell's code for the signal, the terminal leaves the alternate screen and
mouse mode with its cursor shown, and no kitchen process is left."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import children_of, descendants, kitchen_tui, pid_alive, wait_until

pytestmark = [pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(90)]

TMUX = shutil.which("tmux")
MODES = "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{cursor_flag}"
SHOWS = {"app": "front desk", "play": "SCENE", "race": "stats", "replay": "REPLAY"}
SERVER = ["kitchen-signals"]  # set per test: a tmux server that no other test shares
RESTORED = "0 0 0 1"  # main screen, no mouse reporting, cursor shown
IN_THE_APP = "1 1 1 0"


def tmux(*args: str) -> str:
    """tmux on a server of this test's own (the session's name is its socket's)."""
    assert TMUX is not None
    command = [TMUX, "-L", SERVER[0], *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout


@pytest.fixture
def terminal() -> Iterator[str]:
    if TMUX is None:
        pytest.skip("tmux is not installed: apt-get install tmux")
    SERVER[0] = f"kitchen-signals-{uuid.uuid4().hex[:8]}"
    yield "k"
    subprocess.run([TMUX, "-L", SERVER[0], "kill-server"], capture_output=True, timeout=10)


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("signals")
    run = kitchen_tui("report", "--scenario", "three-tables", "--trace", "t.trace", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder / "t.trace"


CASES = [
    ([], signal.SIGTERM),
    ([], signal.SIGHUP),
    (["play", "three-tables"], signal.SIGTERM),
    (["race"], signal.SIGHUP),
    (["replay", "TRACE"], signal.SIGTERM),
]


@pytest.mark.parametrize(
    ("command", "number"), CASES, ids=[f"{' '.join(c) or 'app'}-{n.name}" for c, n in CASES]
)
def test_a_signal_ends_the_app_and_restores_the_terminal(
    command: list[str], number: signal.Signals, terminal: str, trace: Path
) -> None:
    args = " ".join(str(trace) if word == "TRACE" else word for word in command)
    app = f"env -u COLUMNS -u LINES {sys.executable} -m kitchen_tui {args}"
    tmux(
        "new-session",
        "-d",
        "-s",
        terminal,
        "-x",
        "100",
        "-y",
        "30",
        f"{app}; echo EXIT=$?; sleep 60",
    )
    shell = int(tmux("display-message", "-p", "-t", terminal, "#{pane_pid}"))
    assert wait_until(
        lambda: tmux("display-message", "-p", "-t", terminal, MODES).strip() == IN_THE_APP,
        timeout=30,
    )
    assert wait_until(
        lambda: (
            SHOWS[command[0] if command else "app"] in tmux("capture-pane", "-p", "-t", terminal)
        ),
        timeout=30,
    )
    (pid,) = children_of(shell)
    if command[:1] != ["replay"]:
        assert wait_until(lambda: bool(descendants(pid)), timeout=20), "no kitchen process ran"
    kitchens = descendants(pid)
    os.kill(pid, number)
    assert wait_until(
        lambda: f"EXIT={128 + number}" in tmux("capture-pane", "-p", "-t", terminal), timeout=20
    )
    assert tmux("display-message", "-p", "-t", terminal, MODES).strip() == RESTORED
    assert "Traceback" not in tmux("capture-pane", "-p", "-S", "-100", "-t", terminal)
    assert wait_until(lambda: not any(pid_alive(k) for k in kitchens), timeout=10), kitchens


def test_a_closed_terminal_ends_the_app_and_its_kitchen(terminal: str) -> None:
    """The window closed: the terminal is gone (tmux's server killed), so is every process."""
    app = f"env -u COLUMNS -u LINES {sys.executable} -m kitchen_tui"
    tmux("new-session", "-d", "-s", terminal, "-x", "100", "-y", "30", app)
    pid = int(tmux("display-message", "-p", "-t", terminal, "#{pane_pid}"))
    assert wait_until(lambda: bool(descendants(pid)), timeout=30), "no kitchen process ran"
    everyone = {pid, *descendants(pid)}
    tmux("kill-server")
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=15), everyone


def test_a_closed_terminal_ends_a_busy_app(terminal: str, tmp_path: Path) -> None:
    """The window closed while a steady stream keeps the screen busy: a hung-up terminal sends
    SIGHUP and then SIGCONT, and the app must not restart its terminal for that SIGCONT (it
    did, then waited forever on the dead terminal's writer: app and kitchen left running)."""
    stream = tmp_path / "stream.toml"
    stream.write_text('mode = "async"\n[load]\nrate = 40.0\nseconds = 120\n')
    app = f"env -u COLUMNS -u LINES {sys.executable} -m kitchen_tui --scenario {stream}"
    tmux("new-session", "-d", "-s", terminal, "-x", "100", "-y", "30", app)
    pid = int(tmux("display-message", "-p", "-t", terminal, "#{pane_pid}"))

    def served() -> int:
        shown = re.search(r"served (\d+)", tmux("capture-pane", "-p", "-t", terminal))
        return int(shown.group(1)) if shown else 0

    assert wait_until(lambda: served() >= 20, timeout=30), "the stream was never served"
    everyone = {pid, *descendants(pid)}
    tmux("kill-server")
    assert wait_until(lambda: not any(pid_alive(p) for p in everyone), timeout=15), everyone


def test_sigcont_without_a_suspend_leaves_the_terminal_as_it_is(terminal: str) -> None:
    """Textual's driver took every SIGCONT as the `fg` after ctrl+z and started the terminal
    again: two more threads each time, and a closed terminal's SIGHUP + SIGCONT hung the exit.
    A SIGCONT the app did not ask for must change nothing."""
    app = f"env -u COLUMNS -u LINES {sys.executable} -m kitchen_tui"
    tmux("new-session", "-d", "-s", terminal, "-x", "100", "-y", "30", app)
    pid = int(tmux("display-message", "-p", "-t", terminal, "#{pane_pid}"))
    tmux("send-keys", "-t", terminal, "f")  # the kitchen up, its reader threads started
    assert wait_until(lambda: "F1" in tmux("capture-pane", "-p", "-t", terminal), 30)
    threads = len(os.listdir(f"/proc/{pid}/task"))
    for _ in range(2):
        os.kill(pid, signal.SIGCONT)
    tmux("send-keys", "-t", terminal, "f")  # handled after the signals: the app has seen them
    assert wait_until(lambda: "F2" in tmux("capture-pane", "-p", "-t", terminal), 30)
    assert len(os.listdir(f"/proc/{pid}/task")) == threads
