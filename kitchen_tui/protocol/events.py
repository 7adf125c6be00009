"""The event stream's vocabulary: its version, each event's shape, and the stall alarm levels.

Every event type of docs/events.md has a TypedDict here. `Event` is one event as it travels:
a decoded JSON object whose "type" names its TypedDict (the parent does not trust a line to be
well formed, so it is a plain dict until a consumer reads it as one of these).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from kitchen_tui.protocol.menu import StepKind
from kitchen_tui.protocol.settings import BlockingFix, CpuFix, Mode

STREAM_VERSION = 1
STALL_LEVELS = (0.05, 0.25, 1.0)  # the alarm levels people know: 50 ms, 250 ms, 1 s

Event = dict[str, Any]
# Who is busy during a step: a cook thread, the event loop itself, nobody (awaited I/O), a
# prep shelf worker; with a remedy, a to_thread worker, the loop in checkpointed slices, or
# nobody for long (a job handed to the shelf).
Where = Literal["cook", "loop", "rail", "shelf", "thread", "slices", "job"]


def stall_level(seconds: float) -> int:
    """0 below 50 ms, 1 from 50 ms, 2 from 250 ms, 3 from 1 s."""
    return sum(1 for level in STALL_LEVELS if seconds >= level)


class Header(TypedDict, total=False):
    """What the kitchen's writer adds to every event; events the parent writes have a null seq."""

    v: int
    seq: int | None
    story: float
    # With several workers: which one's event this is (the front desk's writer adds it to what
    # it passes on from a worker, and to its own events about one).
    worker: int


class Stamped(Header):
    t: float  # real time, perf_counter() seconds


class AboutTicket(Stamped):
    id: str
    n: int  # the kitchen's own number for the ticket, unique for the kitchen's life


class AboutStep(AboutTicket):
    i: int  # the step's index in its dish


class StepDetail(AboutStep):
    kind: StepKind
    label: str
    where: Where
    nominal_s: float


class HelloEvent(Stamped):
    type: Literal["hello"]
    pid: int
    backend: str
    settings: dict[str, Any]
    menu: dict[str, Any]


class SettingsEvent(Stamped):
    type: Literal["settings"]
    settings: dict[str, Any]


class DishesEvent(Stamped):
    type: Literal["dishes"]
    menu: dict[str, Any]


class ArrivedEvent(AboutTicket):
    type: Literal["arrived"]
    dish: str
    front_desk: int


class RefusedEvent(AboutTicket):
    type: Literal["refused"]
    dish: str
    reason: str


class SeatedEvent(AboutTicket):
    type: Literal["seated"]
    mode: Mode
    cook: int | None
    prep_shelf: bool
    fix_blocking: BlockingFix
    fix_cpu: CpuFix
    deadline_t: float | None  # real stamp of its deadline (the server's fail_after), or null


class StepStartedEvent(StepDetail):
    type: Literal["step_started"]


class ShelfInEvent(AboutStep):
    type: Literal["shelf_in"]
    slot: int
    pid: int
    waited_s: float


class ShelfOutEvent(AboutStep):
    type: Literal["shelf_out"]
    slot: int
    pid: int


class StepFinishedEvent(StepDetail):
    type: Literal["step_finished"]
    measured_s: float
    story_s: float
    cpu_s: float | None
    shelf_s: float | None


class StallEvent(AboutStep):
    type: Literal["stall"]
    kind: StepKind
    label: str
    seconds: float
    story_s: float
    level: int


class ServedEvent(AboutTicket):
    type: Literal["served"]
    dish: str
    latency_s: float
    real_latency_s: float
    split: dict[str, float]


class FailedEvent(AboutTicket):
    type: Literal["failed"]
    dish: str
    error: str
    latency_s: float


class WalkedOutEvent(AboutTicket):
    type: Literal["walked_out"]
    dish: str
    patience_s: float
    where: str  # "desk", or the `where` of the step it was in, or "ready" between steps


class UneatenEvent(AboutTicket):
    type: Literal["uneaten"]
    dish: str
    response: Literal["served", "failed"]
    latency_s: float
    wasted_s: float


class TimedOutEvent(AboutTicket):
    type: Literal["timed_out"]
    dish: str
    where: str  # where the ticket was when it ended: "desk", a step's `where`, "ready"
    how: Literal["cancelled", "killed", "ran_on"]
    latency_s: float
    overrun_s: float
    wasted_s: float


