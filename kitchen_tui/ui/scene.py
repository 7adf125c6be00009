"""The scene: everything the widgets draw from, shared by reference between the app and them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kitchen_tui.stream.figure_history import FigureHistory
from kitchen_tui.ui.board import Board


@dataclass
class Scene:
    """The board, the frame's clock reading and the app's own state the header reports.

    `now` is read once per frame (and held while the display is frozen), so every elapsed time
    on one frame is measured against the same instant.
    """

    board: Board
    now: float
    ascii: bool = False
    frozen: bool = False
    held_events: int = 0  # events buffered while frozen
    asked: dict[str, object] = field(default_factory=dict)  # settings sent, not yet confirmed
    last_command: str = ""
    theme: str = ""
    paused: bool = False  # tests step frames by hand: nothing is throttled
    # The queueing figures and their past: they outlive a reset (the chart spans resets).
    history: FigureHistory = field(default_factory=FigureHistory)
    # What the rate dial's customers order: the running stream's mix, or the next one's.
    stream_mix: dict[str, int] = field(default_factory=lambda: {"message": 1})

    def age(self, since: float) -> float:
        """Story seconds from a real instant to this frame: slow motion keeps figures true."""
        return max(0.0, self.board.ledger.story.span(since, self.now))

    def span(self, start: float, end: float) -> float:
        """Story seconds between two real instants."""
        return self.board.ledger.story.span(start, end)
