"""Replaying a kitchen trace: a real trace cut by SIGKILL, pacing on a fake clock, bad files."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.replay import ReplayKitchen, load_trace
from kitchen_tui.stream.client import KitchenProcess
from tests.conftest import Watcher, processes_in_group, trace_seconds, wait_until
from tests.ui.fakes import FakeClock


def event(seq: int, t: float, kind: str = "heartbeat", **fields: object) -> Event:
    return {"v": 1, "seq": seq, "type": kind, "t": t, "story": t - 10.0, **fields}


HEARTBEAT = {"front_desk": 0, "in_flight": 0, "lag_s": 0.0, "loop_busy_s": 0.0}
HELLO = {"pid": 1, "backend": "asyncio", "settings": KitchenSettings().to_json(), "menu": {}}


def whole(seq: int, t: float, kind: str = "heartbeat") -> Event:
    """An event with every key the protocol asks of its type."""
    fields = HELLO if kind == "hello" else {**HEARTBEAT, "served": 0, "failed": 0, "refused": 0}
    return event(seq, t, kind, **fields)


def write_trace(path: Path, events: list[Event], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + tail)
    return path


# --- a real trace, cut by a kill ---------------------------------------------------------------


def test_a_trace_cut_by_sigkill_replays_up_to_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "run.trace"
    kitchen = KitchenProcess(KitchenSettings(mode="async"), trace=path)
    kitchen.start(wait=True)
    try:
        watcher = Watcher(kitchen)
        orders = [Order("R1", "redis", 0.0), Order("Q1", "postgres", 0.0), Order("L1", "llm")]
        kitchen.order([*orders, Order("R2", "redis", 0.3)])
        watcher.wait_done({"R1", "Q1", "R2"}, timeout=15)
        pid = kitchen.pid
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)  # mid-run: L1's LLM call is still out
        watcher.wait_for(lambda e: e["type"] == "died", timeout=10, what="died")
    finally:
        kitchen.stop(grace=0.2)
    assert wait_until(lambda: processes_in_group(pid) == [], timeout=5)

    trace = load_trace(path)
    live = [e for e in watcher.events if e["type"] != "died"]
    assert list(trace.events) == live  # the trace is the stream, up to the cut
    kinds = [e["type"] for e in trace.events]
    assert kinds[0] == "hello" and "bye" not in kinds
    assert {e["id"] for e in trace.events if e["type"] == "served"} == {"R1", "Q1", "R2"}

    clock = FakeClock()
    replay = ReplayKitchen(trace.events, clock=clock)
    replay.start()
    first = replay.drain()
    assert first[0]["type"] == "hello" and first[0]["t"] == clock.now
    clock.advance(trace_seconds(trace) + 0.001)
    rest = replay.drain()
    assert [e["seq"] for e in first + rest] == [e["seq"] for e in trace.events]
    assert replay.finished and replay.alive

    # A recorder killed mid-write leaves half a line: it is left out, the rest replays.
    with path.open("a") as file:
        file.write('{"v": 1, "seq": 99999, "type": "serv')
    cut = load_trace(path)
    assert cut.truncated and cut.events == trace.events


# --- pacing ------------------------------------------------------------------------------------


def test_events_come_at_their_recorded_pace_scaled_by_speed() -> None:
    events = [event(0, 10.0, "hello"), event(1, 10.5), event(2, 11.0), event(3, 13.0)]
    clock = FakeClock()
    replay = ReplayKitchen(events, speed=2.0, clock=clock)
    assert replay.drain() == []  # not started
    replay.start()
    start = clock.now
    assert [e["seq"] for e in replay.drain()] == [0]
    clock.advance(0.2)
    assert replay.drain() == []
    clock.advance(0.05)  # 0.25 real s x 2 = the 0.5 s the trace waited
    released = replay.drain()
    assert [e["seq"] for e in released] == [1]
    assert released[0]["t"] == pytest.approx(start + 0.25)  # in the app's clock
    assert released[0]["story"] == 0.5  # the kitchen's own figures are kept
    replay.set_speed(0.5)
    clock.advance(0.25)  # 0.125 trace s at half speed: not yet at 11.0
    assert replay.drain() == []
    clock.advance(0.75)
    assert [e["seq"] for e in replay.drain()] == [2]
    replay.configure(speed=10.0, mode="sync")  # speed paces the replay; the rest is counted
    clock.advance(0.19)
    assert replay.drain() == []
    clock.advance(0.02)
    assert [e["seq"] for e in replay.drain()] == [3]
    assert replay.finished
    assert replay.commands["settings"] == 1


def test_drain_honours_its_limit_and_late_drains_keep_the_original_stamps() -> None:
    events = [event(n, 10.0 + n * 0.1) for n in range(5)]
    clock = FakeClock()
    replay = ReplayKitchen(events, clock=clock)
    replay.start()
    start = clock.now
    clock.advance(1.0)  # one late frame
    first = replay.drain(limit=2)
    rest = replay.drain()
    assert [e["seq"] for e in first + rest] == [0, 1, 2, 3, 4]
    assert [e["t"] for e in first + rest] == pytest.approx([start + n * 0.1 for n in range(5)])


def test_commands_are_counted_and_nothing_cooks() -> None:
    replay = ReplayKitchen([event(0, 1.0, "hello")], clock=FakeClock())
    replay.start()
    replay.order([Order("A", "llm")])
    replay.define_dishes(MENU.values())
    replay.reset()
    assert dict(replay.commands) == {"order": 1, "dishes": 1, "reset": 1}
    assert [e["type"] for e in replay.drain()] == ["hello"]
    replay.stop()
    assert not replay.alive
    with pytest.raises(UsageError, match=r"replay speed must be from 0\.1 to 10"):
        replay.set_speed(0)


def test_restart_plays_the_trace_again_from_the_top() -> None:
    clock = FakeClock()
    replay = ReplayKitchen([event(0, 1.0, "hello"), event(1, 2.0)], clock=clock)
    replay.start()
    clock.advance(5)
    assert len(replay.drain()) == 2
    replay.stop()
    replay.start()
    assert [e["seq"] for e in replay.drain()] == [0]


# --- bad files ---------------------------------------------------------------------------------


def test_bad_trace_files_are_one_clear_line(tmp_path: Path) -> None:
    good = [whole(0, 10.0, "hello"), whole(1, 10.5), whole(2, 11.0)]
    cases: list[tuple[Path, str]] = [
        (tmp_path / "missing.trace", "missing.trace: no such trace file"),
        (tmp_path, "is a directory, not a trace file"),
        (write_trace(tmp_path / "empty.trace", []), "empty.trace: empty: not a kitchen trace"),
        (
            write_trace(tmp_path / "cast.trace", [{"version": 2, "width": 80}]),
            "cast.trace:1: not a kitchen trace",
        ),
        (
            write_trace(tmp_path / "nov.trace", [{"type": "hello", "t": 1.0}]),
            "nov.trace:1: not a kitchen trace",
        ),
        (
            write_trace(tmp_path / "text.trace", [], tail="hello world\n"),
            "text.trace:1: not a kitchen trace",
        ),
        (
            write_trace(tmp_path / "half.trace", [], tail='{"v": 1, "ty'),
            "half.trace:1: not a kitchen trace",
        ),
    ]
    middle = tmp_path / "middle.trace"
    middle.write_text(
        json.dumps(good[0]) + "\n" + json.dumps(good[1]) + "\n{oops\n" + json.dumps(good[2]) + "\n"
    )
    cases.append((middle, "middle.trace:3: not a kitchen event (expected one JSON event a line)"))
    # A broken last line that did end with a newline was written whole: it is an error too.
    cases.append((write_trace(tmp_path / "last.trace", good, tail="{oops\n"), "last.trace:4:"))
    version = write_trace(tmp_path / "v2.trace", [{**good[0], "v": 2}])
    cases.append((version, "v2.trace:1: event stream version 2 is not supported"))
    for path, expected in cases:
        with pytest.raises(UsageError) as caught:
            load_trace(path)
        message = str(caught.value)
        assert "\n" not in message
        assert expected in message, (path, message)
