"""The banner shown when the kitchen process ends unexpectedly."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class DiedBanner(Static):
    """Says the kitchen stopped, why (its last words), and how to get a new one."""

    DEFAULT_CSS = css_beside(__file__)

    def show(self, message: str | None) -> None:
        self.display = message is not None
        if message is not None:
            self.update(
                f"The kitchen process stopped: {message}\n"
                "Nothing on screen is moving any more. Press x to start a fresh kitchen."
            )
