"""The board: the kitchen as the screen shows it, kept current one event at a time.

The ledger knows every ticket ever seen; the board adds what drawing needs at 30 frames a
second: which tickets stand in which lane right now (so a frame never scans history), the step
that holds the loop or the sync cook, the victims of the last stall, and a version number per
area so a widget redraws only when its part of the kitchen changed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import chain
from typing import Any

from kitchen_tui.protocol.events import Event, stall_level
from kitchen_tui.stream.ledger import Ledger, Ticket

AREAS = ("header", "front_desk", "cook", "rail", "shelf", "served", "stats", "timeline", "banner")
RECENT_DONE = 200  # served strip and stall victims look back this far
BUSY_WINDOW_S = 3.0  # loop busy % is measured over the last few heartbeats
VICTIM_SETTLE_S = 1.0  # late events (rail tickets resumed after a stall) still count this long

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
    "heartbeat": ("stats",),
    "dropped": ("stats",),
    "malformed": ("stats",),
    "reset": AREAS,
    "died": ("banner", "header"),
}


@dataclass(frozen=True)
class HeldStep:
    """A step that holds the event loop (async) or the only cook (sync) right now."""

    n: int
    i: int
    ticket: str
    dish: str
    kind: str
    label: str
    where: str
    started: float


@dataclass(frozen=True)
class StallReport:
    """A finished hold and its victims: tickets that could not move while it lasted."""

    held: HeldStep
    seconds: float
    level: int
    end: float
    victims: int = 0
    delay_s: float = 0.0


class Board:
    """Lanes, the held step and per-area versions, fed by `apply` one event at a time."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.ledger = Ledger()
        self.front_desk: dict[int, Ticket] = {}
        self.ready: dict[int, Ticket] = {}
        self.working: dict[int, Ticket] = {}  # on a cook, or on the loop
        self.rail: dict[int, Ticket] = {}
        self.shelf: dict[int, Ticket] = {}
        self.done: deque[Ticket] = deque(maxlen=RECENT_DONE)
        self.held: HeldStep | None = None
        self.last_stall: StallReport | None = None
        self.ignored = 0  # events about tickets this board never saw (from before a reset)
        self.versions: dict[str, int] = dict.fromkeys(AREAS, 0)
        self._busy: deque[tuple[float, float]] = deque()
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
            return
        held = self.held
        self.ledger.apply(event)
        if kind == "heartbeat":
            self._sample_busy(event)
        elif kind == "step_started":
            self._watch_start(event)
        elif kind == "step_finished" and held is not None and held.n == n and held.i == event["i"]:
            self._watch_end(held, event)
        elif kind == "stall":
            self._take_kitchen_measure(event)
        if isinstance(n, int):
            self._place(n)
        self._touch(_TOUCHES.get(kind, ()))

    def settle(self, now: float) -> None:
        """Recount the last stall's victims while late events about it may still arrive."""
        report = self.last_stall
        if report is not None and now - report.end < VICTIM_SETTLE_S:
            victims, delay = self._victims(report.held, report.end)
            if (victims, delay) != (report.victims, report.delay_s):
                self.last_stall = replace(report, victims=victims, delay_s=delay)
                self._touch(("cook",))

    def _touch(self, areas: Iterable[str]) -> None:
        for area in areas:
            self.versions[area] += 1

    def _start_over(self, event: Event) -> None:
        """A reset cancelled everything in flight: keep the kitchen's setup, drop the rest."""
        old, versions = self.ledger, self.versions
        self._clear()
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
            self.versions["served"] += 1

    def _lane_for(self, ticket: Ticket) -> dict[int, Ticket] | None:
        return {
            "front_desk": self.front_desk,
            "seated": self.ready,
            "cook": self.working,
            "loop": self.working,
            "rail": self.rail,
            "shelf": self.shelf,
        }.get(ticket.state)

    # -- the stall watch ------------------------------------------------------------------------

    def _watch_start(self, e: Event) -> None:
        ticket = self.ledger.tickets[e["n"]]
        on_loop = e["where"] == "loop"
        # A sync kitchen has one cook: whatever it does, every other ticket waits for it.
        holds_sync_cook = e["where"] == "cook" and ticket.mode == "sync"
        if on_loop or holds_sync_cook:
            self.held = HeldStep(
                e["n"], e["i"], ticket.id, ticket.dish, e["kind"], e["label"], e["where"], e["t"]
            )

    def _watch_end(self, held: HeldStep, e: Event) -> None:
        self.held = None
        seconds = float(e.get("measured_s") or (e["t"] - held.started))
        level = stall_level(seconds)
        if level == 0:
            return  # too short for anyone to feel: not worth a report
        victims, delay = self._victims(held, e["t"])
        self.last_stall = StallReport(held, seconds, level, e["t"], victims, delay)

    def _take_kitchen_measure(self, e: Event) -> None:
        """The kitchen's own `stall` event has the last word on how long the loop was held."""
        report = self.last_stall
        if report is not None and report.held.n == e["n"] and report.held.i == e["i"]:
            self.last_stall = replace(report, seconds=e["seconds"], level=e["level"])

    def _victims(self, held: HeldStep, end: float) -> tuple[int, float]:
        """Tickets that waited (front desk or ready) while the step held on, and for how long."""
        count, total = 0, 0.0
        for ticket in self._candidates(held.started):
            if ticket.n == held.n:
                continue
            waited = _waited_between(ticket, held.started, end)
            if waited > 0:
                count += 1
                total += waited
        return count, total

    def _candidates(self, since: float) -> Iterator[Ticket]:
        for lane in self._lanes:
            yield from lane.values()
        for ticket in reversed(self.done):
            if ticket.done is not None and ticket.done < since:
                break
            yield ticket

    # -- loop busy ------------------------------------------------------------------------------

    def _sample_busy(self, e: Event) -> None:
        self._busy.append((e["t"], e["loop_busy_s"]))
        while len(self._busy) > 2 and e["t"] - self._busy[0][0] > BUSY_WINDOW_S:
            self._busy.popleft()

    def loop_busy(self, now: float) -> float | None:
        """Share of the last few seconds the loop was held, from the kitchen's heartbeats, and
        the hold going on now (a held loop sends no heartbeat until it is free)."""
        if len(self._busy) < 2:
            return None
        (t0, busy0), (t1, busy1) = self._busy[0], self._busy[-1]
        if self.held is not None and self.held.where == "loop" and now > t1:
            busy1 += now - max(t1, self.held.started)
            t1 = now
        if t1 <= t0:
            return None
        return max(0.0, min(1.0, (busy1 - busy0) / (t1 - t0)))

    @property
    def cooks_busy(self) -> int:
        """Cook threads taken: every seated sync or threads ticket holds one, even while it
        waits for I/O or for the prep shelf."""
        seated = chain(self.working.values(), self.ready.values(), self.shelf.values())
        return sum(1 for ticket in seated if ticket.mode in ("sync", "threads"))

    # -- questions ------------------------------------------------------------------------------

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


def _waited_between(ticket: Ticket, start: float, end: float) -> float:
    waited = 0.0
    for segment in ticket.segments:
        if segment.part not in ("front_desk", "ready"):
            continue
        seg_end = end if segment.end is None else segment.end
        waited += max(0.0, min(seg_end, end) - max(segment.start, start))
    return waited
