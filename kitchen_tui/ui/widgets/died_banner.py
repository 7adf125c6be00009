"""The banner shown when the kitchen process ends unexpectedly."""

from __future__ import annotations

from textual.widgets import Static

from kitchen_tui.ui.tcss import css_beside


class DiedBanner(Static):
    """Says the kitchen stopped, why (its last words), and how to get a new one, each once."""

    DEFAULT_CSS = css_beside(__file__)

    def show(self, message: str | None, worker: bool = False) -> None:
        """The kitchen's death, or with `worker` one worker's (the others serve on)."""
        self.display = message is not None
        if message is not None:
            said = message[:1].upper() + message[1:]
            then = (
                "The front desk serves on with the other workers: press x to restart it."
                if worker
                else "Nothing on screen moves any more: press x for a fresh kitchen."
            )
            self.update(f"{said}.\n{then}")
