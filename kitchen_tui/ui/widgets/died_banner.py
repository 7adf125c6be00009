"""The banner shown when the kitchen process ends unexpectedly."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class DiedBanner(Static):
    """Says the kitchen stopped, why (its last words), and how to get a new one, each once."""

    DEFAULT_CSS = css_beside(__file__)

    def show(self, message: str | None) -> None:
        self.display = message is not None
        if message is not None:
            said = message[:1].upper() + message[1:]
            self.update(f"{said}.\nNothing on screen moves any more: press x for a fresh kitchen.")
