"""Holds: steps that held every ticket (the event loop in async, the only cook in sync), and
whom each kept waiting. One account for the line cook lane, the stats, the timeline and the
report, so none of them can tell a different story about a stall.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kitchen_tui.protocol.events import (
    StallEvent,
    StepFinishedEvent,
    StepStartedEvent,
    stall_level,
)

if TYPE_CHECKING:
    from kitchen_tui.stream.story import StoryClock
    from kitchen_tui.stream.tickets import Ticket

VICTIM_SETTLE_S = 1.0  # late events (rail tickets resumed after a stall) still count this long


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
    worker: int | None = None  # with several workers: whose loop (or only cook) it holds
    mode: str = ""  # the kitchen's mode it held in: a mode switch starts a new kitchen


@dataclass(frozen=True)
class Hold:
    """A finished hold of 50 ms or more, and its victims: tickets that could not move while it
    lasted, and how long they waited in all (story seconds, as `seconds`; `end` is real)."""

    held: HeldStep
    seconds: float
    level: int
    end: float
    victims: int = 0
    delay_s: float = 0.0


class Holds:
    """Watches the steps that hold everyone. `now` is the hold going on, `finished` every hold
    that reached an alarm level (the last `keep` of them, if given: a live screen's timeline
    looks back only so far), `worst` the one that kept others waiting longest (it stays
    until one that matters as much or more replaces it, or a reset)."""

    def __init__(self, story: StoryClock, keep: int | None = None, mode: str = "") -> None:
        self._story = story
        self.keep = keep
        self.mode = mode  # the kitchen's mode now: `worst` is a stall of this kitchen only
        self._longest_forgotten = 0.0  # the longest of the holds no longer in `finished`
        self.now: HeldStep | None = None
        self.finished: list[Hold] = []
        self.worst: Hold | None = None
        self.total_s = 0.0  # every hold, however short: the time nobody else could move
        self._suspects: list[Ticket] = []  # tickets in the kitchen while the current hold lasts
        self._settling: list[tuple[Hold, list[Ticket]]] = []

    def sibling(self) -> Holds:
        """Fresh holds on the same clock, keeping as many: another worker's."""
        return Holds(self._story, self.keep, self.mode)

    def new_kitchen(self, mode: str) -> None:
        """A mode switch starts a new kitchen: the old one's costliest stall is not this one's
        (after sync, the loop's lane said "costliest stall S2 held the cook 2.00 s")."""
        if mode != self.mode:
            self.mode = mode
            self.worst = None

    def started(self, e: StepStartedEvent, ticket: Ticket, open_tickets: list[Ticket]) -> None:
        holds_sync_cook = e["where"] == "cook" and ticket.mode == "sync"
        if e["where"] == "loop" or holds_sync_cook:
            self.now = HeldStep(
                e["n"],
                e["i"],
                ticket.id,
                ticket.dish,
                e["kind"],
                e["label"],
                e["where"],
                e["t"],
                ticket.worker,
                ticket.mode or "",
            )
            # Its own worker's tickets only (with several workers; with one, every ticket).
            worker = ticket.worker
            self._suspects = [t for t in open_tickets if t.n != ticket.n and t.worker == worker]

    def arrived(self, ticket: Ticket) -> None:
        if self.now is not None:
            self._suspects.append(ticket)

    def step_finished(self, e: StepFinishedEvent) -> None:
        held = self.now
        if held is None or held.n != e["n"] or held.i != e["i"]:
            return
        self.now = None
        story_s = e.get("story_s")
        seconds = float(story_s) if story_s is not None else self._story.span(held.started, e["t"])
        self.total_s += seconds
        level = stall_level(seconds)
        if level == 0:
            return  # too short for anyone to feel: not worth a report
        hold = Hold(held, seconds, level, e["t"])
        self.finished.append(hold)
        if self.keep is not None and len(self.finished) > 2 * self.keep:
            forgotten = self.finished[: -self.keep]  # trimmed in halves: appends stay cheap
            self._longest_forgotten = max(self._longest_forgotten, *(h.seconds for h in forgotten))
            del self.finished[: -self.keep]
        self._settling.append((hold, self._suspects))
        self._suspects = []
        self._recount(e["t"])

    def kitchen_measure(self, e: StallEvent) -> None:
        """The kitchen's own `stall` event has the last word on how long the loop was held."""
        for index, hold in enumerate(self.finished[-3:], start=max(0, len(self.finished) - 3)):
            if hold.held.n == e["n"] and hold.held.i == e["i"]:
                seconds = float(e["story_s"])
                self._replace(index, replace(hold, seconds=seconds, level=stall_level(seconds)))

    def recount_recent_victims(self, now: float) -> bool:
        """Recount the victims of recent holds while late events about them may still come;
        True when a figure changed."""
        return self._recount(now)

    def held_so_far(self, now: float) -> float:
        """Every hold's time, the one going on included."""
        return self.total_s + (self._going_on(now) if self.now else 0.0)

    def longest(self, now: float) -> float | None:
        seconds = [hold.seconds for hold in self.finished]
        if self._longest_forgotten:
            seconds.append(self._longest_forgotten)
        if self.now is not None:
            seconds.append(self._going_on(now))
        return max(seconds) if seconds else None

    def _going_on(self, now: float) -> float:
        assert self.now is not None
        return max(0.0, self._story.span(self.now.started, now))

    def _recount(self, now: float) -> bool:
        changed = False
        keep = []
        for hold, suspects in self._settling:
            victims, delay = self._victims(suspects, hold.held.started, hold.end)
            index = self._index(hold)
            current = self.finished[index] if index is not None else hold
            if (victims, delay) != (current.victims, current.delay_s):
                if index is not None:
                    self._replace(index, replace(current, victims=victims, delay_s=delay))
                changed = True
            if now - hold.end < VICTIM_SETTLE_S:
                keep.append((hold, suspects))
        self._settling = keep
        return changed

    def _index(self, hold: Hold) -> int | None:
        for index in range(len(self.finished) - 1, -1, -1):
            if self.finished[index].held == hold.held:
                return index
        return None

    def _replace(self, index: int, hold: Hold) -> None:
        old = self.finished[index]
        self.finished[index] = hold
        if self.worst is not None and self.worst.held == old.held:
            self.worst = hold
        this_kitchen = hold.held.mode == self.mode  # a late recount of the old one's stays out
        if this_kitchen and (self.worst is None or hold.delay_s >= self.worst.delay_s):
            self.worst = hold
        for position, (settling, suspects) in enumerate(self._settling):
            if settling.held == old.held:
                self._settling[position] = (hold, suspects)

    def _victims(self, suspects: list[Ticket], start: float, end: float) -> tuple[int, float]:
        """Tickets that waited (front desk or ready) while the step held on, and for how long
        in story seconds."""
        count, total = 0, 0.0
        for ticket in suspects:
            waited = 0.0
            for segment in ticket.segments:
                if segment.part not in ("front_desk", "ready"):
                    continue
                seg_end = end if segment.end is None else segment.end
                first, last = max(segment.start, start), min(seg_end, end)
                if last > first:
                    waited += self._story.span(first, last)
            if waited > 0:
                count += 1
                total += waited
        return count, total
