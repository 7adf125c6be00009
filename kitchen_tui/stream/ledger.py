"""The ledger: every ticket's state and history, as told by the event stream.

The TUI, the headless report and replay all read the kitchen through this one class, so they
agree on what a ticket is doing and on every number they show. A headless run keeps every
ticket (its report has a row for each); a live screen keeps the tickets in flight and the
latest done ones, and a bounded sketch of each dish's latencies, however long it runs.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Mapping
from typing import Any

from kitchen_tui.protocol.events import (
    ArrivedEvent,
    DiedEvent,
    DishesEvent,
    DroppedEvent,
    Event,
    FailedEvent,
    HeartbeatEvent,
    HelloEvent,
    MalformedEvent,
    RefusedEvent,
    ResetEvent,
    SeatedEvent,
    ServedEvent,
    SettingsEvent,
    ShelfInEvent,
    ShelfOutEvent,
    StallEvent,
    StepFinishedEvent,
    StepStartedEvent,
    TimedOutEvent,
    UneatenEvent,
)
from kitchen_tui.stream.flow import Flow
from kitchen_tui.stream.giving_up import GivingUpAccount
from kitchen_tui.stream.holds import Holds
from kitchen_tui.stream.pool_account import PoolAccount
from kitchen_tui.stream.reconcile import Reconciler
from kitchen_tui.stream.remedy_account import RemedyAccount
from kitchen_tui.stream.sketch import LatencySketch, merged
from kitchen_tui.stream.story import StoryClock
from kitchen_tui.stream.tickets import Stall, Ticket, TicketState, part_of

RECENT_STALLS = 500  # a live ledger's stalls kept for the timeline; totals count them all
THROUGHPUT_WINDOW_S = 10.0
GHOST_BEATS = 2  # idle heartbeats in a row before open tickets count as ghosts


class Ledger:
    """Applies events to tickets and keeps the running totals the screens and reports need."""

    def __init__(
        self,
        story: StoryClock | None = None,
        keep_done: int | None = None,
        kitchen_base: Mapping[str, int] | None = None,
    ) -> None:
        """`keep_done`: how many done tickets to keep (None: all of them); `kitchen_base`:
        outcomes the kitchen counted before this account began (see `Reconciler`)."""
        self.tickets: dict[int, Ticket] = {}
        self.keep_done = keep_done
        self._done: deque[int] = deque()  # done tickets in the order they finished
        self.settings: dict[str, Any] = {}
        self.menu: dict[str, Any] = {}
        self.backend: str | None = None
        self.pid: int | None = None
        self.latencies: dict[str, LatencySketch] = defaultdict(LatencySketch)
        # The same latencies by the kitchen setting that served them ("sync", "async + shelf"):
        # figures of one setting are never mixed with another's.
        self.latencies_by_setting: dict[str, dict[str, LatencySketch]] = defaultdict(
            lambda: defaultdict(LatencySketch)
        )
        self.story = story or StoryClock()
        self.holds = Holds(self.story, keep=None if keep_done is None else RECENT_STALLS)
        self.open: dict[int, Ticket] = {}  # tickets not yet served, failed or 86'd
        self.stalls: deque[Stall] = deque(maxlen=None if keep_done is None else RECENT_STALLS)
        self.stall_count = 0
        self.worst_stall_s: float | None = None
        self.stall_total_s = 0.0
        self.loop_busy_s = 0.0
        self.served = 0
        self.failed = 0
        self.refused = 0
        self.dropped = 0
        self.malformed = 0  # lines of the stream that were not an event, skipped
        self.thinned: Counter[str] = Counter()  # step detail thinned under a flood, per kind
        self.reconciler = Reconciler(kitchen_base)
        self._served_at: deque[float] = deque()  # within THROUGHPUT_WINDOW_S of the last
        self.ghosts: list[int] = []  # tickets just closed as ghosts, for the board to move
        self.last_seq = -1
        self.first_t: float | None = None
        self.last_t: float | None = None
        self.last_heartbeat: HeartbeatEvent | None = None
        self.died: str | None = None
        self.remedies = RemedyAccount()
        self.giving_up = GivingUpAccount()
        self.pool = PoolAccount(self.holds)
        self.flow = Flow()  # the last minute, for the queueing figures (stream/queueing.py)

    # -- reading the stream ---------------------------------------------------------------

    def apply(self, event: Event) -> None:
        kind = event["type"]
        t = event.get("t")
        if isinstance(t, float | int):
            if self.first_t is None:
                self.first_t = float(t)
            self.last_t = float(t)
        seq = event.get("seq")
        if isinstance(seq, int):
            self.last_seq = seq
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event)
        self.flow.apply(event)

    def _on_hello(self, e: HelloEvent) -> None:
        self.settings = dict(e["settings"])
        self.story.note(e, self.speed)
        self.menu = dict(e["menu"])
        self.backend = e.get("backend")
        self.pid = e.get("pid")
        self.pool.new_kitchen(str(self.settings.get("mode", "")))

    def _on_settings(self, e: SettingsEvent) -> None:
        self.settings = dict(e["settings"])
        self.story.note(e, self.speed)
        self.pool.new_kitchen(str(self.settings.get("mode", "")))

    def _on_dishes(self, e: DishesEvent) -> None:
        self.menu = dict(e["menu"])

    def _on_arrived(self, e: ArrivedEvent) -> None:
        ticket = Ticket(n=e["n"], id=e["id"], dish=e["dish"], arrived=e["t"])
        ticket.open_segment("front_desk", e["t"])
        self.tickets[ticket.n] = ticket
        self.open[ticket.n] = ticket
        self.holds.arrived(ticket)

    def _on_refused(self, e: RefusedEvent) -> None:
        ticket = self.tickets.get(e["n"])
        if ticket is None:
            ticket = Ticket(n=e["n"], id=e["id"], dish=e["dish"], arrived=e["t"])
            self.tickets[ticket.n] = ticket
        ticket.state = "refused"
        ticket.error = e.get("reason")
        ticket.done = e["t"]
        ticket.close_segment(e["t"])
        self.open.pop(ticket.n, None)
        self.refused += 1
        self._retire(ticket)

    def _on_seated(self, e: SeatedEvent) -> None:
        ticket = self.tickets[e["n"]]
        ticket.state = "seated"
        ticket.mode = e["mode"]
        ticket.cook = e.get("cook")
        # Streams written before the remedies name only the prep shelf.
        ticket.fix_blocking = e.get("fix_blocking", "inline")
        ticket.fix_cpu = e.get("fix_cpu", "prep_shelf" if e.get("prep_shelf") else "inline")
        ticket.seated = e["t"]
        ticket.deadline_t = e.get("deadline_t")
        ticket.prep_shelf = bool(e.get("prep_shelf"))
        ticket.open_segment("ready", e["t"])

    def _on_step_started(self, e: StepStartedEvent) -> None:
        ticket = self.tickets[e["n"]]
        where = e["where"]
        ticket.state = _STATE_OF.get(where, where)  # type: ignore[assignment]
        ticket.step_index = e["i"]
        ticket.step_kind = e["kind"]
        ticket.step_label = e["label"]
        ticket.step_started = e["t"]
        ticket.open_segment(part_of(e["kind"], where), e["t"])
        self.pool.holds_of(ticket).started(e, ticket, list(self.open.values()))

    def _on_shelf_in(self, e: ShelfInEvent) -> None:
        ticket = self.tickets[e["n"]]
        ticket.shelf_slot = e["slot"]
        ticket.open_segment("shelf", e["t"])

    def _on_shelf_out(self, e: ShelfOutEvent) -> None:
        ticket = self.tickets[e["n"]]
        ticket.shelf_slot = None
        ticket.open_segment("ready", e["t"])

    def _on_step_finished(self, e: StepFinishedEvent) -> None:
        self.remedies.on_step_finished(e)
        ticket = self.tickets[e["n"]]
        ticket.state = "seated"
        ticket.step_started = None
        ticket.open_segment("ready", e["t"])
        if e["kind"] == "wait" and ticket.segments[-2:-1]:
            # The I/O itself ended at its nominal time; the rest was waiting to be resumed.
            rail = ticket.segments[-2]
            io_end = rail.start + e["nominal_s"] / max(self.speed, 1e-9)
            if io_end < e["t"]:
                rail.end = io_end
                ticket.segments[-1].start = io_end
        self.pool.holds_of(ticket).step_finished(e)

    def _on_stall(self, e: StallEvent) -> None:
        ticket = self.tickets.get(e["n"])
        name = ticket.id if ticket else str(e["id"])
        self.stalls.append(Stall(name, e["kind"], e["label"], e["seconds"], e["level"], e["t"]))
        self.stall_total_s += e["seconds"]
        self.stall_count += 1
        self.worst_stall_s = max(self.worst_stall_s or 0.0, e["seconds"])
        self.pool.holds_of(ticket).kitchen_measure(e)

    def _finish(
        self, e: ServedEvent | FailedEvent | TimedOutEvent | UneatenEvent, state: TicketState
    ) -> Ticket:
        ticket = self.tickets[e["n"]]
        ticket.state = state
        ticket.done = e["t"]
        ticket.latency_s = e["latency_s"]
        ticket.step_started = None
        ticket.close_segment(e["t"])
        self.open.pop(ticket.n, None)
        self.remedies.forget(ticket.n)
        self._retire(ticket)
        return ticket

    def _retire(self, ticket: Ticket) -> None:
        """A ticket is done: past `keep_done`, the oldest done one is forgotten."""
        self._done.append(ticket.n)
        if self.keep_done is not None:
            while len(self._done) > self.keep_done:
                self.tickets.pop(self._done.popleft(), None)

    def _on_served(self, e: ServedEvent) -> None:
        ticket = self._finish(e, "served")
        self.pool.on_outcome(e, ticket)
        ticket.split = dict(e["split"])
        self.latencies[ticket.dish].add(e["latency_s"])
        setting = setting_name(ticket.mode, ticket.prep_shelf)
        self.latencies_by_setting[setting][ticket.dish].add(e["latency_s"])
        self.served += 1
        served_at = self._served_at
        served_at.append(e["t"])
        while served_at[0] < e["t"] - THROUGHPUT_WINDOW_S:
            served_at.popleft()

    def _on_failed(self, e: FailedEvent) -> None:
        ticket = self._finish(e, "failed")
        self.pool.on_outcome(e, ticket)
        ticket.error = e["error"]
        self.failed += 1

    def _on_heartbeat(self, e: HeartbeatEvent) -> None:
        previous, self.last_heartbeat = self.last_heartbeat, e
        self.loop_busy_s = e["loop_busy_s"]
        self.remedies.on_heartbeat(e)
        counts = self.reconciler
        counts.heartbeat(e, self.outcomes)
        if previous is not None and counts.lost_total and counts.idle_beats >= GHOST_BEATS:
            self._close_ghosts(float(previous["t"]))

    def _close_ghosts(self, before: float) -> None:
        """The stream lost outcomes and the kitchen has had nothing in flight for a while: a
        ticket still open here that arrived before the last heartbeat is a ghost. Closed, so
        that no screen shows it ageing; its outcome stays unknown (and uncounted)."""
        for ticket in list(self.open.values()):
            if ticket.arrived < before:
                ticket.state = "failed"
                ticket.lost = True
                ticket.error = "lost: the kitchen finished it, its outcome never arrived"
                ticket.done = before
                ticket.close_segment(before)
                self.open.pop(ticket.n, None)
                self._retire(ticket)
                self.ghosts.append(ticket.n)

    def _on_dropped(self, e: DroppedEvent) -> None:
        self.dropped += e["count"]
        self.thinned.update(e.get("kinds", {}))
        # The loop holds among the thinned detail still count towards the time it was held.
        held_s = e.get("stall_s", 0.0)
        self.stall_total_s += held_s
        self.holds.total_s += held_s * self.speed

    def _on_malformed(self, e: MalformedEvent) -> None:
        self.malformed += e["count"]

    def _on_reset(self, e: ResetEvent) -> None:
        for ticket in list(self.tickets.values()):
            if not ticket.is_done:
                ticket.state = "failed"
                ticket.error = "cancelled by reset"
                ticket.done = e["t"]
                ticket.close_segment(e["t"])
                self._retire(ticket)
        self.open.clear()
        for holds in self.pool.every_holds:
            holds.now = None
        self.remedies.reset(e["t"])

    def _on_died(self, e: DiedEvent) -> None:
        self.died = e["message"]

    # -- questions the screens ask --------------------------------------------------------

    @property
    def speed(self) -> float:
        return float(self.settings.get("speed", 1.0))

    @property
    def setting(self) -> str:
        """The kitchen's setting now, as the latencies are filed: "sync", "async + shelf"."""
        return setting_name(self.settings.get("mode"), bool(self.settings.get("prep_shelf")))

    @property
    def in_flight(self) -> int:
        return len(self.open)

    @property
    def outcomes(self) -> dict[str, int]:
        lost = self.giving_up
        return {
            "served": self.served,
            "failed": self.failed,
            "refused": self.refused,
            "timed_out": lost.timed_out,
            "uneaten": lost.uneaten,
        }

    def percentile(self, dish: str | None, q: float) -> float | None:
        if dish is None:
            return merged(self.latencies.values()).percentile(q)
        sketch = self.latencies.get(dish)
        return None if sketch is None else sketch.percentile(q)

    def throughput(self, window: float = THROUGHPUT_WINDOW_S) -> float:
        """Tickets served per real second over the last `window` seconds of the stream (at
        most THROUGHPUT_WINDOW_S)."""
        if self.last_t is None:
            return 0.0
        window = min(window, THROUGHPUT_WINDOW_S)
        since = self.last_t - window
        served = sum(1 for done in self._served_at if done >= since)
        span = min(window, self.last_t - (self.first_t or self.last_t)) or window
        return served / span


