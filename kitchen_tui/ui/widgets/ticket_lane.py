"""A lane of waiting tickets: the front desk (in arrival order) or the rail (awaiting I/O, or
a to_thread worker)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from itertools import islice
from typing import Literal

from textual.strip import Strip

from kitchen_tui.stream.tickets import Ticket, TicketState
from kitchen_tui.ui.glyphs import TOKEN_NOTE
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.strips import wrap
from kitchen_tui.ui.widgets.kitchen_view import KitchenView, waits_for_token

LaneName = Literal["front_desk", "rail"]

_TITLES: dict[LaneName, str] = {"front_desk": "front desk", "rail": "rail"}
# What the rail's tickets await, by state: I/O, or a to_thread worker (one, several), or a
# limiter token for one.
_AWAITING: dict[TicketState | Literal["token"], tuple[str, str]] = {
    "rail": ("awaiting I/O", "awaiting I/O"),
    "thread": ("on a thread", "on threads"),
    "token": ("waiting for a token", "waiting for a token"),
}
# How workers take tickets off one shared socket, as the servers they stand for do.
HAND_OUT = {
    "sync": "{workers} workers share it; each takes one only when its cook is free (gunicorn sync)",
    "threads": "{workers} workers share it; each takes one while one of its cooks is free",
    "async": "{workers} workers share it; each takes all it can while its loop runs, none while"
    " held (uvicorn)",
}


class TicketLane(KitchenView):
    """Tickets standing in one lane, each with the time since it arrived, growing live."""

    def __init__(self, scene: Scene, lane: LaneName, *, id: str | None = None) -> None:
        super().__init__(scene, id=id, classes="lane")
        self.lane = lane
        self.border_title = _TITLES[lane]

    def _tickets(self) -> dict[int, Ticket]:
        board = self.scene.board
        return board.front_desk if self.lane == "front_desk" else board.rail

    def view_key(self) -> Hashable:
        tickets = self._tickets()
        live = self.live_slot() if tickets else None  # ages grow only while someone waits
        return self.shown_key(tickets), live, self.scene.board.mode, self.scene.board.workers

    def build(self, width: int, height: int) -> list[Strip]:
        tickets = self._tickets()
        rule = self._hand_out_rule(width)
        if len(tickets) > height - len(rule):  # the tickets first: the rule when there is room
            rule = []
        height -= len(rule)
        if not tickets:
            return rule + self._empty(width, height)
        shown = list(islice(tickets.values(), width * height))
        return rule + self.chip_grid(shown, len(tickets), width, height)

    def _hand_out_rule(self, width: int) -> list[Strip]:
        """With several workers, the front desk says how they take its tickets."""
        board = self.scene.board
        if self.lane != "front_desk" or board.workers < 2:
            return []
        rule = HAND_OUT.get(board.mode, HAND_OUT["sync"]).format(workers=board.workers)
        dim = self.style("kitchen--dim")
        return [self.line(width).add(text, dim).strip() for text in wrap(rule, width)]

    def titles(self) -> tuple[str, str]:
        # The count goes below: a title must fit a narrow lane without being cut.
        tickets = self._tickets().values()
        if self.lane == "front_desk":
            return _TITLES[self.lane], f"{len(tickets)} waiting" if tickets else ""
        # Only a to_thread call holding a limiter token is on a thread; the rest wait for one.
        counts = Counter("token" if waits_for_token(ticket) else ticket.state for ticket in tickets)
        awaiting = [f"{counts[s]} {said[counts[s] > 1]}" for s, said in _AWAITING.items()]
        awaiting = [said for said in awaiting if not said.startswith("0 ")]
        title = _TITLES[self.lane]
        if len(", ".join(awaiting)) > self.size.width - 6 and counts["token"]:
            # A narrow lane: those waiting for a token go up top, in the chips' own word.
            title = f"{title} · {counts['token']} {TOKEN_NOTE}"
            awaiting.pop()
        return title, ", ".join(awaiting)

    def _empty(self, width: int, height: int) -> list[Strip]:
        """An empty lane says why, when the reason is the lesson."""
        mode = self.scene.board.mode
        if self.lane == "front_desk":
            hint = "nobody waiting"
        elif mode == "async":
            hint = "no I/O in flight"
        else:
            hint = f"stays empty in {mode} mode: a wait blocks its cook instead"
        dim = self.style("kitchen--dim")
        return [self.line(width).add(text, dim).strip() for text in wrap(hint, width)[:height]]
