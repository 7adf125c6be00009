"""One ticket as the stream tells it: where it is, where its time went, the stalls it caused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Part = Literal["front_desk", "ready", "cook", "rail", "shelf"]
PARTS: tuple[Part, ...] = ("front_desk", "ready", "cook", "rail", "shelf")
# Where time went, in the words every screen and the report use (long, short). `rail` is the
# I/O itself, wherever it waited: on the rail in async, on the cook's own thread in sync and
# threads (the rail lane stays empty there, and the cook waits with it).
PART_NAMES: dict[Part, tuple[str, str]] = {
    "front_desk": ("front desk", "desk"),
    "ready": ("ready", "ready"),
    "cook": ("cook / loop", "cook"),
    "rail": ("I/O wait", "I/O"),
    "shelf": ("prep shelf", "shelf"),
}
TicketState = Literal[
    "front_desk",
    "seated",
    "cook",
    "loop",
    "slices",  # checkpointed CPU work: on the loop one slice at a time, others run between
    "rail",
    "thread",  # awaiting its to_thread worker: a blocking call, or CPU sharing the GIL
    "shelf",
    "served",
    "failed",
    "refused",
    "timed_out",
    "uneaten",
]
# uneaten: answered after its customer walked out (the answer went to nobody)
DONE_STATES = ("served", "failed", "refused", "timed_out", "uneaten")


@dataclass
class Segment:
    """A stretch of one ticket's life spent in one place, in real seconds."""

    part: Part
    start: float
    end: float | None = None


@dataclass
class Ticket:
    """One order ticket as the stream describes it."""

    n: int
    id: str
    dish: str
    arrived: float
    state: TicketState = "front_desk"
    mode: str | None = None
    fix_blocking: str = "inline"  # the remedies it was served with
    fix_cpu: str = "inline"
    job_latency_s: float | None = None  # fix_cpu = "job": arrival to its last job done
    cook: int | None = None
    worker: int | None = None  # the worker process that accepted it (with several)
    seated: float | None = None
    step_index: int | None = None
    step_kind: str | None = None
    step_label: str | None = None
    step_started: float | None = None
    shelf_slot: int | None = None
    thread_step: int | None = None  # the last step a to_thread worker took (its token got)
    prep_shelf: bool = False  # the prep shelf was on when it was seated
    done: float | None = None
    latency_s: float | None = None
    split: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    lost: bool = False  # its outcome never arrived (see `Ledger._close_ghosts`)
    walked_out_t: float | None = None  # when its customer left, if they did
    deadline_t: float | None = None  # when the server's deadline falls, if it has one
    wasted_s: float = 0.0  # story seconds of its steps run after nobody waited for them
    overrun_s: float = 0.0  # how long its cancel was pending past the deadline
    segments: list[Segment] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return self.state in DONE_STATES

    def cancel_pending(self, now: float) -> bool:
        """Its deadline has passed and the cancel has not landed yet (it holds the loop, or a
        thread that cannot be stopped)."""
        return self.deadline_t is not None and now >= self.deadline_t and not self.is_done

    def close_segment(self, at: float) -> None:
        if self.segments and self.segments[-1].end is None:
            self.segments[-1].end = at

    def open_segment(self, part: Part, at: float) -> None:
        self.close_segment(at)
        self.segments.append(Segment(part, at))


@dataclass
class Stall:
    """A step that held the event loop: who, what and for how long (real seconds)."""

    ticket: str
    kind: str
    label: str
    seconds: float
    level: int
    end: float


def part_of(kind: str, where: str) -> Part:
    """Where a step's time goes while it runs, by its kind and who is busy."""
    if where == "shelf":
        return "ready"  # until shelf_in: waiting for a free worker
    if kind == "wait" or (where == "thread" and kind == "blocking") or where == "rail":
        return "rail"
    return "cook"
