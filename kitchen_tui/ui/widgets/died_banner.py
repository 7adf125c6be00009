"""The banner shown when the kitchen process ends unexpectedly."""

from __future__ import annotations

from textual.widgets import Static


class DiedBanner(Static):
    """Says the kitchen stopped, why (its last words), and how to get a new one."""

    def show(self, message: str | None) -> None:
        self.display = message is not None
        if message is not None:
            self.update(
                f"The kitchen process stopped: {message}\n"
                "Nothing on screen is moving any more. Press x to start a fresh kitchen."
            )
