"""Floods: a ticket's life events always arrive, step detail is thinned whole and counted, and
every consumer reconciles with the kitchen's own counts (a lost outcome is named, never waited
for forever)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream import client, headless
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.widgets.stats_panel import _stream_notes
from tests.conftest import dish

ZERO_WAITS = dish("zeros", *[("wait", 0.0) for _ in range(20)])

ONE_SERVED_LOST = {"served": 1, "failed": 0, "refused": 0, "timed_out": 0, "uneaten": 0}


def test_a_consumer_far_behind_loses_only_whole_steps_never_an_outcome(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The real kitchen floods the client's queue (22 events an order) while its consumer
    looks away; past the queue's limit the client thins step detail only."""
    monkeypatch.setattr(client, "MAX_PENDING", 1_000)
    orders = 300
    trace = tmp_path / "flood.trace"
    kitchen = KitchenProcess(KitchenSettings(mode="async", front_desk=orders), trace=trace)
    kitchen.start(wait=True)
    try:
        kitchen.define_dishes([ZERO_WAITS])
        kitchen.order([Order(id=f"z{i}", dish="zeros") for i in range(orders)])
        events = _drain_when_served(kitchen, trace, orders)
    finally:
        kitchen.stop()
    kinds = Counter(e["type"] for e in events)
    assert kinds["arrived"] == kinds["seated"] == kinds["served"] == orders
    thinned: Counter[str] = Counter()
    for event in events:
        if event["type"] == "dropped":
            thinned.update(event["kinds"])
    assert thinned["step_started"] > 0
    assert thinned["step_started"] == thinned["step_finished"]  # whole steps
    assert set(thinned) == {"step_started", "step_finished"}
    ledger = Ledger()
    for event in events:
        ledger.apply(event)
    assert ledger.served == orders and ledger.in_flight == 0  # no ghost left in flight
    assert ledger.thinned == thinned
    assert ledger.reconciler.lost_total == 0


def _drain_when_served(kitchen: KitchenProcess, trace: Path, orders: int) -> list[Event]:
    """Look away until the trace (written as lines arrive, before the queue) shows the
    kitchen's heartbeat counting every order served, and one more after it; then take all."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        beats = [e for e in _lines(trace) if e["type"] == "heartbeat"]
        done = [i for i, beat in enumerate(beats) if beat["served"] >= orders]
        if done and len(beats) > done[0] + 1:
            return kitchen.drain()
        time.sleep(0.05)
    raise AssertionError("the kitchen did not serve every order within 60 s")


def _lines(trace: Path) -> list[Event]:
    data = trace.read_bytes()
    return [orjson.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines()]


class LosingKitchen:
    """A stream that lost one `served` event: the kitchen's heartbeats count three, two came."""

    def __init__(self) -> None:
        self.sent = 0
        life: list[tuple[str, dict[str, object]]] = [
            ("arrived", {"front_desk": 1}),
            ("seated", {"mode": "async", "cook": None}),
        ]
        self.events: list[Event] = [_event("hello", settings={}, menu={})]
        for n, name in enumerate(("A", "B", "C"), start=1):
            self.events += [_event(kind, id=name, n=n, dish="redis", **more) for kind, more in life]
        for n, name in ((1, "A"), (3, "C")):  # B's served event is the one lost
            self.events.append(_served(name, n))

    def get(self, timeout: float | None = None) -> Event | None:
        """The events, then heartbeats for ever (a kitchen alive, and done)."""
        self.sent += 1
        if self.sent > 1_000:
            raise AssertionError("the consumer kept waiting for an event that will never come")
        if self.events:
            return self.events.pop(0)
        return _idle_heartbeat(served=3)


def test_a_report_whose_stream_lost_an_outcome_ends_and_names_it() -> None:
    ledger, _events, _last = headless._collect(LosingKitchen(), 3, keep_events=True)  # type: ignore[arg-type]
    assert ledger.reconciler.lost == ONE_SERVED_LOST
    assert [t.id for t in ledger.tickets.values() if not t.is_done or t.lost] == ["B"]


def _event(event_type: str, /, **fields: object) -> Event:
    return {"v": 1, "seq": None, "type": event_type, "t": time.perf_counter(), **fields}


def _served(name: str, n: int) -> Event:
    return _event("served", id=name, n=n, dish="redis", latency_s=0.05, split={})


def test_a_live_board_closes_ghosts_once_the_kitchen_says_nothing_is_in_flight() -> None:
    """Were an outcome lost, its ticket would age on the rail for ever (8,832 ghosts did): the
    kitchen's idle heartbeats close it, and the count says what never arrived."""
    board = Board()
    board.apply(_event("hello", settings={}, menu={}))
    for n, name in ((1, "A"), (2, "B")):
        base = {"id": name, "n": n}
        board.apply(_event("arrived", dish="redis", front_desk=1, **base))
        board.apply(_event("seated", mode="async", cook=None, prep_shelf=False, **base))
        step = {"i": 0, "kind": "wait", "label": "GET", "where": "rail", "nominal_s": 0.05}
        board.apply(_event("step_started", **base, **step))
    board.apply(_served("A", 1))
    assert board.in_flight == 1
    for _ in range(3):
        board.apply(_idle_heartbeat(served=2))
    assert board.in_flight == 0 and not board.rail
    (ghost,) = [t for t in board.done if t.id == "B"]
    assert ghost.lost and ghost.is_done
    assert board.ledger.reconciler.lost == ONE_SERVED_LOST
    assert board.ledger.served == 1  # only what arrived is counted as served


def _idle_heartbeat(served: int) -> Event:
    fields = {"served": served, "failed": 0, "refused": 0, "in_flight": 0, "front_desk": 0}
    return _event("heartbeat", loop_busy_s=0.0, **fields)


def test_the_stats_panel_says_what_was_thinned_per_kind_and_what_never_arrived() -> None:
    ledger = Ledger()
    kinds = {"step_started": 1_200, "step_finished": 1_200, "stall": 3}
    ledger.apply(_event("dropped", count=2_403, kinds=kinds, stall_s=0.012))
    assert ledger.thinned == kinds and ledger.stall_total_s == 0.012
    ledger.apply(_idle_heartbeat(served=5))
    ledger.apply(_idle_heartbeat(served=5))
    assert _stream_notes(ledger) == [
        "thinned (reader too slow):",
        "  3 short stalls",
        "  1,200 step ends",
        "  1,200 step starts",
        "never arrived: 5 served",
    ]
