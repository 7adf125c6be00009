"""The board: the kitchen as the screen shows it, kept current one event at a time.

The board's ledger keeps the tickets in flight and the last KEEP_DONE done ones (and bounded
sketches of the rest), so memory stays flat whatever runs for hours; the board adds what
drawing needs at 30 frames a second: which tickets stand in which lane right now (so a frame
never scans history), the step that holds the loop or the sync cook and the stall that mattered
(both from the ledger's holds), and a version number per area so a widget redraws only when
its part changed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import chain
from typing import Any

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import default_shelf_size
from kitchen_tui.stream.holds import HeldStep, Hold
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.remedy_account import Job
from kitchen_tui.stream.story import StoryClock
from kitchen_tui.stream.tickets import Ticket

AREAS = ("header", "front_desk", "cook", "rail", "shelf", "served", "stats", "timeline", "banner")
RECENT_DONE = 200  # served strip and stall victims look back this far
KEEP_DONE = 1_000  # done tickets the ledger keeps: the timeline's rows, and then some

# Which areas each event type can change, besides the lanes its ticket leaves and enters.
_TOUCHES: dict[str, tuple[str, ...]] = {
    "hello": AREAS,
    "settings": AREAS,
    "dishes": ("header",),
    "arrived": ("stats", "timeline"),
    "refused": ("stats", "timeline"),
    "seated": ("timeline",),
    "step_started": ("timeline",),
    "step_finished": ("timeline",),
    "shelf_in": ("timeline",),
    "shelf_out": ("timeline",),
    "stall": ("cook", "stats", "timeline"),
    "served": ("stats", "timeline"),
    "failed": ("stats", "timeline"),
    # The served strip's title counts walk-outs: one still cooking finishes no ticket.
    "walked_out": ("served", "stats", "timeline"),
    "uneaten": ("stats", "timeline"),
    "timed_out": ("stats", "timeline"),
    "heartbeat": ("stats",),
    "dropped": ("stats",),
    "malformed": ("stats",),
    "reset": AREAS,
    "stream": ("header", "stats"),
    "died": ("banner", "header"),
    "worker_up": ("cook", "stats"),
    "worker_died": ("cook", "stats", "banner"),
    "worker_lost": ("stats", "banner"),
}
# A job's events name its order's ticket, which its quick answer already served: they move no
# ticket (the served strip shows that answer once), and a job done joins the strip as a job.
_JOB_EVENTS = ("job_queued", "job_in", "job_done")


class Board:
    """Lanes, the held step and per-area versions, fed by `apply` one event at a time."""

    def __init__(self) -> None:
        self._clear()

    def _clear(
        self, story: StoryClock | None = None, kitchen_base: dict[str, int] | None = None
    ) -> None:
        self.ledger = Ledger(story, keep_done=KEEP_DONE, kitchen_base=kitchen_base)
        self.front_desk: dict[int, Ticket] = {}
        self.ready: dict[int, Ticket] = {}
        self.working: dict[int, Ticket] = {}  # on a cook, or on the loop
        self.rail: dict[int, Ticket] = {}
        self.shelf: dict[int, Ticket] = {}
        self.done: deque[Ticket] = deque(maxlen=RECENT_DONE)
        # What the served strip shows, newest last: done tickets, and jobs done (fix_cpu = "job").
        self.out: deque[Ticket | Job] = deque(maxlen=RECENT_DONE)
        self.ignored = 0  # events about tickets this board never saw (from before a reset)
        self.versions: dict[str, int] = dict.fromkeys(AREAS, 0)
        self._lanes = (self.front_desk, self.ready, self.working, self.rail, self.shelf)
        # The screen shows ready and working tickets together, in the line cook's lane.
        self._named_lanes = tuple(
            zip(("front_desk", "cook", "cook", "rail", "shelf"), self._lanes, strict=True)
        )
        self._lane_names = {id(lane): name for name, lane in self._named_lanes}

    # -- feeding ------------------------------------------------------------------------------

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        kind = event.get("type", "")
        if kind == "reset":
            self._start_over(event)
            return
        n = event.get("n")
        if kind not in ("arrived", "refused") and n is not None and n not in self.ledger.tickets:
            self.ignored += 1  # a late word about a ticket from before a reset
            self.ledger.reconciler.missed(kind)  # the kitchen counts its outcome all the same
            return
        held = self.holds_now
        self.ledger.apply(event)
        if self.holds_now != held:
            self._touch(("cook", "stats"))
        if kind in _JOB_EVENTS:
            self._job_event(event)
        elif isinstance(n, int):
            self._place(n)
        while self.ledger.ghosts:  # closed by the kitchen's counts: off the lanes they go
            self._place(self.ledger.ghosts.pop())
        self._touch(_TOUCHES.get(kind, ()))

    def recount_stall_victims(self, now: float) -> None:
        """Recount recent stalls' victims while late events about them may still arrive."""
        changed = [holds.recount_recent_victims(now) for holds in self.ledger.pool.every_holds]
        if any(changed):
            self._touch(("cook", "stats", "timeline"))

    @property
    def held(self) -> HeldStep | None:
        """The step holding the loop (async) or the only cook (sync) right now (with several
        workers, the first of theirs)."""
        held = self.ledger.holds.now
        if held is None and self.ledger.pool.worker_holds:
            held = next((h for h in self.holds_now if h is not None), None)
        return held

    @property
    def holds_now(self) -> tuple[HeldStep | None, ...]:
        """Every step holding a loop or a sync cook now: one kitchen's, or each worker's."""
        if not self.ledger.pool.worker_holds:
            return (self.ledger.holds.now,)
        return tuple(holds.now for holds in self.ledger.pool.every_holds)

    def worker_held(self, worker: int) -> HeldStep | None:
        holds = self.ledger.pool.worker_holds.get(worker)
        return None if holds is None else holds.now

    @property
    def workers(self) -> int:
        """Kitchen processes behind the front desk (1: one kitchen, no pool)."""
        return int(self.ledger.settings.get("workers") or 1)

    @property
    def worker_slots(self) -> list[int]:
        """The workers to show: as many as asked for, and any still serving on its way out."""
        return sorted(set(range(1, self.workers + 1)) | set(self.ledger.pool.workers))

    @property
    def last_stall(self) -> Hold | None:
        """The stall that mattered most: the one that kept other tickets waiting longest (the
        latest one while none has kept anybody waiting); with workers, of them all."""
        every = self.ledger.pool.every_holds
        worst = [holds.worst for holds in every if holds.worst is not None]
        if worst:
            return max(worst, key=lambda hold: hold.delay_s)
        latest = [holds.finished[-1] for holds in every if holds.finished]
        return max(latest, key=lambda hold: hold.end) if latest else None

    def _touch(self, areas: Iterable[str]) -> None:
        for area in areas:
            self.versions[area] += 1

    def _start_over(self, event: Event) -> None:
        """A reset cancelled everything in flight: keep the kitchen's setup, drop the rest."""
        old, versions = self.ledger, self.versions
        self._clear(old.story, old.reconciler.carried(old.outcomes))
        self.versions = versions  # versions only grow, or a widget would miss the change
        self.ledger.settings, self.ledger.menu = old.settings, old.menu
        self.ledger.backend, self.ledger.pid = old.backend, old.pid
        self.ledger.apply(event)
        self._touch(AREAS)

    def _place(self, n: int) -> None:
        """Move one ticket to the lane its state belongs in (dicts keep arrival order)."""
        ticket = self.ledger.tickets.get(n)
        if ticket is None:
            return
        for name, lane in self._named_lanes:
            if lane.pop(n, None) is not None:
                self.versions[name] += 1  # it left, or it moved on within the lane
        home = self._lane_for(ticket)
        if home is not None:
            home[n] = ticket
            self.versions[self._lane_names[id(home)]] += 1
        elif not self.done or self.done[-1] is not ticket:
            self.done.append(ticket)
            self.out.append(ticket)
            self.versions["served"] += 1

    def _job_event(self, event: Event) -> None:
        """The served strip's title counts jobs; a job done joins the strip."""
        self.versions["served"] += 1
        job = self.ledger.remedies.jobs.get(str(event.get("job")))
        if event.get("type") == "job_done" and job is not None and job.done is not None:
            self.out.append(job)

    def _lane_for(self, ticket: Ticket) -> dict[int, Ticket] | None:
        return {
            "front_desk": self.front_desk,
            "seated": self.ready,
            "cook": self.working,
            "loop": self.working,
            "slices": self.working,
            "rail": self.rail,
            "thread": self.rail,  # awaited, as the rail's are: the loop is free for others
            "shelf": self.shelf,
        }.get(ticket.state)

    @property
    def cooks_busy(self) -> int:
        """Cook threads taken: every seated sync or threads ticket holds one, even while it
        waits for I/O or for the prep shelf."""
        seated = chain(self.working.values(), self.ready.values(), self.shelf.values())
        return sum(1 for ticket in seated if ticket.mode in ("sync", "threads"))

    # -- questions ------------------------------------------------------------------------------

    @property
    def shelf_workers(self) -> int:
        # shelf_size 0 means one worker per CPU; the kitchen runs on this same machine.
        return int(self.settings.get("shelf_size") or 0) or default_shelf_size()

    @property
    def in_flight(self) -> int:
        return sum(len(lane) for lane in self._lanes)

    @property
    def settings(self) -> dict[str, Any]:
        return self.ledger.settings

    @property
    def mode(self) -> str:
        return str(self.ledger.settings.get("mode", "?"))

    def recent(self, count: int) -> list[Ticket]:
        """The last `count` tickets to arrive, oldest first."""
        found: list[Ticket] = []
        for ticket in reversed(self.ledger.tickets.values()):
            if len(found) >= count:
                break
            found.append(ticket)
        found.reverse()
        return found
