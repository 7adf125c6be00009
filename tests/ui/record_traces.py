"""Record the event streams the snapshot tests replay: `python -m tests.ui.record_traces`.

Each trace is what the real kitchen process sent for one situation (a sync stall, a full rail,
a busy prep shelf, ...). Tests replay a trace with a fixed clock, so the screen they check is
one real moment of a real kitchen, drawn the same way on every run.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.client import KitchenProcess
from tests.ui.fakes import FIXTURES


@dataclass(frozen=True)
class Recording:
    name: str
    settings: KitchenSettings
    orders: tuple[Order, ...]
    seconds: float


def _orders(*specs: tuple[str, str, float]) -> tuple[Order, ...]:
    return tuple(Order(id, dish, at) for id, dish, at in specs)


RECORDINGS = (
    Recording("empty", KitchenSettings(), (), 0.6),
    Recording(
        "sync-stall",
        KitchenSettings(mode="sync"),
        _orders(
            ("S1", "llm", 0.0),
            ("F1", "redis", 0.0),
            ("D1", "postgres", 0.0),
            ("F2", "redis", 0.3),
            ("A1", "chat", 0.5),
            ("F3", "redis", 0.8),
            ("D2", "postgres", 1.0),
            ("F4", "redis", 1.1),
        ),
        3.0,
    ),
    Recording(
        "async-rail",
        KitchenSettings(mode="async"),
        _orders(
            *((f"R{i}", "message", 0.0) for i in range(1, 11)),
            ("S1", "llm", 0.1),
            ("A1", "chat", 0.2),
            ("F1", "redis", 0.3),
            ("D1", "postgres", 0.4),
            ("F2", "redis", 0.6),
            ("F3", "redis", 0.9),
        ),
        2.6,
    ),
    Recording(
        "async-stall",
        KitchenSettings(mode="async"),
        _orders(
            *((f"F{i}", "redis", 0.1 * i) for i in range(1, 6)),
            ("S1", "llm", 0.2),
            ("B1", "sneaky", 0.6),
            *((f"D{i}", "postgres", 0.7 + 0.1 * i) for i in range(1, 6)),
        ),
        2.4,
    ),
    Recording(
        "prep-shelf",
        KitchenSettings(mode="async", prep_shelf=True, shelf_size=2, speed=5.0),
        _orders(
            ("C1", "pdf", 0.0),
            ("C2", "pdf", 0.0),
            ("C3", "pdf", 0.5),
            *((f"F{i}", "redis", 0.5 * i) for i in range(1, 9)),
            ("A1", "chat", 1.0),
        ),
        3.0,
    ),
    Recording(
        "walk-outs",
        KitchenSettings(mode="sync", patience=1.5),
        _orders(
            ("S1", "llm", 0.0),
            ("S2", "llm", 0.0),
            ("F1", "redis", 0.2),
            ("S3", "llm", 0.4),
            ("D1", "postgres", 0.6),
            ("F2", "redis", 2.2),
        ),
        5.0,
    ),
    Recording(
        "threads",
        KitchenSettings(mode="threads", cooks=4),
        _orders(
            *((f"S{i}", "llm", 0.0) for i in range(1, 4)),
            *((f"F{i}", "redis", 0.1 * i) for i in range(1, 7)),
            ("C1", "chat", 0.2),
            ("A1", "chat", 0.3),
        ),
        2.6,
    ),
)


def record(recording: Recording) -> int:
    kitchen = KitchenProcess(recording.settings)
    kitchen.start()
    events = []
    hello = kitchen.get(timeout=10)
    assert hello is not None and hello["type"] == "hello", hello
    events.append(hello)
    if recording.settings.prep_shelf:
        time.sleep(0.5)  # let the shelf's workers start: a cold start is not what we show
    kitchen.order(recording.orders)
    deadline = time.perf_counter() + recording.seconds
    while (left := deadline - time.perf_counter()) > 0:
        event = kitchen.get(timeout=left)
        if event is not None:
            events.append(event)
    kitchen.stop()
    events += kitchen.drain()
    path = FIXTURES / f"{recording.name}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events if e["type"] != "bye"))
    return len(events)


def main(names: list[str]) -> None:
    FIXTURES.mkdir(exist_ok=True)
    for recording in RECORDINGS:
        if not names or recording.name in names:
            print(recording.name, record(recording), "events")


if __name__ == "__main__":
    main(sys.argv[1:])
