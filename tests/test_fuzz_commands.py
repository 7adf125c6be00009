"""The command line fuzzed for real: `kitchen-tui ARGS` as a process, in a terminal of its own
(a pty), for every command. tests/test_fuzz.py drives main() in process with the runs stubbed;
this one runs what the options start (kitchens, screens, takes, a server).

Each run ends by itself with exit code 0, or 2 (usage) or 1 (a failed run) and one line; a run
still going after RUN_S (a screen, a server, a long report: legitimate) is sent SIGTERM and
must end at once with the shell's code for it (a server, 0). Never a traceback, never a hang,
no process left behind. Few examples: the whole test stays under a minute.
"""

from __future__ import annotations

import fcntl
import os
import pty
import selectors
import shutil
import signal
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import kitchen_tui, wait_until
from tests.terminal import processes_in
from tests.test_fuzz import COMMANDS, command_lines

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

RUN_S = 3.0  # then it is stopped: enough for a refusal, a short report, a screen's first frame
STOP_S = 10.0  # after SIGTERM: longer means a hang
DRAIN_S = 0.5  # after it exits: its last output still on the way
EXAMPLES = 12

ALL_COMMANDS = {
    **COMMANDS,
    "gif": ["--font-size", "--idle-limit", "--speed", "--theme", "--force"],
    "serve": ["--host", "--port"],
}
POSITIONAL = {
    "replay": ["run.trace", "nope.trace", "fifo", "zero", "mine.toml"],
    "play": ["three-tables", "nope", "mine.toml"],
    "gif": ["take.cast", "nope.cast"],
}
SECOND = {"gif": ["out.gif", "full.gif", "take.cast", "x.png"], "serve": ["play", "race", "--mode"]}
# Values that keep a legitimate run short (seconds, rates) and devices behind links in the
# run's own folder (a race's `--trace full` makes full.sync: in the folder, not in /dev).
VALUES = st.sampled_from(
    [
        *("0", "1", "2", "-1", "0.1", "1e9", "nan", "²0x30", "100x30", "20x10", ""),
        *("sync", "async", "threads", "sync,async", "async,async", "trio", "svg", "png"),
        *("three-tables", "ten-chats", "nope", "dark", "projector", "fifo", "zero", "full"),
        *("out.cast", "run.trace", "mine.toml", "stills", "nodir/x", ".", "inline", "job"),
        *("to_thread", "prep_shelf", "redis", "message=9,pdf=1", "5,10", "1x,2x", "\x1b[2J"),
        *("127.0.0.1", "0.0.0.0", "65536"),
    ]
)


@dataclass(frozen=True)
class Ended:
    code: int
    stopped: bool  # still running after RUN_S: sent SIGTERM
    output: str  # all it wrote to its terminal, stdout and stderr alike


def run_in_a_terminal(argv: list[str], folder: Path) -> Ended:
    """`kitchen-tui ARGV` in `folder`, in a session of its own with a pty as its terminal."""
    master, slave = pty.openpty()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "TEXTUAL_ANIMATIONS": "none",
        "PYTHONIOENCODING": "utf-8",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kitchen_tui", *argv],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=folder,
        env=env,
        start_new_session=True,
        preexec_fn=_take_the_terminal,
    )
    os.close(slave)
    try:
        stopped, output = _read_until_it_ends(proc, master, argv)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return Ended(proc.returncode, stopped, output.decode("utf-8", "replace"))


def _take_the_terminal() -> None:
    """In the child, after setsid: the pty becomes its controlling terminal, as in a shell."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _read_until_it_ends(
    proc: subprocess.Popen[bytes], master: int, argv: list[str]
) -> tuple[bool, bytes]:
    """Everything it writes, until it ends; SIGTERM once it has run RUN_S."""
    chunks: list[bytes] = []
    selector = selectors.DefaultSelector()
    selector.register(master, selectors.EVENT_READ)
    started, stopped, exited = time.monotonic(), False, None
    while True:
        now = time.monotonic() - started
        if proc.poll() is not None:
            exited = now if exited is None else exited
            if not selector.get_map() or now - exited > DRAIN_S:
                break
        elif not stopped and now > RUN_S:
            stopped = True
            proc.send_signal(signal.SIGTERM)
        elif now > RUN_S + STOP_S:
            pytest.fail(f"a hang: {argv} did not end within {STOP_S:g} s of SIGTERM")
        for _key, _events in selector.select(0.05):
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: nobody holds the terminal any more
                data = b""
            if data:
                chunks.append(data)
            else:
                selector.unregister(master)
    selector.close()
    return stopped, b"".join(chunks)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What each run's folder starts with: a scenario, a real trace and a real take."""
    folder = tmp_path_factory.mktemp("fuzzed-files")
    args = ("--scenario", "three-tables", "--speed", "10", "--trace", "run.trace")
    run = kitchen_tui("report", *args, cwd=folder)
    assert run.returncode == 0, run.stderr
    take = kitchen_tui("record", "--out", "take.cast", "--seconds", "1", cwd=folder)
    assert take.returncode == 0, take.stderr
    (folder / "mine.toml").write_text('title = "mine"\n[[orders]]\nid = "A"\ndish = "redis"\n')
    return folder


def _folder(tmp_path_factory: pytest.TempPathFactory, files: Path) -> Path:
    folder = tmp_path_factory.mktemp("fuzzed-run")
    for name in ("mine.toml", "run.trace", "take.cast"):
        shutil.copy(files / name, folder / name)
    os.mkfifo(folder / "fifo")
    (folder / "full").symlink_to("/dev/full")
    (folder / "full.gif").symlink_to("/dev/full")
    (folder / "zero").symlink_to("/dev/zero")
    return folder


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines(ALL_COMMANDS, POSITIONAL, VALUES, SECOND))
def test_any_real_command_line_ends_cleanly(
    argv: list[str], tmp_path_factory: pytest.TempPathFactory, files: Path
) -> None:
    folder = _folder(tmp_path_factory, files)
    ended = run_in_a_terminal(argv, folder)
    said = ended.output.replace("\r\n", "\n")
    assert "Traceback" not in said, (argv, said[-2000:])
    if ended.stopped:  # it was running: SIGTERM ends it as the shell's 143 (a server: 0)
        terminated = (0, 128 + signal.SIGTERM, -signal.SIGTERM)  # -15: Python's default
        assert ended.code in terminated, (argv, ended.code, said[-500:])
    else:
        # 2: a usage error; 1: a run that failed on its own terms (a full disk: /dev/full)
        assert ended.code in (0, 1, 2), (argv, ended.code, said[-1000:])
    if ended.code in (1, 2):
        lines = [line for line in said.strip().split("\n") if line.strip()]
        errors = [line for line in lines if line.startswith("kitchen-tui: ")]
        assert len(errors) == 1 and errors[0] == lines[-1], (argv, lines)
    gone = wait_until(lambda: not processes_in(folder), timeout=10)
    assert gone, (argv, processes_in(folder))
