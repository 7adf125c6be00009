"""A real terminal for end-to-end tests: one tmux server of the test's own, one window.

The command runs in a shell that prints `EXIT=<code>` when it ends, so a test reads the exit
code off the screen, and tmux reports what the terminal was left in (alternate screen, mouse
reporting, cursor): what a user would find after the app ended.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.conftest import children_of, proc_table, wait_until

TMUX = shutil.which("tmux")
MODES = "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{cursor_flag}"
RESTORED = "0 0 0 1"  # main screen, no mouse reporting, cursor shown
IN_THE_APP = "1 1 1 0"
WIDTH, HEIGHT = 200, 40  # wide: the one-line error fits on one line of the screen


class Terminal:
    """One tmux window running one command of the app, on a server nobody else uses."""

    def __init__(self) -> None:
        self.server = f"kitchen-e2e-{uuid.uuid4().hex[:8]}"
        self.shell = 0

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        command = [TMUX, "-L", self.server, *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True)
        return done.stdout

    def start(self, args: Sequence[str], cwd: Path, wrapper: Sequence[str] = ()) -> None:
        """`kitchen-tui ARGS` in `cwd`, under `wrapper` (a command that execs the rest)."""
        app = shlex.join([*wrapper, sys.executable, "-m", "kitchen_tui", *args])
        # A subshell goes to `cwd` and becomes the app: the shell (and its sleep) stay out of
        # `cwd`, so a process found there is the app's.
        line = f"(cd {shlex.quote(str(cwd))} && exec env -u COLUMNS -u LINES {app}); echo EXIT=$?"
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        self.tmux("new-session", "-d", "-s", "k", *size, f"{line}; sleep 600")
        self.shell = int(self.tmux("display-message", "-p", "-t", "k", "#{pane_pid}"))

    def screen(self, history: int = 0) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", str(-history), "-t", "k")

    def modes(self) -> str:
        return self.tmux("display-message", "-p", "-t", "k", MODES).strip()

    def app_pid(self, timeout: float = 20) -> int:
        """The app's process (the shell's child), once it runs."""
        assert wait_until(lambda: len(children_of(self.shell)) == 1, timeout), "no app process"
        (pid,) = children_of(self.shell)
        return pid

    def wait_shows(self, text: str, timeout: float = 30) -> None:
        assert wait_until(lambda: text in self.screen(), timeout), self.screen()

    def exit_code(self, timeout: float = 30) -> int:
        """The app's exit code, once the shell printed it."""
        found: list[str] = []

        def ended() -> bool:
            found[:] = re.findall(r"EXIT=(\d+)", self.screen(history=200))
            return bool(found)

        assert wait_until(ended, timeout), self.screen()
        return int(found[-1])

    def close(self) -> None:
        if TMUX is not None:
            subprocess.run([TMUX, "-L", self.server, "kill-server"], capture_output=True)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    if TMUX is None:
        pytest.skip("tmux is not installed: apt-get install tmux")
    window = Terminal()
    try:
        yield window
    finally:
        window.close()


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working directory is `folder` (a run's, and its kitchens')."""
    found = []
    for pid, state, _, _ in proc_table():
        try:
            cwd = Path(f"/proc/{pid}/cwd").readlink()
        except OSError:
            continue
        if cwd == folder and state not in "ZX":
            found.append(pid)
    return found


def file_size_limit(size: int) -> list[str]:
    """A wrapper that runs the rest under a file-size limit: any file written past `size`
    bytes fails as on a full disk (EFBIG where a full disk gives ENOSPC)."""
    code = (
        "import os, resource, sys;"
        f" resource.setrlimit(resource.RLIMIT_FSIZE, ({size}, {size}));"
        " os.execv(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", code]
