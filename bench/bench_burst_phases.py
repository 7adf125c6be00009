"""Where a burst's time goes: its two halves, with the event stream and without it.

Run: python bench/bench_burst_phases.py [--orders N] [--runs R]

N one-wait orders (1.8 s) arrive together in an async kitchen run in this process (the
kitchen process's own parts: `Kitchen`, `Emitter`, `StreamWriter` and its collector
thresholds), its events written to a pipe whose reader parses every line. A ticket's
life has two busy halves 1.8 s apart: the seat half (woken at its arrival, seated, its wait
started) and the serve half (woken at the wait's end, `step_finished` and `served`, the task's
end). Each half is timed from its first ticket to its last, per ticket. The last order is
served about 1.8 s + N x the slower half's cost per ticket after it arrived.

Four setups, run in turns in fresh processes (R runs each; medians, then the range):
  floor      a bare anyio task group: N tasks released by one event, each `anyio.sleep(1.8)`
  kitchen    the kitchen, its events written to the pipe, as the kitchen process does
  unwritten  the kitchen, its events made and buffered but not written (no writer thread)
  no events  the kitchen, `Emitter.put` a no-op

Nothing here is a target: the figures say which part of the work a change should aim at.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/<script>.py`

WAIT_S = 1.8
SETUPS = ("floor", "kitchen", "unwritten", "no events")
CONSUMER = "import sys, orjson\nfor line in sys.stdin.buffer: orjson.loads(line)"


def _phases(n: int, t0: float, started: list[float], finished: list[float]) -> dict[str, float]:
    started.sort()
    finished.sort()
    return {
        "max": (finished[-1] - t0) / WAIT_S,
        "seat_us": (started[-1] - started[0]) / n * 1e6,
        "serve_us": (finished[-1] - finished[0]) / n * 1e6,
    }


def floor(n: int) -> dict[str, float]:
    import anyio

    started: list[float] = []
    finished: list[float] = []

    async def main() -> float:
        go = anyio.Event()

        async def one() -> None:
            await go.wait()
            started.append(time.perf_counter())
            await anyio.sleep(WAIT_S)
            finished.append(time.perf_counter())

        async with anyio.create_task_group() as tasks:
            for _ in range(n):
                tasks.start_soon(one)
            await anyio.sleep(0.2)
            t0 = time.perf_counter()
            go.set()
        return t0

    t0 = anyio.run(main)
    return _phases(n, t0, started, finished)


def kitchen(n: int, setup: str) -> dict[str, float]:
    import gc

    import anyio

    from kitchen_tui.kitchen import serve
    from kitchen_tui.kitchen.clock import StoryClock
    from kitchen_tui.kitchen.engine import Kitchen
    from kitchen_tui.kitchen.events import Emitter, StreamWriter
    from kitchen_tui.kitchen.frontdesk import Ticket
    from kitchen_tui.kitchen.responses import Outcome
    from kitchen_tui.protocol.commands import DefineDishes, PlaceOrders, Shutdown
    from kitchen_tui.protocol.menu import Dish, Step
    from kitchen_tui.protocol.orders import Order
    from kitchen_tui.protocol.settings import KitchenSettings, Mode

    gc.freeze()
    gc.set_threshold(*serve.GC_THRESHOLDS)
    dish = Dish("bench-wait", "one 1.8 s wait", (Step("wait", WAIT_S, "I/O wait"),))
    seated: list[float] = []
    served: list[float] = []

    class TimedKitchen(Kitchen):
        """The kitchen, noting when each ticket is seated and served."""

        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            finish = self.responses.finish

            def timed_finish(ticket: Ticket, outcome: Outcome, error: str | None = None) -> None:
                served.append(time.perf_counter())
                finish(ticket, outcome, error)

            self.responses.finish = timed_finish  # type: ignore[method-assign]

        def _seat(self, ticket: Ticket, mode: Mode, cook: int | None) -> None:
            super()._seat(ticket, mode, cook)
            seated.append(time.perf_counter())

    clock = StoryClock(1.0)
    emitter = Emitter(clock, buffer=10 * n)
    consumer = subprocess.Popen([sys.executable, "-c", CONSUMER], stdin=subprocess.PIPE)
    assert consumer.stdin is not None
    writer = StreamWriter(emitter, consumer.stdin)
    if setup == "kitchen":
        writer.start()
    if setup == "no events":
        emitter.put = lambda event: None  # type: ignore[method-assign]
    chef = TimedKitchen(KitchenSettings(mode="async", front_desk=n), clock, emitter, "asyncio")
    t0 = time.perf_counter() + 0.3 + n * 150e-6  # room to start every ticket's task first

    def orders() -> None:
        chef.submit(DefineDishes((dish,)))
        chef.submit(PlaceOrders(tuple(Order(f"o{i}", dish.name) for i in range(n)), t0))
        while len(served) < n:
            time.sleep(0.05)
        chef.submit(Shutdown())

    threading.Thread(target=orders, daemon=True).start()
    anyio.run(chef.run)
    if setup == "kitchen":
        writer.close()
    consumer.stdin.close()
    consumer.wait()
    return _phases(n, t0, seated, served)


def child(setup: str, n: int) -> None:
    figures = floor(n) if setup == "floor" else kitchen(n, setup)
    print(json.dumps(figures))


def run(setup: str, n: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", setup, "--orders", str(n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(out.splitlines()[-1])
    return figures


def _spread(values: list[float], fmt: str) -> str:
    values = sorted(values)
    return f"{statistics.median(values):{fmt}} ({values[0]:{fmt}}-{values[-1]:{fmt}})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--child", choices=SETUPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.orders)
        return 0
    print(time.strftime("%Y-%m-%d %H:%M:%S"), "", machine())
    print(f"\n== {args.orders:,} one-wait orders at once, {args.runs} runs each, in turns ==")
    results: dict[str, list[dict[str, Any]]] = {setup: [] for setup in SETUPS}
    for _ in range(args.runs):
        for setup in SETUPS:
            results[setup].append(run(setup, args.orders))
    print(f"{'setup':<10} {'last served / 1.8 s':>24} {'seat half us/ticket':>22}", end="")
    print(f" {'serve half us/ticket':>22}")
    for setup, rows in results.items():
        print(
            f"{setup:<10} {_spread([r['max'] for r in rows], '.3f'):>24}"
            f" {_spread([r['seat_us'] for r in rows], '.1f'):>22}"
            f" {_spread([r['serve_us'] for r in rows], '.1f'):>22}"
        )
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
