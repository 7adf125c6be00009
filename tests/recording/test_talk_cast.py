"""A real `kitchen-tui record` of a short talk, read back with asciinema's own parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyte
import pytest
from asciinema.asciicast import open_from_url

from kitchen_tui.recording.replay import load_trace
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.glyphs import seconds_text

TALK = Path(__file__).parent.parent / "ui" / "fixtures" / "short-talk.toml"

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
