"""The installed `kitchen-tui` in a real terminal (tmux): orders, a mode switch, a clean quit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import children_of, descendants, pid_alive, wait_until

pytestmark = [pytest.mark.tmux, pytest.mark.slow]

TMUX = shutil.which("tmux")
SCRIPT = shutil.which("kitchen-tui") or str(Path(sys.executable).parent / "kitchen-tui")


# A server of its own (tmux -L): the tests never start, list or kill sessions on the user's
# default tmux server. A new server for each test: one started on the socket of a server
# being killed failed now and then ("server exited unexpectedly").
SOCKET = [f"kitchen-tests-{os.getpid()}"]


def _tmux(*args: str) -> str:
    assert TMUX is not None
    command = [TMUX, "-L", SOCKET[0], *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True)
    return done.stdout


@pytest.fixture
def session() -> Iterator[str]:
    yield from _session("")


@pytest.fixture
def workers_session() -> Iterator[str]:
    yield from _session("--workers 4")


def _session(args: str) -> Iterator[str]:
    """`kitchen-tui ARGS` in a 120x36 tmux session on a server of its own."""
    if TMUX is None:
        pytest.skip("tmux is not installed: apt-get install tmux")
    if not os.access(SCRIPT, os.X_OK):
        pytest.skip("the kitchen-tui console script is not installed: pip install -e .")
    name = f"kitchen-test-{uuid.uuid4().hex[:8]}"
    SOCKET[0] = f"kitchen-tests-{name}"
    env = "env -u COLUMNS -u LINES TEXTUAL_ANIMATIONS=none COLORTERM=truecolor"
    _tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "36", f"{env} {SCRIPT} {args}")
    try:
        yield name
    finally:
        subprocess.run([TMUX, "-L", SOCKET[0], "kill-server"], capture_output=True, timeout=10)


def test_sessions_live_on_a_tmux_server_of_their_own(session: str) -> None:
    assert TMUX is not None
    assert session in _tmux("list-sessions", "-F", "#{session_name}")
    on_default = subprocess.run([TMUX, "has-session", "-t", session], capture_output=True)
    assert on_default.returncode != 0, "the test session is on the user's default tmux server"


def _screen(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session)


def test_real_terminal_orders_mode_switch_and_clean_quit(session: str) -> None:
    assert wait_until(lambda: "backend asyncio" in _screen(session), 30), _screen(session)
    app_pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
    assert wait_until(lambda: bool(descendants(app_pid)), 10), "no kitchen process was started"
    kitchen = descendants(app_pid)

    _tmux("send-keys", "-t", session, "s", "f", "d")
    assert wait_until(lambda: "F1 redis" in _screen(session) and "D1" in _screen(session), 10)
    assert wait_until(lambda: "served 2" in _screen(session), 10), _screen(session)

    _tmux("send-keys", "-t", session, "m")
    assert wait_until(lambda: "mode sync" in _screen(session), 10), _screen(session)
    _tmux("send-keys", "-t", session, "s", "f")
    assert wait_until(lambda: "COOK BUSY" in _screen(session), 10), _screen(session)
    screen = _screen(session)
    assert "front desk" in screen and "line cook" in screen and "timeline" in screen

    started = time.monotonic()
    _tmux("send-keys", "-t", session, "q")  # with an LLM order still in flight
    assert wait_until(lambda: not pid_alive(app_pid), 10), "the app did not quit"
    assert time.monotonic() - started < 3, "quitting with tickets in flight was not quick"
    assert wait_until(lambda: not any(pid_alive(pid) for pid in kitchen), 5), (
        "a kitchen process is left"
    )


def test_ctrl_c_in_a_real_terminal_quits_and_leaves_no_kitchen(session: str) -> None:
    assert wait_until(lambda: "backend asyncio" in _screen(session), 30), _screen(session)
    app_pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
    assert wait_until(lambda: bool(descendants(app_pid)), 10), "no kitchen process was started"
    kitchen = descendants(app_pid)
    _tmux("send-keys", "-t", session, "s", "C-c")
    assert wait_until(lambda: not pid_alive(app_pid), 10), "ctrl+c did not quit the app"
    assert wait_until(lambda: not any(pid_alive(pid) for pid in kitchen), 5), (
        "a kitchen process is left"
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize("end", ["q", "C-c", "kill -9"])
def test_workers_added_killed_and_restarted_leave_nothing_at_the_end(
    workers_session: str, end: str
) -> None:
    """Four forked workers, one more started by w (a new interpreter), one killed and started
    again by x: however the app ends, no process of its kitchen is left."""
    session = workers_session
    assert wait_until(lambda: "workers 4" in _screen(session), 30), _screen(session)
    app_pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
    assert wait_until(lambda: len(descendants(app_pid)) == 1 + 4, 15), descendants(app_pid)
    (master,) = [pid for pid in descendants(app_pid) if pid in children_of(app_pid)]
    _tmux("send-keys", "-t", session, "w")
    assert wait_until(lambda: len(descendants(app_pid)) == 1 + 5, 15), descendants(app_pid)
    victim = min(set(children_of(master)) & descendants(app_pid))
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: "killed by signal 9" in _screen(session), 10), _screen(session)
    _tmux("send-keys", "-t", session, "x")
    assert wait_until(lambda: "killed by signal 9" not in _screen(session), 15), _screen(session)
    assert wait_until(lambda: len(descendants(app_pid)) == 1 + 5, 15), descendants(app_pid)
    kitchen = descendants(app_pid)
    if end == "kill -9":
        os.kill(app_pid, signal.SIGKILL)
    else:
        _tmux("send-keys", "-t", session, end)
    assert wait_until(lambda: not pid_alive(app_pid), 10), f"{end} did not end the app"
    assert wait_until(lambda: not any(pid_alive(pid) for pid in kitchen), 10), [
        pid for pid in kitchen if pid_alive(pid)
    ]
