"""The board: lanes follow the events, and a stall's victims are counted from the ledger."""

from __future__ import annotations

from typing import Any

from kitchen_tui.protocol.events import Event
from kitchen_tui.ui.board import Board
from tests.ui.fakes import fixture_trace
from tests.ui.states import moment


def _until(trace: list[Event], t: float) -> list[Event]:
    return [e for e in trace if e.get("t", 0.0) <= t]


def _event(type_: str, t: float, **fields: Any) -> Event:
    return {"v": 1, "seq": 0, "type": type_, "t": t, "story": t, **fields}


def test_lanes_follow_a_ticket_from_the_desk_to_served() -> None:
    board = Board()
    board.apply(_event("hello", 0.0, pid=1, backend="asyncio", settings={"mode": "async"}, menu={}))
    board.apply(_event("arrived", 1.0, id="F1", n=1, dish="redis", front_desk=1))
    assert list(board.front_desk) == [1]
    board.apply(_event("seated", 1.1, id="F1", n=1, mode="async", cook=None, prep_shelf=False))
    assert list(board.ready) == [1] and not board.front_desk
    board.apply(
        _event(
            "step_started",
            1.1,
            id="F1",
            n=1,
            i=0,
            kind="wait",
            label="GET",
            where="rail",
            nominal_s=0.05,
        )
    )
    assert list(board.rail) == [1]
    board.apply(
        _event(
            "served", 1.2, id="F1", n=1, dish="redis", latency_s=0.2, real_latency_s=0.2, split={}
        )
    )
    assert board.in_flight == 0
    assert [t.id for t in board.done] == ["F1"]


def test_a_sync_wait_holds_the_cook_while_the_queue_grows() -> None:
    trace = fixture_trace("sync-stall")
    board = Board()
    board.apply_all(_until(trace, moment(trace, "step_started", "S1") + 1.3))
    assert board.held is not None and board.held.ticket == "S1"
    assert board.held.where == "cook" and board.held.kind == "wait"
    assert [t.id for t in board.front_desk.values()][:3] == ["F1", "D1", "F2"]


def test_the_blocking_call_delays_every_ticket_that_waited_during_it() -> None:
    trace = fixture_trace("async-stall")
    board = Board()
    end = moment(trace, "stall", "B1")
    board.apply_all(_until(trace, end + 0.5))
    board.recount_stall_victims(end + 0.5)
    report = board.last_stall
    assert report is not None
    assert report.held.ticket == "B1" and report.level == 3
    # D1..D5 arrived while the loop was held and could not even be seated.
    assert report.victims == 5
    start = moment(trace, "step_started", "B1")
    expected = sum(end - moment(trace, "arrived", f"D{i}") for i in range(1, 6))
    assert abs(report.delay_s - expected) < 0.01
    assert start < end


def test_a_reset_clears_the_lanes_but_keeps_the_setup() -> None:
    board = Board()
    board.apply(_event("hello", 0.0, pid=1, backend="trio", settings={"mode": "sync"}, menu={}))
    board.apply(_event("arrived", 1.0, id="F1", n=1, dish="redis", front_desk=1))
    version = board.versions["front_desk"]
    board.apply(_event("reset", 2.0, cancelled=1))
    assert board.in_flight == 0 and board.mode == "sync" and board.ledger.backend == "trio"
    assert board.versions["front_desk"] > version
    # A late word about a ticket from before the reset is ignored, not a crash.
    board.apply(
        _event(
            "served", 2.1, id="F1", n=1, dish="redis", latency_s=1.1, real_latency_s=1.1, split={}
        )
    )
    assert board.ignored == 1