class _Beat(Stamped):
    front_desk: int
    in_flight: int
    lag_s: float
    loop_busy_s: float
    served: int
    failed: int
    refused: int
    timed_out: int
    uneaten: int
    walked_out: int
    thread_tokens: int
    thread_limit: int
    token_waiting: int
    jobs_open: int
    jobs_queued: int


class HeartbeatEvent(_Beat):
    type: Literal["heartbeat"]


class WorkerBeatEvent(_Beat):
    """One worker's own heartbeat, passed on by the front desk (its sum is the heartbeat)."""

    type: Literal["worker_beat"]


class AcceptedEvent(AboutTicket):
    type: Literal["accepted"]


class WorkerUpEvent(Stamped):
    type: Literal["worker_up"]
    pid: int


class WorkerRetiredEvent(Stamped):
    type: Literal["worker_retired"]
    pid: int


class WorkerDiedEvent(Stamped):
    type: Literal["worker_died"]
    pid: int
    code: int
    message: str
    failed: int


class WorkerLostEvent(Stamped):
    type: Literal["worker_lost"]
    pid: int
    message: str
    lost: int
    failed: int


class ThreadInEvent(AboutStep):
    type: Literal["thread_in"]
    waited_s: float


class ThreadOutEvent(AboutStep):
    type: Literal["thread_out"]
    gil_share: float | None


class SlicesEvent(AboutStep):
    type: Literal["slices"]
    slices: int
    longest_slice_s: float
    longest_gap_s: float
    held_s: float
    turns_s: float  # the loop's own time between its slices (added later: see checked.py)


class CpuProgressEvent(AboutStep):
    """A remedied CPU step still at work (every 0.1 s or so): its figures so far."""

    type: Literal["cpu_progress"]
    where: Literal["slices", "thread"]
    cpu_s: float  # real CPU seconds burned so far
    wall_s: float  # real seconds since it began computing
    extra_s: float  # story seconds it has paid so far beyond its CPU time
    slices: int  # checkpointed: slices done so far (0 on a thread)
    longest_gap_s: float  # checkpointed: the longest gap between two slices so far


class JobQueuedEvent(AboutStep):
    type: Literal["job_queued"]
    job: str
    nominal_s: float


class JobInEvent(AboutStep):
    type: Literal["job_in"]
    job: str
    slot: int


class JobDoneEvent(AboutStep):
    type: Literal["job_done"]
    job: str
    pid: int
    cpu_s: float
    job_latency_s: float
    error: str | None


class _ThinnedDetail(Stamped, total=False):
    kinds: dict[str, int]  # how many of each kind (only step detail is ever thinned)
    stall_s: float  # real seconds of the loop holds among them


class DroppedEvent(_ThinnedDetail):
    type: Literal["dropped"]
    count: int


class StreamEvent(Stamped):
    """The steady stream of customers the kitchen now runs (a rate of 0: none)."""

    type: Literal["stream"]
    rate: float
    mix: dict[str, int]
    arrivals: str
    seed: int


class ResetEvent(Stamped):
    type: Literal["reset"]
    cancelled: int


class ByeEvent(Stamped):
    type: Literal["bye"]


class DiedEvent(Stamped):
    type: Literal["died"]
    code: int
    message: str


class WriteFailedEvent(Stamped):
    type: Literal["write_failed"]
    message: str


class MalformedEvent(Stamped):
    type: Literal["malformed"]
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
    "thread_in": ThreadInEvent,
    "thread_out": ThreadOutEvent,
    "slices": SlicesEvent,
    "cpu_progress": CpuProgressEvent,
    "job_queued": JobQueuedEvent,
    "job_in": JobInEvent,
    "job_done": JobDoneEvent,
    "stall": StallEvent,
    "served": ServedEvent,
    "failed": FailedEvent,
    "walked_out": WalkedOutEvent,
    "uneaten": UneatenEvent,
    "timed_out": TimedOutEvent,
    "heartbeat": HeartbeatEvent,
    "accepted": AcceptedEvent,
    "worker_up": WorkerUpEvent,
    "worker_beat": WorkerBeatEvent,
    "worker_died": WorkerDiedEvent,
    "worker_lost": WorkerLostEvent,
    "worker_retired": WorkerRetiredEvent,
    "dropped": DroppedEvent,
    "stream": StreamEvent,
    "reset": ResetEvent,
    "bye": ByeEvent,
    "died": DiedEvent,
    "malformed": MalformedEvent,
    "write_failed": WriteFailedEvent,
}
