"""Recording: run a command in a pseudo-terminal of a fixed size and write an asciicast v2 file.

asciicast v2 is one JSON header line, then one `[seconds, code, data]` line per event: "o" for
output, "i" for input, "m" for a marker. asciinema 2.x, asciinema-player, agg and svg-term read it.

The side channel: the recorder makes a pipe and tells the child its write end's fd number in
`KITCHEN_TUI_CAST_FD`. The child writes JSON lines there, `{"m": "Scene 2: async"}` for a marker,
`{"i": "s"}` for a key press it acted on (the recorder stamps each line when it arrives) and
`{"e": "..."}` for the one-line error it ended with (kept in the summary, not in the cast).
`CastChannel` (channel.py) is the child's end: every call is a no-op when it is not recorded.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import json
import os
import pty
import selectors
import shlex
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import check_outputs, write_failed
from kitchen_tui.recording.channel import CAST_FD_ENV
from kitchen_tui.stream.process_group import kill_group

TERMINAL_RESET = "\x1bc"  # RIS: a full reset, for a take that was killed mid-screen
# The app leaving the alternate screen as it quits: kept out of the cast, so a player ends on
# the take's last picture, not on the empty terminal the app came from.
LEAVE_ALT_SCREEN = "\x1b[?1049l"
MAX_SIZE = 1000  # columns or rows: more is a typo
READ_BYTES = 1 << 16
POLL_S = 0.05  # longest wait between looks at the clock (keys, timeout)
KILL_GRACE_S = 0.5  # after a hang-up, this long to exit before SIGKILL
DRAIN_GRACE_S = 0.5  # after the child exits, this long for its last output to arrive


@dataclass(frozen=True)
class CastSummary:
    """What a finished recording holds, and how its command ended."""

    path: Path
    width: int
    height: int
    duration: float
    output_events: int
    input_events: int
    markers: int
    pid: int
    exit_code: int | None
    timed_out: bool
    error: str | None = None  # the one line the command ended with on stderr, if it said one


def check_output(out: Path, force: bool = False, option: str = "--out") -> None:
    """Refuse an output path that cannot or should not be written, before anything runs."""
    check_outputs([(option, out)], force=force)


def record(
    command: Sequence[str],
    out: Path,
    width: int,
    height: int,
    timeout: float,
    keys: Sequence[tuple[float, str]] = (),
    title: str | None = None,
    env: Mapping[str, str] | None = None,
    force: bool = False,
    theme: Mapping[str, str] | None = None,
) -> CastSummary:
    """Run `command` in a `width` x `height` pty, type `keys` at their times, and write the cast.

    Stops when the command exits, or hangs it up (then kills its process group) after `timeout`
    seconds. To end a take on its last frame, type the app's quit key: a killed take ends with a
    full terminal reset, which players show as a blank screen.
    """
    if not command:
        raise UsageError("nothing to record: the command is empty")
    for name, size in (("width", width), ("height", height)):
        if not 1 <= size <= MAX_SIZE:
            raise UsageError(f"{name} must be from 1 to {MAX_SIZE}, got {size}")
    check_output(out, force)
    take = _Take(list(command), width, height, sorted(keys), env)
    with _CastFile(out, force) as cast:
        cast.header(width, height, take.env, title, command, theme)
        return take.run(cast, timeout)


class _CastFile:
    """An asciicast v2 file being written, one line per event as it happens."""

    def __init__(self, path: Path, force: bool) -> None:
        self.path = path
        self._mode = "w" if force else "x"  # "x": a file that appeared since the check is kept
        self._file: IO[str] | None = None
        self.counts = {"o": 0, "i": 0, "m": 0}
        self.last_t = 0.0

    def __enter__(self) -> _CastFile:
        try:
            self._file = self.path.open(self._mode, encoding="utf-8")
        except FileExistsError:
            raise UsageError(f"refusing to overwrite {self.path}: pass --force") from None
        except OSError as error:
            raise UsageError(f"{self.path}: cannot write: {error.strerror or error}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):  # a failed write was reported already
                self._file.close()

    def header(
        self,
        width: int,
        height: int,
        env: Mapping[str, str],
        title: str | None,
        command: Sequence[str],
        theme: Mapping[str, str] | None = None,
    ) -> None:
        head: dict[str, object] = {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(time.time()),
            "command": shlex.join(command),
            "env": {k: env[k] for k in ("TERM", "COLORTERM", "SHELL") if k in env},
        }
        if title is not None:
            head["title"] = title
        if theme:  # the terminal's colours, {"fg", "bg", "palette"}: players and agg use them
            head["theme"] = dict(theme)
        self._write(json.dumps(head))

    def event(self, t: float, code: str, data: str) -> None:
        # Stamps come from one monotonic clock in one thread; max() guards rounding only.
        self.last_t = max(self.last_t, round(t, 6))
        self.counts[code] += 1
        self._write(json.dumps([self.last_t, code, data], ensure_ascii=False))

    def _write(self, line: str) -> None:
        assert self._file is not None
        try:
            self._file.write(line + "\n")
            self._file.flush()  # a take killed from outside still leaves a readable cast
        except OSError as error:  # a full disk: the take stops, the lines written stay
            raise write_failed("--out", self.path, error) from None


class _Take:
    """One recording session: a child in a pty of its own, its output and its side channel
    stamped as they arrive, and keys typed at their times."""

    def __init__(
        self,
        command: list[str],
        width: int,
        height: int,
        keys: list[tuple[float, str]],
        env: Mapping[str, str] | None,
    ) -> None:
        self.command = command
        self.width, self.height = width, height
        self.keys = keys
        self.env = _child_env(env)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._held = ""  # the start of an escape sequence split across reads
        self._side_rest = b""
        self._start = time.monotonic()
        self.error: str | None = None

    def run(self, cast: _CastFile, timeout: float) -> CastSummary:
        master, slave = pty.openpty()
        side_r, side_w = os.pipe()
        # The size is set on the pty before the child starts, so its first frame is right.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.height, self.width, 0, 0))
        try:
            proc = self._spawn(slave, side_w)
        finally:
            os.close(slave)  # the child holds its copies; ours would hide the child's exit
            os.close(side_w)
        try:
            timed_out = self._pump(proc, cast, master, side_r, timeout)
        finally:
            _hang_up(proc.pid)  # the take stopped early (a signal, ctrl+c): end it as a
            kill_group(proc.pid, signal.SIGKILL)  # closed window would; then the stragglers
            code = proc.wait()
            os.close(master)
            os.close(side_r)
        tail = self._keep_alt_screen(self._decoder.decode(b"", final=True), final=True)
        if tail:
            cast.event(self._elapsed(), "o", tail)
        if timed_out:
            cast.event(self._elapsed(), "o", TERMINAL_RESET)
        return CastSummary(
            path=cast.path,
            width=self.width,
            height=self.height,
            duration=cast.last_t,
            output_events=cast.counts["o"],
            input_events=cast.counts["i"],
            markers=cast.counts["m"],
            pid=proc.pid,
            exit_code=None if timed_out else code,
            timed_out=timed_out,
            error=self.error,
        )

    def _spawn(self, slave: int, side_w: int) -> subprocess.Popen[bytes]:
        env = {**self.env, CAST_FD_ENV: str(side_w)}
        self._start = time.monotonic()
        try:
            proc = subprocess.Popen(
                self.command,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,  # its own session and group: one killpg ends it all
                pass_fds=(side_w,),
                preexec_fn=_take_terminal,  # runs after setsid, before exec
            )
        except OSError as error:
            raise UsageError(f"cannot run {self.command[0]!r}: {error.strerror or error}") from None
        return proc

    def _elapsed(self) -> float:
        return time.monotonic() - self._start

    def _pump(
        self,
        proc: subprocess.Popen[bytes],
        cast: _CastFile,
        master: int,
        side_r: int,
        timeout: float,
    ) -> bool:
        """Read the pty and the side channel until the child is gone; True if it timed out."""
        selector = selectors.DefaultSelector()
        selector.register(master, selectors.EVENT_READ, "o")
        selector.register(side_r, selectors.EVENT_READ, "side")
        keys = list(self.keys)
        hung_up_at: float | None = None
        exited_at: float | None = None
        while selector.get_map():
            now = self._elapsed()
            while keys and keys[0][0] <= now:
                self._type(cast, master, keys.pop(0)[1])
            if exited_at is None and _exited(proc.pid):
                exited_at = now
            if exited_at is not None and now - exited_at > DRAIN_GRACE_S:
                break  # something the child left behind still holds the pty open
            if hung_up_at is None and now >= timeout:
                hung_up_at = now
                kill_group(proc.pid, signal.SIGHUP)  # what closing a terminal window sends
            elif hung_up_at is not None and now - hung_up_at > KILL_GRACE_S:
                kill_group(proc.pid, signal.SIGKILL)
            wait = min(POLL_S, keys[0][0] - now if keys else POLL_S)
            for key, _events in selector.select(max(wait, 0.0)):
                self._read(selector, cast, key.fd, key.data)
        selector.close()
        return hung_up_at is not None

    def _type(self, cast: _CastFile, master: int, key: str) -> None:
        with contextlib.suppress(OSError):  # the child may have gone already
            os.write(master, key.encode())
            cast.event(self._elapsed(), "i", key)

    def _read(self, selector: selectors.BaseSelector, cast: _CastFile, fd: int, what: str) -> None:
        try:
            data = os.read(fd, READ_BYTES)
        except OSError:  # EIO: no process holds the pty any more
            data = b""
        if not data:
            selector.unregister(fd)
            return
        if what == "o":
            text = self._keep_alt_screen(self._decoder.decode(data))
            if text:
                cast.event(self._elapsed(), "o", text)
        else:
            self._side_lines(cast, data)

    def _keep_alt_screen(self, text: str, final: bool = False) -> str:
        """`text` without LEAVE_ALT_SCREEN, even split across reads (a possible start of it is
        held back until the next read)."""
        text = (self._held + text).replace(LEAVE_ALT_SCREEN, "")
        self._held = ""
        if not final:
            for size in range(min(len(LEAVE_ALT_SCREEN) - 1, len(text)), 0, -1):
                if LEAVE_ALT_SCREEN.startswith(text[-size:]):
                    self._held, text = text[-size:], text[:-size]
                    break
        return text

    def _side_lines(self, cast: _CastFile, data: bytes) -> None:
        lines = (self._side_rest + data).split(b"\n")
        self._side_rest = lines.pop()
        for line in lines:
            note = _side_note(line)
            if note is not None and note[0] == "e":
                self.error = note[1]
            elif note is not None:
                cast.event(self._elapsed(), *note)


def _side_note(line: bytes) -> tuple[str, str] | None:
    """A side-channel line as (code, data): ("m", label), ("i", key) or ("e", error line);
    None if it is none of them."""
    try:
        message = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(message, dict):
        return None
    for code in ("m", "i", "e"):
        value = message.get(code)
        if isinstance(value, str):
            return code, value
    return None


def _child_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    # COLUMNS and LINES would override the pty's size in curses and Textual alike.
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.pop(CAST_FD_ENV, None)
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TEXTUAL_ANIMATIONS="none")
    return env


def _take_terminal() -> None:
    """In the child, after setsid: make the pty its controlling terminal, as a terminal would,
    so ctrl+c, job control and /dev/tty behave."""
    with contextlib.suppress(OSError):
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _hang_up(pid: int) -> None:
    """A child still running gets the hang-up a closed terminal sends, and a moment to end
    cleanly (the app restores its screen, stops its kitchen, ends its trace)."""
    if _exited(pid):
        return
    kill_group(pid, signal.SIGHUP)
    deadline = time.monotonic() + KILL_GRACE_S
    while not _exited(pid) and time.monotonic() < deadline:
        time.sleep(POLL_S / 5)


def _exited(pid: int) -> bool:
    """Whether the child ended, without reaping it: while it is a zombie its pid (and process
    group id) cannot be reused, so a later killpg cannot hit a stranger."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True
