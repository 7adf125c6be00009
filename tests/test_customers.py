"""The live stream: the kitchen's customers thread sends seeded open-loop arrivals at a rate,
stamped at their intended instants, through mode switches and resets, until it is stopped."""

from __future__ import annotations

import itertools
import queue
import statistics
import time
from collections.abc import Callable, Iterator

import pytest

from kitchen_tui.kitchen.clock import StoryClock
from kitchen_tui.kitchen.customers import Customers
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.protocol.arrivals import ArrivalDraws
from kitchen_tui.protocol.commands import (
    MalformedCommand,
    PlaceOrders,
    SetStream,
    parse_command,
)
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.client import KitchenProcess
from tests.conftest import SCHEDULING_TOLERANCE_S


def _collect(
    kitchen: KitchenProcess, until: Callable[[list[Event]], bool], deadline: float
) -> list[Event]:
    events: list[Event] = []
    end = time.perf_counter() + deadline
    while time.perf_counter() < end and not until(events):
        event = kitchen.get(timeout=0.1)
        if event is not None:
            events.append(event)
    assert until(events), f"not within {deadline} s: {len(events)} events"
    return events


def _arrived(events: list[Event]) -> list[Event]:
    return [e for e in events if e["type"] == "arrived"]


@pytest.fixture
def kitchen() -> Iterator[KitchenProcess]:
    process = KitchenProcess(KitchenSettings(mode="async"))
    process.start(wait=True)
    yield process
    process.stop()


@pytest.mark.timeout(60)
def test_arrivals_follow_the_seeded_schedule_and_are_seated_on_time(
    kitchen: KitchenProcess,
) -> None:
    kitchen.stream(SetStream(40.0, {"redis": 3, "postgres": 1}, seed=7))
    events = _collect(kitchen, lambda es: len(_arrived(es)) >= 60, 20.0)
    kitchen.stream(SetStream(0.0))
    arrived = _arrived(events)[:60]
    assert [e["id"] for e in arrived] == [f"L{n}" for n in range(1, 61)]
    draws = ArrivalDraws({"redis": 3, "postgres": 1}, "poisson", 7)
    draws.first_gap(40.0)
    expected: list[tuple[str, float]] = []
    for _ in arrived:
        expected.append((draws.dish(), draws.gap(40.0)))
    assert [e["dish"] for e in arrived] == [dish for dish, _ in expected]
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(arrived)]
    assert gaps == pytest.approx([gap for _, gap in expected[:-1]], abs=1e-6)
    seated = {e["n"]: e["t"] for e in events if e["type"] == "seated"}
    late = [seated[e["n"]] - e["t"] for e in arrived if e["n"] in seated]
    assert len(late) > 50
    assert statistics.median(late) < SCHEDULING_TOLERANCE_S


@pytest.mark.timeout(60)
def test_the_stream_goes_on_through_a_mode_switch_and_a_reset_and_stops(
    kitchen: KitchenProcess,
) -> None:
    kitchen.stream(SetStream(50.0, {"redis": 1}, arrivals="even"))
    _collect(kitchen, lambda es: len(_arrived(es)) >= 10, 10.0)
    kitchen.configure(mode="threads")
    kitchen.reset()
    after = _collect(
        kitchen,
        lambda es: (
            any(e["type"] == "reset" for e in es)
            and len(_arrived(es[[e["type"] for e in es].index("reset") :])) >= 10
        ),
        10.0,
    )
    seated = [e for e in after if e["type"] == "seated"]
    assert seated[-1]["mode"] == "threads"
    kitchen.stream(SetStream(0.0))
    stopped = _collect(
        kitchen, lambda es: any(e["type"] == "stream" and e["rate"] == 0 for e in es), 5.0
    )
    stop_t = next(e["t"] for e in stopped if e["type"] == "stream" and e["rate"] == 0)
    time.sleep(0.5)
    later = kitchen.drain()
    # Orders already with the doorman (50 ms ahead at most) may still arrive, nothing later.
    assert all(e["t"] <= stop_t + 0.06 for e in _arrived(later))


@pytest.mark.timeout(60)
def test_a_new_rate_takes_over_at_once(kitchen: KitchenProcess) -> None:
    kitchen.stream(SetStream(5.0, {"redis": 1}, arrivals="even"))
    _collect(kitchen, lambda es: len(_arrived(es)) >= 3, 10.0)
    kitchen.stream(SetStream(100.0, {"redis": 1}, arrivals="even"))
    events = _collect(kitchen, lambda es: len(_arrived(es)) >= 30, 10.0)
    kitchen.stream(SetStream(0.0))
    arrived = _arrived(events)
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(arrived[-20:])]
    assert gaps == pytest.approx([0.01] * len(gaps), abs=1e-6)
    assert int(arrived[-1]["id"].removeprefix("L")) > 30  # the same stream, numbered on


def test_a_stream_command_is_checked() -> None:
    line = '{"cmd": "stream", "rate": 2.5, "mix": {"message": 9, "pdf": 1}, "seed": 4}'
    assert parse_command(line) == SetStream(2.5, {"message": 9, "pdf": 1}, "poisson", 4)
    for bad in (
        '{"cmd": "stream", "rate": -1}',
        '{"cmd": "stream", "rate": 1e9}',
        '{"cmd": "stream", "rate": 1, "mix": {}}',
        '{"cmd": "stream", "rate": 1, "mix": {"message": 0}}',
        '{"cmd": "stream", "rate": 1, "arrivals": "bursty"}',
        '{"cmd": "stream", "rate": 1, "seed": "x"}',
    ):
        with pytest.raises(MalformedCommand):
            parse_command(bad)


@pytest.mark.timeout(30)
def test_ids_stay_unique_when_the_dish_changes_or_the_stream_restarts() -> None:
    """`l`, then `L` (another dish), then off and on: the stream numbers on, no id twice."""
    sent: queue.Queue[PlaceOrders] = queue.Queue()
    clock = StoryClock()
    customers = Customers(sent.put, clock, Emitter(clock))
    customers.start()

    def ids(count: int) -> list[str]:
        got: list[str] = []
        while len(got) < count:
            got += [order.id for order in sent.get(timeout=5).orders]
        return got

    try:
        customers.set(SetStream(200.0, {"message": 1}, arrivals="even"))
        first = ids(5)
        customers.set(SetStream(200.0, {"chat": 1}, arrivals="even"))
        second = ids(5)
        customers.set(SetStream(0.0))
        customers.set(SetStream(200.0, {"message": 1}, arrivals="even"))
        third = ids(5)
    finally:
        customers.close()
    every = first + second + third
    assert len(set(every)) == len(every), every
    assert first[0] == "L1"
