"""The installed `kitchen-tui` in a real terminal (tmux): orders, a mode switch, a clean quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.tmux, pytest.mark.slow]

TMUX = shutil.which("tmux")
SCRIPT = shutil.which("kitchen-tui") or str(Path(sys.executable).parent / "kitchen-tui")


def _tmux(*args: str) -> str:
    assert TMUX is not None
    done = subprocess.run([TMUX, *args], capture_output=True, text=True, timeout=10, check=True)
    return done.stdout


def _wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc (the kitchen and its prep shelf)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] not in ("Z", "X"):
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] not in "ZX"


@pytest.fixture
def session() -> Iterator[str]:
    if TMUX is None:
        pytest.skip("tmux is not installed: apt-get install tmux")
    if not os.access(SCRIPT, os.X_OK):
        pytest.skip("the kitchen-tui console script is not installed: pip install -e .")
    name = f"kitchen-test-{uuid.uuid4().hex[:8]}"
    env = "env -u COLUMNS -u LINES TEXTUAL_ANIMATIONS=none COLORTERM=truecolor"
    _tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "36", f"{env} {SCRIPT}")
    try:
        yield name
    finally:
        subprocess.run([TMUX, "kill-session", "-t", name], capture_output=True, timeout=10)


def _screen(session: str) -> str:
    return _tmux("capture-pane", "-p", "-t", session)


def test_real_terminal_orders_mode_switch_and_clean_quit(session: str) -> None:
    assert _wait(lambda: "backend asyncio" in _screen(session), 30), _screen(session)
    app_pid = int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
    assert _wait(lambda: bool(_descendants(app_pid)), 10), "no kitchen process was started"
    kitchen = _descendants(app_pid)

    _tmux("send-keys", "-t", session, "s", "f", "d")
    assert _wait(lambda: "F1 redis" in _screen(session) and "D1" in _screen(session), 10)
    assert _wait(lambda: "served 2" in _screen(session), 10), _screen(session)

    _tmux("send-keys", "-t", session, "m")
    assert _wait(lambda: "mode sync" in _screen(session), 10), _screen(session)
    _tmux("send-keys", "-t", session, "s", "f")
    assert _wait(lambda: "COOK BUSY" in _screen(session), 10), _screen(session)
    screen = _screen(session)
    assert "front desk" in screen and "line cook" in screen and "timeline" in screen

    started = time.monotonic()
    _tmux("send-keys", "-t", session, "q")  # with an LLM order still in flight
    assert _wait(lambda: not _alive(app_pid), 10), "the app did not quit"
    assert time.monotonic() - started < 3, "quitting with tickets in flight was not quick"
    assert _wait(lambda: not any(_alive(pid) for pid in kitchen), 5), "a kitchen process is left"
