"""A live board keeps what the screen needs, bounded: hours of orders cost what minutes do."""

from __future__ import annotations

import tracemalloc
from typing import Any

from kitchen_tui.stream.ledger import RECENT_STALLS
from kitchen_tui.stream.sketch import percentile
from kitchen_tui.ui.board import KEEP_DONE, Board

IN_FLIGHT = 50  # tickets on the rail at any moment, as at 33 orders a second


def _event(type_: str, t: float, **fields: Any) -> dict[str, Any]:
    return {"v": 1, "seq": None, "type": type_, "t": t, "story": t, **fields}


class SteadyKitchen:
    """Orders in a steady stream: each waits on the rail and is served IN_FLIGHT orders later;
    every tenth holds the loop a little first."""

    def __init__(self, board: Board, record: bool = True) -> None:
        self.board = board
        self.record = record
        self.n = 0
        self.latencies: dict[str, list[float]] = {"redis": [], "llm": []}
        board.apply(_event("hello", 0.0, pid=1, backend="asyncio", settings={}, menu={}))

    def run(self, orders: int) -> None:
        for _ in range(orders):
            self.n += 1
            n, t = self.n, self.n * 0.03
            base = {"id": f"T{n}", "n": n}
            apply = self.board.apply
            apply(_event("arrived", t, dish=self._dish(n), front_desk=1, **base))
            apply(_event("seated", t, mode="async", cook=None, prep_shelf=False, **base))
            step = {"i": 0, "kind": "wait", "label": "GET", "where": "rail", "nominal_s": 1.5}
            apply(_event("step_started", t, **base, **step))
            if n % 10 == 0:
                stall = {"i": 1, "kind": "cpu", "label": "x", "seconds": 0.06 + n % 7 * 0.01}
                apply(_event("stall", t, **base, **stall, level=1))
            if n > IN_FLIGHT:
                self._serve(n - IN_FLIGHT, t)

    def _dish(self, n: int) -> str:
        return "llm" if n % 3 == 0 else "redis"

    def _serve(self, n: int, t: float) -> None:
        latency = 1.5 + (n % 101) / 1000
        if self.record:
            self.latencies[self._dish(n)].append(latency)
        served = {"dish": self._dish(n), "latency_s": latency, "real_latency_s": latency}
        self.board.apply(_event("served", t, id=f"T{n}", n=n, split={}, **served))


def test_the_board_keeps_the_recent_tickets_and_sketches_of_the_rest() -> None:
    board = Board()
    kitchen = SteadyKitchen(board)
    kitchen.run(30_000)
    ledger = board.ledger
    assert len(ledger.tickets) == KEEP_DONE + IN_FLIGHT
    assert board.in_flight == IN_FLIGHT
    assert len(ledger.stalls) == RECENT_STALLS and ledger.stall_count == 3_000
    assert ledger.worst_stall_s == 0.12
    assert ledger.served == 30_000 - IN_FLIGHT
    for dish, values in kitchen.latencies.items():
        for q in (50, 95, 99, 100):
            exact = percentile(values, q)
            got = ledger.percentile(dish, q)
            assert exact is not None and got is not None
            assert abs(got - exact) <= 0.0005 * exact
    assert abs(ledger.throughput() - 1 / 0.03) < 0.5  # one order each 30 ms


def test_memory_stops_growing_once_the_board_is_warm() -> None:
    board = Board()
    kitchen = SteadyKitchen(board, record=False)
    kitchen.run(10_000)  # warm: every bound reached, the sketches folded into buckets
    tracemalloc.start()
    try:
        kitchen.run(6_000)  # traced from here on: every kept ticket and stall is a new one
        warm, _ = tracemalloc.get_traced_memory()
        kitchen.run(20_000)
        later, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # After ten times as many orders the board holds what it held before (every ticket kept
    # cost about 1.7 KB, so 20,000 more would be 34 MB), give or take a dict's resizing.
    assert later - warm < 0.05 * warm, (warm, later)
