"""A real `kitchen-tui record` of a short talk, read back with asciinema's own parser."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pyte
import pytest
from asciinema.asciicast import open_from_url

from kitchen_tui.recording.replay import load_trace
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.glyphs import seconds_text
from tests.conftest import descendants, pid_alive, wait_until

TALK = Path(__file__).parent.parent / "ui" / "fixtures" / "short-talk.toml"

SERVED = '"type":"served"'
pytestmark = pytest.mark.timeout(60)


def test_a_recorded_talk_is_a_cast_whose_last_screen_matches_its_trace(tmp_path: Path) -> None:
    cast_path, trace, stills = tmp_path / "talk.cast", tmp_path / "talk.trace", tmp_path / "stills"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kitchen_tui",
            "record",
            "--scene",
            str(TALK),
            "--out",
            str(cast_path),
            "--size",
            "100x30",
            "--trace",
            str(trace),
            "--stills",
            str(stills),
        ],
        capture_output=True,
        text=True,
        timeout=50,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    with open_from_url(str(cast_path)) as cast:
        header = cast.v2_header
        events = list(cast.events())
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    markers = [data for _, code, data in events if code == "m"]
    assert markers == ["Sync: one cook", "Async: the same orders"]
    keys = [data for _, code, data in events if code == "i"]
    assert keys == ["f", "d", "x", "m", "f", "d", "q"]  # the script's keys, then the quit key
    # It ends on the talk's last picture: the app's leaving the alternate screen is not in the
    # cast (asciinema play and agg finished on an empty terminal).
    assert not any("\x1b[?1049l" in data for _, code, data in events if code == "o")
    assert sorted(p.name for p in stills.glob("*.svg")) == [
        "01-sync--one-cook.svg",
        "02-async--the-same-orders.svg",
    ]

    screen = pyte.Screen(100, 30)
    stream = pyte.Stream(screen)
    for _, code, data in events:
        if code == "o":
            stream.feed(data)
    shown = "\n".join(screen.display)

    board = Board()  # the trace, replayed to its end: what the last frame must show
    board.apply_all(load_trace(trace).events)
    assert board.ledger.settings["mode"] == "async"
    assert f"served {board.ledger.served}" in shown
    assert board.ledger.served == 2
    for ticket in board.done:
        assert ticket.done is not None
        assert f"{ticket.id} {ticket.dish}" in shown
        assert seconds_text(ticket.done - ticket.arrived) in shown
    assert "mode async" in shown
    assert "SCENE 2/2" in shown
    assert "Now both wait on the rail together." in shown


def test_ctrl_c_during_a_take_keeps_the_cast_and_the_trace_and_leaves_no_process(
    tmp_path: Path,
) -> None:
    cast_path, trace = tmp_path / "take.cast", tmp_path / "take.trace"
    command = [sys.executable, "-m", "kitchen_tui", "record", "--scene", "ten-chats"]
    command += ["--out", str(cast_path), "--trace", str(trace), "--size", "100x30"]
    take = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        # The kitchen has served someone: the take is well under way, its files are written.
        assert wait_until(lambda: trace.exists() and SERVED in trace.read_text(), 40)
        below = descendants(take.pid)
        assert below, "the take runs no app"
        take.send_signal(signal.SIGINT)  # what ctrl+c sends the recorder's terminal
        # The recorder hangs its app up and waits 0.5 s before SIGKILL: on a busy machine
        # the app's own clean end can take longer, and the kitchen then goes with its parent.
        _, stderr = take.communicate(timeout=30)
    finally:
        take.kill()
    assert take.returncode == 130
    assert stderr.splitlines() == [
        f"kitchen-tui: interrupted; {cast_path} keeps the take up to here"
    ]
    gone = wait_until(lambda: not any(pid_alive(pid) for pid in below), 15)
    assert gone, [pid for pid in below if pid_alive(pid)]
    with open_from_url(str(cast_path)) as cast:
        output = [data for _, code, data in cast.events() if code == "o"]
    assert "KITCHEN" in "".join(output)
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert "served" in {event["type"] for event in events}
