"""The frame step: one kitchen's picture brought up to date from the events it sent.

The app draws one kitchen with it, the race two. Once a frame the events that came are applied
to the board, the clock is read once and each view decides whether its part changed. A frozen
picture holds the events back, and applies them all when it goes live again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kitchen_tui.protocol.events import Event
from kitchen_tui.stream.figure_history import stream_rate
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.kitchen_header import KitchenHeader


class View(Protocol):
    """What the frame asks of each panel: redraw if your part changed, or now."""

    def tick(self) -> None: ...

    def redraw_now(self) -> None: ...


class Frame:
    """A kitchen's scene and the views that draw it; `banner` tells of the kitchen's death."""

    def __init__(
        self,
        scene: Scene,
        header: KitchenHeader,
        views: Sequence[View],
        banner: DiedBanner,
    ) -> None:
        self.scene = scene
        self.header = header
        self.views = list(views)  # the header among them
        self.banner = banner
        self._held: list[Event] = []  # events that came while the picture was frozen

    def step(self, events: list[Event], now: float) -> None:
        """Apply what came, read at `now`, and redraw what changed (unless frozen)."""
        scene = self.scene
        if scene.frozen:
            self._held.extend(events)
            scene.held_events = len(self._held)
            self.header.tick()
            return
        if self._held:
            events, self._held = self._held + events, []
            scene.held_events = 0
        board = scene.board
        board.apply_all(events)
        if any(e.get("type") == "settings" for e in events):
            self._confirm_asked()
        scene.now = now
        board.recount_stall_victims(now)
        scene.history.read(board.ledger, now, stream_rate(board.ledger))
        self.redraw()

    def freeze(self, frozen: bool) -> None:
        self.scene.frozen = frozen
        self.scene.held_events = len(self._held)
        self.header.tick()

    def clear(self) -> None:
        """A fresh board: the kitchen starts over (a new process, or a replay from the top)."""
        self.scene.board = Board()
        self.scene.asked.clear()
        self._held.clear()
        self.scene.held_events = 0
        self.redraw()

    def show_death(self, message: str | None, worker: bool = False) -> None:
        self.banner.show(message, worker)

    def redraw(self) -> None:
        for view in self.views:
            view.tick()

    def redraw_all_now(self) -> None:
        """Everything rebuilt on the next paint: a screenshot shows every panel up to date."""
        for view in self.views:
            view.redraw_now()

    def _confirm_asked(self) -> None:
        settings = self.scene.board.settings
        for name, wanted in list(self.scene.asked.items()):
            if settings.get(name) == wanted:
                del self.scene.asked[name]