# Event type -> what the ledger does with it; the other types change nothing here.
_HANDLERS: dict[str, Callable[[Ledger, Any], None]] = {
    "hello": Ledger._on_hello,
    "settings": Ledger._on_settings,
    "dishes": Ledger._on_dishes,
    "arrived": Ledger._on_arrived,
    "refused": Ledger._on_refused,
    "seated": Ledger._on_seated,
    "step_started": Ledger._on_step_started,
    "shelf_in": Ledger._on_shelf_in,
    "shelf_out": Ledger._on_shelf_out,
    "step_finished": Ledger._on_step_finished,
    "stall": Ledger._on_stall,
    "served": Ledger._on_served,
    "failed": Ledger._on_failed,
    "walked_out": lambda ledger, e: ledger.giving_up.on_walked_out(e, ledger.tickets.get(e["n"])),
    "uneaten": lambda ledger, e: ledger.giving_up.on_uneaten(e, ledger._finish(e, "uneaten")),
    "timed_out": lambda ledger, e: ledger.giving_up.on_timed_out(e, ledger._finish(e, "timed_out")),
    "heartbeat": Ledger._on_heartbeat,
    "thread_in": lambda ledger, e: ledger.remedies.on_thread_in(e, ledger.tickets.get(e["n"])),
    "thread_out": lambda ledger, e: ledger.remedies.on_thread_out(e),
    "slices": lambda ledger, e: ledger.remedies.on_slices(e),
    "cpu_progress": lambda ledger, e: ledger.remedies.on_cpu_progress(e),
    "job_queued": lambda ledger, e: ledger.remedies.on_job_queued(e),
    "job_in": lambda ledger, e: ledger.remedies.on_job_in(e),
    "job_done": lambda ledger, e: ledger.remedies.on_job_done(e, ledger.tickets.get(e["n"])),
    "accepted": lambda ledger, e: ledger.pool.on_accepted(e, ledger.tickets.get(e["n"])),
    "worker_up": lambda ledger, e: ledger.pool.on_up(e),
    "worker_beat": lambda ledger, e: ledger.pool.on_beat(e),
    "worker_died": lambda ledger, e: ledger.pool.on_died(e),
    "worker_lost": lambda ledger, e: ledger.pool.on_lost(e),
    "worker_retired": lambda ledger, e: ledger.pool.on_retired(e),
    "dropped": Ledger._on_dropped,
    "reset": Ledger._on_reset,
    "died": Ledger._on_died,
    "malformed": Ledger._on_malformed,
}


def setting_name(mode: str | None, prep_shelf: bool) -> str:
    return f"{mode or '?'} + shelf" if prep_shelf else mode or "?"


# Where a remedy runs a step, as a ticket's state: a job's hand-off runs on the loop; a to_thread
# step ("thread": the loop awaits its worker) and checkpointed slices ("slices": on the loop one
# slice at a time, the loop free between them) are states of their own.
_STATE_OF = {"job": "loop"}
