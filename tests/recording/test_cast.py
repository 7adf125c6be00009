"""Recording a real program in a pty, read back with asciinema's own asciicast v2 reader."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from asciinema.asciicast import open_from_url

from kitchen_tui.errors import UsageError
from kitchen_tui.recording.cast import TERMINAL_RESET, record
from kitchen_tui.recording.channel import CAST_FD_ENV, CastChannel
from tests.conftest import processes_in_group, wait_until

# Prints in colour, says it is ready through the side channel, reads one key in raw mode,
# reports it, and restores the terminal: a tiny app under the recorder.
PROGRAM = r"""
import os, sys, termios, tty
from kitchen_tui.recording.channel import CastChannel

channel = CastChannel.from_env()
saved = termios.tcgetattr(0)
tty.setraw(0, termios.TCSANOW)
cols, rows = os.get_terminal_size(1)
print(f"\x1b[38;2;255;80;0mhot\x1b[0m {cols}x{rows} {os.environ.get('COLUMNS')}"
      f" {os.environ['TERM']} {os.environ['COLORTERM']} café", end="\r\n", flush=True)
channel.marker("Scene 1: ready")
key = os.read(0, 1).decode()
channel.key(key)
print(f"got {key}", end="\r\n", flush=True)
termios.tcsetattr(0, termios.TCSANOW, saved)
"""


def read_cast(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    with open_from_url(str(path)) as cast:
        return cast.v2_header, list(cast.events())


def test_a_program_is_recorded_with_output_input_and_markers(tmp_path: Path) -> None:
    program = tmp_path / "app.py"
    program.write_text(PROGRAM)
    out = tmp_path / "demo.cast"
    summary = record(
        [sys.executable, str(program)],
        out,
        width=100,
        height=30,
        timeout=20,
        keys=[(2.0, "x")],  # after the child is ready, even on a busy machine
        title="demo",
        env={"COLUMNS": "7", "LINES": "3"},
    )
    header, events = read_cast(out)
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    assert header["title"] == "demo" and header["env"]["TERM"] == "xterm-256color"
    output = "".join(data for _t, code, data in events if code == "o")
    # The size came from the pty, not from COLUMNS; colours and UTF-8 survive.
    assert "\x1b[38;2;255;80;0mhot\x1b[0m 100x30 None xterm-256color truecolor café" in output
    assert "got x" in output
    # The recorder typed "x" (one "i"), the app reported it (another), and marked the scene.
    assert [data for _t, code, data in events if code == "i"] == ["x", "x"]
    assert [data for _t, code, data in events if code == "m"] == ["Scene 1: ready"]
    stamps = [t for t, _code, _data in events]
    assert stamps == sorted(stamps)
    marker_t = next(t for t, code, _d in events if code == "m")
    typed_t = next(t for t, code, _d in events if code == "i")
    assert marker_t < typed_t  # stamped as they arrived
    assert summary.exit_code == 0 and not summary.timed_out
    assert (summary.input_events, summary.markers) == (2, 1)
    assert summary.output_events == sum(code == "o" for _t, code, _d in events)
    assert processes_in_group(summary.pid) == []


def test_a_hung_command_is_killed_at_the_timeout_leaving_nothing(tmp_path: Path) -> None:
    out = tmp_path / "hung.cast"
    # A grandchild in the same group must die too; the parent ignores the hang-up.
    script = "trap '' HUP; sleep 30 & echo started; sleep 30"
    summary = record(["sh", "-c", script], out, width=80, height=24, timeout=1.0)
    assert summary.timed_out and summary.exit_code is None
    assert 1.0 <= summary.duration < 5
    _header, events = read_cast(out)
    assert "started" in "".join(data for _t, code, data in events if code == "o")
    assert events[-1][1:] == ["o", TERMINAL_RESET]
    assert wait_until(lambda: processes_in_group(summary.pid) == [], timeout=2)


def test_output_paths_are_checked_before_anything_runs(tmp_path: Path) -> None:
    never = [sys.executable, "-c", "open('ran', 'w')"]
    existing = tmp_path / "demo.cast"
    existing.write_text("keep me")
    with pytest.raises(UsageError, match=r"^refusing to overwrite .*demo\.cast: pass --force$"):
        record(never, existing, 80, 24, timeout=5)
    assert existing.read_text() == "keep me"
    with pytest.raises(UsageError, match="no such directory"):
        record(never, tmp_path / "missing" / "demo.cast", 80, 24, timeout=5)
    with pytest.raises(UsageError, match="is a directory"):
        record(never, tmp_path, 80, 24, timeout=5)
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(UsageError, match="not writable"):
            record(never, locked / "demo.cast", 80, 24, timeout=5)
    with pytest.raises(UsageError, match="width must be from 1 to 1000"):
        record(never, tmp_path / "a.cast", 0, 24, timeout=5)
    assert not (tmp_path / "ran").exists()


def test_force_overwrites_and_a_missing_command_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "demo.cast"
    out.write_text("old")
    summary = record(["true"], out, 80, 24, timeout=5, force=True)
    assert summary.exit_code == 0
    header, _events = read_cast(out)
    assert header["width"] == 80
    with pytest.raises(UsageError, match="cannot run 'no-such-command-here'"):
        record(["no-such-command-here"], tmp_path / "b.cast", 80, 24, timeout=5)


def test_the_channel_is_silent_without_a_recorder() -> None:
    channel = CastChannel.from_env({})
    assert not channel.active
    channel.marker("nothing happens")
    channel.key("q")
    assert not CastChannel.from_env({CAST_FD_ENV: "not a number"}).active
    assert not CastChannel.from_env({CAST_FD_ENV: "987654"}).active


def test_the_channel_writes_one_json_line_per_note() -> None:
    read_end, write_end = os.pipe()
    try:
        channel = CastChannel.from_env({CAST_FD_ENV: str(write_end)})
        channel.marker("Scene 2: async")
        channel.key("s")
        assert os.read(read_end, 1000) == b'{"m": "Scene 2: async"}\n{"i": "s"}\n'
        os.close(read_end)  # the recorder is gone
        channel.key("after the recorder left is ignored")
        assert not channel.active
    finally:
        os.close(write_end)
