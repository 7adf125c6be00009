"""What a terminal below the minimum size shows instead of a squashed kitchen."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmall(Static):
    """A plain request for more room, with the size we have and the size we need."""

    DEFAULT_CSS = css_beside(__file__)

    def explain(self, width: int, height: int) -> None:
        self.update(
            f"Make me bigger: the kitchen needs {MIN_WIDTH}x{MIN_HEIGHT},"
            f" this terminal is {width}x{height}.\n"
            "Enlarge the window or make the font smaller. (q quits)"
        )
