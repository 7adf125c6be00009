"""The event stream's vocabulary: its version, each event's shape, and the stall alarm levels.

Every event type of docs/events.md has a TypedDict here. `Event` is one event as it travels:
a decoded JSON object whose "type" names its TypedDict (the parent does not trust a line to be
well formed, so it is a plain dict until a consumer reads it as one of these).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from kitchen_tui.protocol.menu import StepKind
from kitchen_tui.protocol.settings import Mode

STREAM_VERSION = 1
STALL_LEVELS = (0.05, 0.25, 1.0)  # the alarm levels people know: 50 ms, 250 ms, 1 s

Event = dict[str, Any]
# Who is busy during a step: a cook thread, the event loop itself, nobody (awaited I/O), a
# prep shelf worker.
Where = Literal["cook", "loop", "rail", "shelf"]


def stall_level(seconds: float) -> int:
    """0 below 50 ms, 1 from 50 ms, 2 from 250 ms, 3 from 1 s."""
    return sum(1 for level in STALL_LEVELS if seconds >= level)


class Header(TypedDict, total=False):
    """What the kitchen's writer adds to every event; events the parent writes have a null seq."""

    v: int
    seq: int | None
    story: float


class HelloEvent(Header):
    type: Literal["hello"]
    t: float
    pid: int
    backend: str
    settings: dict[str, Any]
    menu: dict[str, Any]


class SettingsEvent(Header):
    type: Literal["settings"]
    t: float
    settings: dict[str, Any]


class DishesEvent(Header):
    type: Literal["dishes"]
    t: float
    menu: dict[str, Any]


class ArrivedEvent(Header):
    type: Literal["arrived"]
    t: float
    id: str
    n: int
    dish: str
    front_desk: int


class RefusedEvent(Header):
    type: Literal["refused"]
    t: float
    id: str
    n: int
    dish: str
    reason: str


class SeatedEvent(Header):
    type: Literal["seated"]
    t: float
    id: str
    n: int
    mode: Mode
    cook: int | None
    prep_shelf: bool


class StepStartedEvent(Header):
    type: Literal["step_started"]
    t: float
    id: str
    n: int
    i: int
    kind: StepKind
    label: str
    where: Where
    nominal_s: float


class ShelfInEvent(Header):
    type: Literal["shelf_in"]
    t: float
    id: str
    n: int
    i: int
    slot: int
    pid: int
    waited_s: float


class ShelfOutEvent(Header):
    type: Literal["shelf_out"]
    t: float
    id: str
    n: int
    i: int
    slot: int
    pid: int


class StepFinishedEvent(Header):
    type: Literal["step_finished"]
    t: float
    id: str
    n: int
    i: int
    kind: StepKind
    label: str
    where: Where
    nominal_s: float
    measured_s: float
    story_s: float
    cpu_s: float | None
    shelf_s: float | None


class StallEvent(Header):
    type: Literal["stall"]
    t: float
    id: str
    n: int
    i: int
    kind: StepKind
    label: str
    seconds: float
    story_s: float
    level: int


class ServedEvent(Header):
    type: Literal["served"]
    t: float
    id: str
    n: int
    dish: str
    latency_s: float
    real_latency_s: float
    split: dict[str, float]


class FailedEvent(Header):
    type: Literal["failed"]
    t: float
    id: str
    n: int
    dish: str
    error: str
    latency_s: float


class HeartbeatEvent(Header):
    type: Literal["heartbeat"]
    t: float
    front_desk: int
    in_flight: int
    lag_s: float
    loop_busy_s: float
    served: int
    failed: int
    refused: int


class DroppedEvent(Header):
    type: Literal["dropped"]
    t: float
    count: int


class ResetEvent(Header):
    type: Literal["reset"]
    t: float
    cancelled: int


class ByeEvent(Header):
    type: Literal["bye"]
    t: float


class DiedEvent(Header):
    type: Literal["died"]
    t: float
    code: int
    message: str


class MalformedEvent(Header):
    type: Literal["malformed"]
    t: float
    count: int
    line: str


# Every event type, by the name in its "type".
EVENT_TYPES: dict[str, type] = {
    "hello": HelloEvent,
    "settings": SettingsEvent,
    "dishes": DishesEvent,
    "arrived": ArrivedEvent,
    "refused": RefusedEvent,
    "seated": SeatedEvent,
    "step_started": StepStartedEvent,
    "shelf_in": ShelfInEvent,
    "shelf_out": ShelfOutEvent,
    "step_finished": StepFinishedEvent,
    "stall": StallEvent,
    "served": ServedEvent,
    "failed": FailedEvent,
    "heartbeat": HeartbeatEvent,
    "dropped": DroppedEvent,
    "reset": ResetEvent,
    "bye": ByeEvent,
    "died": DiedEvent,
    "malformed": MalformedEvent,
}
